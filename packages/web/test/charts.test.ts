// The page's figures as SVG text.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { barChart, escapeXml, heatMap, lineChart } from '../src/Charts.js'

const count = (svg: string, tag: string): number => svg.split(`<${tag} `).length - 1
const pathPoints = (svg: string): number[] => [...svg.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]!.split(/[ML]/).filter((s) => s !== '').length)

describe('charts', () => {
  it('a line chart draws one path per series with a point per finite point (log axis: per positive point)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(fc.nat(10_000), fc.oneof(fc.double({ min: -1, max: 10, noNaN: true }), fc.constant(NaN))), { minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (data, logY) => {
          const series = data.map((points, i) => ({ name: `s${i}`, color: '#000', points }))
          const svg = lineChart({ title: 't', series, logY })
          const expected = data.map((pts) => pts.filter(([, y]) => Number.isFinite(y) && (!logY || y > 0)).length).filter((n) => n > 0)
          expect(pathPoints(svg)).toEqual(expected)
          expect(svg).not.toMatch(/NaN|Infinity/)
        },
      ),
    )
  })

  it('marks the grokking step with a dashed line', () => {
    const svg = lineChart({ title: 'acc', series: [{ name: 'test', color: '#f00', points: [[100, 0.1], [200, 1]] }], marker: 200 })
    expect(count(svg, 'line class="marker"')).toBe(1)
    // Step 200 is the last point: the marker stands at the right end of the path.
    const x = /<line class="marker" x1="([^"]*)"/.exec(svg)![1]!
    expect(Number(x)).toBeCloseTo(Number(/L([\d.]+),/.exec(svg)![1]), 1)
    expect(lineChart({ title: 'acc', series: [{ name: 'test', color: '#f00', points: [[100, 0.1]] }], marker: null })).not.toContain('class="marker"')
  })

  it('a bar chart has one bar per value of each group, none taller than the axis', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 50 }), (values) => {
        const svg = barChart('spectrum', [
          { name: 'cos', color: '#00f', values },
          { name: 'sin', color: '#f80', values: values.map((v) => v / 2) },
        ])
        // The bars carry a <title> (hover value); the legend's squares do not.
        const heights = [...svg.matchAll(/<rect x="[^"]*" y="[^"]*" width="[^"]*" height="([^"]*)" fill="[^"]*"><title>/g)].map((m) => Number(m[1]))
        expect(heights.length).toBe(2 * values.length)
        for (const h of heights) expect(h).toBeGreaterThanOrEqual(0)
      }),
    )
  })

  it('a heat map has a cell per entry, the largest one darkest', () => {
    const values = Float64Array.from({ length: 25 }, (_, i) => i)
    const svg = heatMap('map', values, 5, 5, ['const', 'cos 1', 'sin 1', 'cos 2', 'sin 2'])
    const fills = [...svg.matchAll(/fill="rgb\((\d+),(\d+),(\d+)\)"/g)].map((m) => Number(m[1]) + Number(m[2]) + Number(m[3]))
    expect(fills.length).toBe(25)
    expect(fills.indexOf(Math.min(...fills))).toBe(24)
    expect(fills[0]).toBe(3 * 255)
  })

  it('text is escaped', () => {
    expect(escapeXml(`<a & "b">'`)).toBe('&#60;a &#38; &#34;b&#34;&#62;&#39;')
    expect(lineChart({ title: '<script>', series: [] })).not.toContain('<script>')
  })
})

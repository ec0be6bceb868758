// The report's hand-written charts: every value is drawn and named on hover, text is escaped, axes fit the data.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { barChart, esc, fmt, heatMap, lineChart } from '../src/report/svg.js'

const RUNS = 200
const value = fc.double({ min: 1e-6, max: 1e6, noNaN: true })
const titles = (svg: string): string[] => [...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => m[1]!)

describe('report charts', () => {
  it('a line chart draws one point per finite value, each with its value on hover, inside the plot area', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(10_000), fc.oneof(value, fc.constant(NaN))), { minLength: 1, maxLength: 30 }), fc.boolean(), (points, log) => {
        const svg = lineChart({ title: 't', yLabel: 'y', log, series: [{ name: 's', color: '#000', points }] })
        const finite = points.filter(([, y]) => Number.isFinite(y))
        const cys = [...svg.matchAll(/<circle cx="([\d.-]+)" cy="([\d.-]+)"/g)].map((m) => [Number(m[1]), Number(m[2])])
        return (
          cys.length === finite.length &&
          cys.every(([x, y]) => x! >= 61.9 && x! <= 490.1 && y! >= 27.9 && y! <= 180.1) &&
          titles(svg).filter((t) => t.startsWith('s at step')).every((t, i) => t === `s at step ${finite[i]![0]}: ${fmt(finite[i]![1])}`)
        )
      }),
      { numRuns: RUNS },
    )
  })

  it('a bar chart draws one bar per value, named with its group and series, and marks the marked groups', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ values: fc.array(fc.oneof(value, fc.constant(0)), { minLength: 2, maxLength: 2 }), marked: fc.boolean() }), { minLength: 1, maxLength: 60 }), (groups) => {
        const svg = barChart({ title: 't', names: ['cos', 'sin'], colors: ['#111', '#222'], groups: groups.map((g, i) => ({ ...g, label: `k${i}` })), xLabel: 'k', yLabel: 'n', markLabel: 'key' })
        const bars = titles(svg).filter((t) => /^k\d+, (cos|sin): /.test(t))
        const heights = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.-]+)"/g)].map((m) => Number(m[1]))
        return (
          bars.length === 2 * groups.length &&
          bars.every((t, i) => t === `k${Math.floor(i / 2)}, ${i % 2 === 0 ? 'cos' : 'sin'}: ${fmt(groups[Math.floor(i / 2)]!.values[i % 2]!)}`) &&
          heights.every((h) => h >= 0) &&
          (svg.match(/class="mark">▲<title>/g) ?? []).length === groups.filter((g) => g.marked).length
        )
      }),
      { numRuns: RUNS },
    )
  })

  it('a heat map covers each of its n² cells exactly once, whatever the values', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }).chain((n) => fc.tuple(fc.constant(n), fc.array(fc.oneof(value, fc.constant(0)), { minLength: n * n, maxLength: n * n }))), ([n, vals]) => {
        const svg = heatMap('t', Array.from({ length: n }, (_, i) => `b${i}`), Float64Array.from(vals), n, 'a', 'b')
        const cells = [...svg.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map((m) => `${m[1]},${m[2]}`)
        return cells.length === n * n && new Set(cells).size === n * n
      }),
      { numRuns: RUNS },
    )
  })

  it('escapes text for HTML and SVG', () => {
    expect(esc('<a href="x">&</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;')
    expect(lineChart({ title: '<script>', yLabel: 'y', series: [{ name: 'a&b', color: '#000', points: [[0, 1]] }] })).not.toMatch(/<script>|a&b/)
  })
})

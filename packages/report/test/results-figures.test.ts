// The results figures (accuracy.svg, measures.svg), drawn by @grokscope/charts: one legend of the operations in
// the shared palette, a point per run with a value (hollow when not finished) named on hover, inside the plot.
import { WIDTH, identityColors } from '@grokscope/charts'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ResultRow } from '@grokscope/runs'
import { accuracySvg, measuresSvg } from '../src/index.js'

const STATUSES: ReadonlyArray<ResultRow['status']> = ['finished', 'interrupted', 'failed', 'incomplete', 'not started']

const row = (operation: string, r: number, seed: number, status: ResultRow['status'], acc: number | null, fcr = 0.9): ResultRow => ({
  run: `${operation}-p31-r${r}-s${seed}`,
  operation,
  p: 31,
  r,
  seed,
  transfer: 'scratch',
  status,
  grokked: acc === null ? null : acc >= 0.99,
  grok_step: acc !== null && acc >= 0.99 ? 100 : null,
  stayed_grokked: acc === null ? null : acc >= 0.99,
  last_test_acc_after_grok: acc !== null && acc >= 0.99 ? acc : null,
  min_test_acc_after_grok: acc !== null && acc >= 0.99 ? acc : null,
  unstable: acc === null ? null : false,
  unstable_from: null,
  unstable_min_train_acc: null,
  steps: acc === null ? null : 200,
  train_loss: acc === null ? null : 0.01,
  train_acc: acc === null ? null : 1,
  test_loss: acc === null ? null : 0.02,
  test_acc: acc,
  best_test_acc: acc,
  W_E_ffd: acc === null ? null : 1 - acc / 2,
  W_E_fcr: acc === null ? null : fcr,
  W_E_ffd_mult: acc === null ? null : 1,
  W_E_fcr_mult: acc === null ? null : 0.3,
  W_L_ffd: acc === null ? null : 0.2,
  W_L_fcr: acc === null ? null : 0.8,
  W_L_ffd_mult: acc === null ? null : 1,
  W_L_fcr_mult: acc === null ? null : 0.3,
  wall_time_s: acc === null ? null : 10,
})

interface Circle {
  readonly cx: number
  readonly cy: number
  readonly hollow: boolean
  readonly title: string
}

const circles = (svg: string): Circle[] =>
  [...svg.matchAll(/<circle cx="([\d.-]+)" cy="([\d.-]+)" r="3.5" fill="([^"]*)" stroke-width="1.4"><title>([^<]*)<\/title>/g)].map(
    (m) => ({ cx: Number(m[1]), cy: Number(m[2]), hollow: m[3] === 'none', title: m[4]! }),
  )

const legendNames = (svg: string): string[] => {
  const legend = /<g class="legend">(.*?)<\/g>/.exec(svg)![1]!
  return [...legend.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!)
}

/** The plot's edges: the left axis at x = 64, the right end of the grid lines, from the svg. */
const plotX = (svg: string): [number, number] => {
  const right = Number(/<line x1="60" x2="([\d.]+)"/.exec(svg)![1])
  return [64, right]
}

const rows = [
  row('add', 0.3, 0, 'finished', 0.995),
  row('add', 0.5, 0, 'interrupted', 0.6),
  row('sub', 0.3, 0, 'finished', 0.2),
  row('sub', 0.3, 1, 'finished', 0.4),
  row('sub', 0.5, 1, 'not started', null),
]

/** Rows of distinct runs (a run's name is its operation, fraction and seed). */
const anyRows = fc
  .uniqueArray(
    fc.record({
      op: fc.constantFrom('add', 'sub', 'mul', 'a2+b2'),
      r: fc.constantFrom(0.1, 0.3, 0.5, 0.7, 0.9),
      seed: fc.nat(5),
      status: fc.constantFrom(...STATUSES),
      acc: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
      fcr: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
    { minLength: 1, maxLength: 30, selector: (x) => `${x.op} ${x.r} ${x.seed}` },
  )
  .map((xs) => xs.map((x) => row(x.op, x.r, x.seed, x.status, x.acc, x.fcr)))

describe('results figures', () => {
  it('have one legend: each operation once, in its identity colour (the one the folder\'s report gives it), then what the marks mean', () => {
    for (const svg of [accuracySvg(rows), measuresSvg(rows)]) {
      const names = legendNames(svg)
      expect(names.slice(0, 2)).toEqual(['add', 'sub'])
      expect(names).toContain('not finished')
      expect(names.filter((n) => n === 'add')).toHaveLength(1)
      expect(svg.match(/class="legend"/g)).toHaveLength(1)
      const color = identityColors(['add', 'sub'])
      expect(svg).toContain(`<g class="series" stroke="${color('add')}">`)
      expect(svg).toContain(`<g class="series" stroke="${color('sub')}">`)
      // A file of its own: natural size on a white ground.
      expect(svg).toMatch(new RegExp(`^<svg [^>]*width="${WIDTH}" height="[\\d.]+"`))
      expect(svg).toContain('fill="#fff"')
    }
  })

  it('draw every run with a value as one point named on hover, hollow when not finished, inside the plot', () => {
    fc.assert(
      fc.property(anyRows, (rs) => {
        for (const svg of [accuracySvg(rs), measuresSvg(rs)]) {
          const drawn = circles(svg)
          const valued = rs.filter((r) => r.best_test_acc !== null)
          expect(drawn).toHaveLength(valued.length)
          expect(drawn.filter((c) => c.hollow)).toHaveLength(valued.filter((r) => r.status !== 'finished').length)
          expect(drawn.map((c) => c.title.split(' ')[0]).sort()).toEqual(valued.map((r) => r.run).sort())
          for (const c of drawn) expect(c.title).toContain(`(${rs.find((r) => c.title.startsWith(`${r.run} `))!.status})`)
          const [x0, x1] = plotX(svg)
          for (const c of drawn) expect(c.cx >= x0 && c.cx <= x1).toBe(true)
          expect(svg).not.toMatch(/NaN|Infinity/)
        }
      }),
      { numRuns: 100 },
    )
  })

  it('accuracy.svg: a point higher for a higher accuracy, a mean tick per operation and fraction, ' +
    'series side by side at one fraction', () => {
    fc.assert(
      fc.property(anyRows, (rs) => {
        const svg = accuracySvg(rs)
        const valued = rs.filter((r) => r.best_test_acc !== null)
        const ticks = svg.match(/<line class="tick"/g) ?? []
        // One fraction: the operations side by side, a mean tick where an operation has more than one run.
        const oneFraction = new Set(rs.map((r) => r.r)).size === 1
        const perOp = (op: string) => valued.filter((r) => r.operation === op).length
        expect(ticks).toHaveLength(
          oneFraction
            ? new Set(valued.map((r) => r.operation).filter((op) => perOp(op) > 1)).size
            : new Set(valued.map((r) => `${r.operation} ${r.r}`)).size,
        )
        const byRun = new Map(circles(svg).map((c) => [c.title.split(' ')[0]!, c]))
        for (const a of valued)
          for (const b of valued) {
            if (a.best_test_acc! > b.best_test_acc! + 1e-3) expect(byRun.get(a.run)!.cy).toBeLessThan(byRun.get(b.run)!.cy)
            // Two operations at one fraction never share an x: neither hides the other.
            if (a.r === b.r && a.operation !== b.operation) expect(byRun.get(a.run)!.cx).not.toBe(byRun.get(b.run)!.cx)
          }
      }),
      { numRuns: 100 },
    )
  })

  it('measures.svg: FCR along x and FFD along y, both from 0 to 1', () => {
    const svg = measuresSvg([
      row('add', 0.3, 0, 'finished', 0.5, 0),
      row('add', 0.3, 1, 'finished', 0.5, 1),
      row('sub', 0.3, 0, 'finished', 0, 0.5),
      row('sub', 0.3, 1, 'finished', 1, 0.5),
    ])
    const [x0, x1] = plotX(svg)
    const [l, r, top, bottom] = circles(svg)
    expect(l!.cx).toBeCloseTo(x0, 1)
    expect(r!.cx).toBeCloseTo(x1, 1)
    // FFD = 1 - acc/2: the sub runs are at FFD 1 and 0.5, the add runs at 0.75, half-way between (a linear axis).
    expect(top!.cy).toBeLessThan(bottom!.cy)
    expect(l!.cy - top!.cy).toBeCloseTo((bottom!.cy - top!.cy) / 2, 1)
    expect(r!.cy).toBe(l!.cy)
  })
})

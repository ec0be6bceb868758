// The stability rule: a run that fitted its training set and then left it is unstable; the laws on synthetic
// curves, then two real runs of the fast recipe at p = 31 (fixtures/runs-stability, made by the commands in fixtures/README.md).
import { readFileSync } from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  DROP_ACC,
  EMPTY_RUN_END,
  FIT_ACC,
  LOSS_FLOOR,
  LOSS_RISE,
  MAX_EXCURSIONS,
  type StabilityPoint,
  decodeMetricsLog,
  decodeSummary,
  runStability,
  runSummary,
  stabilityText,
} from '../src/index.js'

const EVERY = 50

/** Evaluations every 50 steps with these train accuracies and losses. */
const curve = (points: ReadonlyArray<readonly [number, number]>): StabilityPoint[] =>
  points.map(([train_acc, train_loss], i) => ({ step: EVERY * i, train_acc, train_loss }))

/** A clean run: accuracy rising to 1 and the loss falling, by any amounts (the loss stays positive). */
const cleanRun = fc
  .tuple(
    fc.array(fc.double({ min: 0, max: FIT_ACC, maxExcluded: true, noNaN: true }), { maxLength: 12 }),
    fc.array(fc.double({ min: FIT_ACC, max: 1, noNaN: true }), { minLength: 1, maxLength: 30 }),
    fc.double({ min: 1e-6, max: 5, noNaN: true }),
    fc.array(fc.double({ min: 0.3, max: 1, noNaN: true }), { minLength: 42, maxLength: 42 }),
  )
  .map(([before, after, loss0, factors]) => {
    let loss = loss0
    return curve([...before, ...after].map((acc, i) => [acc, (loss *= factors[i]!)] as const))
  })

describe('runStability on synthetic curves', () => {
  it('a run that never fits its training set is never unstable, however its loss moves', () => {
    const point = fc.tuple(
      fc.double({ min: 0, max: FIT_ACC, maxExcluded: true, noNaN: true }),
      fc.double({ min: 1e-3, max: 10, noNaN: true }),
    )
    fc.assert(
      fc.property(fc.array(point, { maxLength: 40 }), (ps) => {
        const s = runStability(curve(ps))
        expect(s.fitted_step).toBeNull()
        expect(s.unstable).toBe(false)
        expect(s.excursions).toEqual([])
      }),
    )
  })

  it('a run whose train accuracy stays fitted and whose loss only falls is stable, fitted at its first accuracy ≥ 0.99', () => {
    fc.assert(
      fc.property(cleanRun, (run) => {
        const s = runStability(run)
        expect(s.unstable).toBe(false)
        expect(s.excursion_count).toBe(0)
        expect(s.fitted_step).toBe(run.find((r) => r.train_acc >= FIT_ACC)!.step)
      }),
    )
  })

  it('one evaluation after the fit with train accuracy below 0.9 makes the run unstable, with that step as an excursion', () => {
    fc.assert(
      fc.property(cleanRun, fc.nat(), fc.double({ min: 0, max: DROP_ACC, maxExcluded: true, noNaN: true }), (run, at, acc) => {
        const fit = run.findIndex((r) => r.train_acc >= FIT_ACC)
        fc.pre(fit < run.length - 1)
        const i = fit + 1 + (at % (run.length - fit - 1))
        const dipped = run.map((r, j) => (j === i ? { ...r, train_acc: acc } : r))
        const s = runStability(dipped)
        expect(s.unstable).toBe(true)
        expect(s.excursions).toEqual([[run[i]!.step, run[i]!.step]])
        expect(s.ended_outside).toBe(i === run.length - 1)
        expect(s.lowest_train_acc).toBeCloseTo(acc, 3)
      }),
    )
  })

  it('the same dip before the fit does not count', () => {
    const s = runStability(curve([[0.1, 3], [0.5, 2], [0.2, 3], [1, 0.01], [1, 0.005]]))
    expect(s).toMatchObject({ fitted_step: 150, unstable: false })
  })

  it(`a train loss that rises more than ×${LOSS_RISE} over its lowest since the fit, above ${LOSS_FLOOR}, leaves the region; less does not`, () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-5, max: LOSS_FLOOR / LOSS_RISE, noNaN: true }), fc.double({ min: 1.01, max: 1000, noNaN: true }), (
        low,
        k,
      ) => {
        const peak = Math.max(low * LOSS_RISE * k, LOSS_FLOOR * 1.01)
        expect(runStability(curve([[0.5, 2], [1, low * 3], [1, low], [1, peak], [1, low]])).excursions).toEqual([[150, 150]])
        // Under ×10, or at most the floor, the run stays in.
        expect(runStability(curve([[1, low * 3], [1, low], [1, (low * LOSS_RISE) / k]])).unstable).toBe(false)
        expect(runStability(curve([[1, low * 3], [1, low], [1, Math.min(low * LOSS_RISE * k, LOSS_FLOOR)]])).unstable).toBe(false)
      }),
    )
  })

  it('a loss that is not a number after the fit is out of the region (a run that diverged)', () => {
    expect(runStability(curve([[1, 0.01], [NaN, NaN]]))).toMatchObject({ unstable: true, excursions: [[50, 50]], ended_outside: true })
  })

  it('consecutive evaluations out make one excursion; the first 20 are kept and all are counted', () => {
    const s = runStability(curve([[1, 0.01], [0.5, 1], [0.6, 1], [1, 0.01], [0.7, 1], [1, 0.01]]))
    expect(s.excursions).toEqual([[50, 100], [200, 200]])
    expect(s.excursion_count).toBe(2)
    const many = runStability(curve([[1, 0.01], ...Array.from({ length: 30 }, () => [[0.5, 1], [0.5, 1], [1, 0.01]] as const).flat()]))
    expect(many.excursion_count).toBe(30)
    expect(many.excursions).toHaveLength(MAX_EXCURSIONS)
    expect(many.excursions[MAX_EXCURSIONS - 1]).toEqual([EVERY * (1 + 3 * (MAX_EXCURSIONS - 1)), EVERY * (2 + 3 * (MAX_EXCURSIONS - 1))])
  })

  it('the flag in words names the steps and the lowest train accuracy; a stable run has none', () => {
    expect(stabilityText(runStability(curve([[1, 0.01], [0.5, 1], [0.6, 1], [1, 0.01], [0.7, 1]])))).toBe(
      'unstable: left the fitted training set at steps 50–100, 200 (lowest train accuracy 0.500; still out at the end)',
    )
    expect(stabilityText(runStability(curve([[1, 0.01], [1, 0.001]])))).toBe('')
  })
})

// ─────────────────────────────────────────────────────────────────────────────
// real runs
// ─────────────────────────────────────────────────────────────────────────────

const FIXTURES = path.resolve(import.meta.dirname, '../../../fixtures/runs-stability')
const recordsOf = (name: string) => {
  const log = decodeMetricsLog(name, readFileSync(path.join(FIXTURES, name, 'metrics.jsonl'), 'utf8'))
  if (log._tag === 'Left') throw new Error(log.left)
  return log.right.records
}

describe('runStability on real runs (fast recipe, p = 31, r = 0.5)', () => {
  it('flags sub, which fitted its training set and then fell out of it again', () => {
    const s = runStability(recordsOf('sub-p31-r0.5-s0'))
    expect(s.unstable).toBe(true)
    expect(s.excursion_count).toBeGreaterThan(1)
    expect(s.lowest_train_acc!).toBeLessThan(DROP_ACC)
  })

  it('does not flag add, which fitted it and stayed', () => {
    const records = recordsOf('add-p31-r0.5-s0')
    expect(records.at(-1)!.test_acc).toBeGreaterThanOrEqual(0.99)
    expect(runStability(records)).toMatchObject({ unstable: false, excursion_count: 0 })
  })

  it('the summary of the run holds its stability, through JSON and back', () => {
    const records = recordsOf('sub-p31-r0.5-s0')
    const decoded = decodeSummary(JSON.parse(JSON.stringify(runSummary({ ...EMPTY_RUN_END, records, steps: 1500 }))))
    expect(decoded._tag === 'Right' && decoded.right.stability).toEqual(runStability(records))
  })
})

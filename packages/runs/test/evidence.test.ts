// A run's evidence for the claims from its summary and records (evidenceOf), and which weights it reads (evidenceStep).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  EMPTY_RUN_END,
  type EvidenceInput,
  type MetricsRecord,
  type PlannedRun,
  evidenceOf,
  evidenceStep,
  grokkedAndStayed,
  runStability,
  runSummary,
} from '../src/index.js'

const RUN: PlannedRun = { name: 'sub-p7-r0.6-s1', ops: ['sub'], p: 7, frac: 0.6, seed: 1, variant: { load: [], freeze: [] }, config: null }

/** Records evaluated every 10 steps with these train and test accuracies; `grok_step` as the loop writes it. */
const recordsOf = (accs: ReadonlyArray<readonly [number, number]>): MetricsRecord[] => {
  let grok: number | null = null
  return accs.map(([train, test], i) => {
    const step = 10 * i
    if (grok === null && test >= 0.99) grok = step
    return {
      step,
      train_loss: 1 - train + 1e-3,
      train_acc: train,
      test_loss: 1 - test,
      test_acc: test,
      W_E: { ffd: 0.5 + i / 100, fcr: 0.4 },
      W_L: { ffd: 0.5, fcr: 0.5 },
      grok_step: grok,
      elapsed_s: i,
      num_tensors: 10,
    }
  })
}

/** An accuracy that is often at or above the 0.99 thresholds. */
const acc = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0.99, 1))
const accs = fc.array(fc.tuple(acc, acc), { minLength: 1, maxLength: 12 })

const input = (records: ReadonlyArray<MetricsRecord>, o: Partial<EvidenceInput> = {}): EvidenceInput => ({
  run: RUN,
  stage: 'ops',
  transfer: 'scratch',
  summary: runSummary({
    ...EMPTY_RUN_END,
    records,
    steps: records.at(-1)?.step ?? 0,
    grokStep: records.find((r) => r.grok_step !== null)?.grok_step ?? null,
  }),
  records,
  measures: null,
  weightsAt: 'end',
  sourceGrokked: null,
  ...o,
})

describe('evidenceOf', () => {
  it('a finished run: the first fit and grok steps, whether it stayed, its stability, best and final test accuracy, its curve', () => {
    fc.assert(
      fc.property(accs, (a) => {
        const records = recordsOf(a)
        const e = evidenceOf(input(records))
        const tests = a.map(([, t]) => t)
        const grok = tests.findIndex((t) => t >= 0.99)
        expect(e.finished).toBe(true)
        expect(e.fitStep).toBe(a.findIndex(([t]) => t >= 0.99) === -1 ? null : 10 * a.findIndex(([t]) => t >= 0.99))
        expect(e.grokStep).toBe(grok === -1 ? null : 10 * grok)
        expect(e.stayedGrokked).toBe(grok !== -1 && tests.slice(grok).every((t) => t >= 0.99))
        expect(e.unstable).toBe(runStability(records).unstable)
        expect(e.bestTestAcc).toBe(Math.max(...tests))
        expect(e.finalTestAcc).toBe(tests.at(-1))
        expect(e.curve.map((c) => [c.step, c.trainAcc, c.testAcc])).toEqual(records.map((r) => [r.step, r.train_acc, r.test_acc]))
        expect(e.diverged).toBe(false)
        expect(grokkedAndStayed(records)).toBe(e.stayedGrokked)
      }),
    )
  })

  it('reads the grok step’s weights exactly when the run grokked and fell back', () => {
    fc.assert(
      fc.property(accs, (a) => {
        const e = evidenceOf(input(recordsOf(a)))
        expect(evidenceStep(recordsOf(a))).toBe(e.grokStep !== null && !e.stayedGrokked ? e.grokStep : null)
      }),
    )
  })

  it('a run without a finished summary (none, interrupted) is not finished and says nothing else, whatever its records', () => {
    fc.assert(
      fc.property(accs, fc.boolean(), (a, interrupted) => {
        const records = recordsOf(a)
        const summary = interrupted ? runSummary({ ...EMPTY_RUN_END, records, interrupted: true }) : null
        const e = evidenceOf(input(records, { summary, sourceGrokked: true, transfer: 'pre-grokked embedding' }))
        expect(e).toEqual({
          name: RUN.name,
          stage: 'ops',
          op: 'sub',
          p: 7,
          frac: 0.6,
          seed: 1,
          transfer: 'pre-grokked embedding',
          sourceGrokked: true,
          finished: false,
          steps: 0,
          grokStep: null,
          stayedGrokked: false,
          fitStep: null,
          unstable: false,
          diverged: false,
          finalTestAcc: null,
          bestTestAcc: null,
          weightsAt: 'end',
          measures: null,
          curve: [],
        })
      }),
    )
  })

  it('a diverged run is finished and diverged', () => {
    const records = recordsOf([[0.5, 0.1], [1, 0.2]])
    const summary = runSummary({ ...EMPTY_RUN_END, records, steps: 15, divergedStep: 15 })
    expect(evidenceOf(input(records, { summary }))).toMatchObject({ finished: true, diverged: true, steps: 15 })
  })
})

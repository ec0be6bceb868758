// Whether a run stayed grokked: the grok step, then every evaluation after it.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type MetricsRecord, gatingTestAcc, grokOutcome } from '../src/index.js'

const THRESHOLD = 0.99

/** A record with this test accuracy; `grok_step` as the loop writes it (the first step at or above the threshold, from then on). */
const records = (accs: ReadonlyArray<number>, every = 100): MetricsRecord[] => {
  let grok: number | null = null
  return accs.map((acc, i) => {
    const step = every * i
    if (grok === null && acc >= THRESHOLD) grok = step
    return {
      step,
      train_loss: 0.1,
      train_acc: 1,
      test_loss: 1 - acc,
      test_acc: acc,
      W_E: { ffd: 0.5, fcr: 0.5 },
      W_L: { ffd: 0.5, fcr: 0.5 },
      grok_step: grok,
      elapsed_s: i,
      num_tensors: 10,
    }
  })
}

describe('grokOutcome', () => {
  it('a run that grokks then falls (fast recipe, p = 23, r = 0.7, sub: grokked at 300, 0.35 at the end) did not stay grokked', () => {
    const o = grokOutcome(records([0, 0.05, 0.4, 0.995, 1, 1, 0.8, 0.5, 0.35]))
    expect(o).toEqual({ grok_step: 300, stayed_grokked: false, last_test_acc_after_grok: 0.35, min_test_acc_after_grok: 0.35 })
    // A dip that recovers is still a fall: the minimum says how far.
    expect(grokOutcome(records([0.1, 0.991, 0.6, 1]))).toEqual({
      grok_step: 100,
      stayed_grokked: false,
      last_test_acc_after_grok: 1,
      min_test_acc_after_grok: 0.6,
    })
  })

  it('a run that stays at or above the threshold stayed grokked; one that never reaches it did not grok', () => {
    expect(grokOutcome(records([0, 0.5, 0.99, 1, 0.995]))).toEqual({
      grok_step: 200,
      stayed_grokked: true,
      last_test_acc_after_grok: 0.995,
      min_test_acc_after_grok: 0.99,
    })
    expect(grokOutcome(records([0, 0.5, 0.98]))).toEqual({
      grok_step: null,
      stayed_grokked: false,
      last_test_acc_after_grok: null,
      min_test_acc_after_grok: null,
    })
    expect(grokOutcome([])).toEqual({
      grok_step: null,
      stayed_grokked: false,
      last_test_acc_after_grok: null,
      min_test_acc_after_grok: null,
    })
  })

  it('a mixture reads its worst operation (an operation without test pairs does not count)', () => {
    const [r] = records([0.995])
    const mixed: MetricsRecord = {
      ...r!,
      per_op: {
        add: { train: { loss: 0, acc: 1 }, test: { loss: 0, acc: 1 } },
        mul: { train: { loss: 0, acc: 1 }, test: { loss: 0, acc: 0.9 } },
      },
    }
    expect(gatingTestAcc(mixed)).toBe(0.9)
    expect(
      gatingTestAcc({ ...mixed, per_op: { ...mixed.per_op, mul: { train: { loss: 0, acc: 1 }, test: { loss: NaN, acc: NaN } } } }),
    ).toBe(1)
  })

  it('over random accuracy series: the grok step is the first at or above the threshold, stayed means no later one below it, ' +
    'last and min are of the tail', () => {
    const acc = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0.99, 1, 0.98999))
    fc.assert(
      fc.property(fc.array(acc, { maxLength: 40 }), (accs) => {
        const o = grokOutcome(records(accs), THRESHOLD)
        const first = accs.findIndex((a) => a >= THRESHOLD)
        if (first < 0) {
          expect(o).toEqual({ grok_step: null, stayed_grokked: false, last_test_acc_after_grok: null, min_test_acc_after_grok: null })
          return
        }
        const tail = accs.slice(first)
        expect(o.grok_step).toBe(100 * first)
        expect(o.stayed_grokked).toBe(!tail.some((a) => a < THRESHOLD))
        expect(o.last_test_acc_after_grok).toBe(accs.at(-1))
        expect(o.min_test_acc_after_grok).toBe(Math.min(...tail))
        expect(o.min_test_acc_after_grok! <= o.last_test_acc_after_grok!).toBe(true)
        // Stayed grokked exactly when the minimum after grokking is at or above the threshold.
        expect(o.stayed_grokked).toBe(o.min_test_acc_after_grok! >= THRESHOLD)
      }),
      { numRuns: 500 },
    )
  })
})

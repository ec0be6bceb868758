import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PAPER_ADAMW, disposeTrainState, initTrainState, optimizerStep } from '../src/index.js'

/** PyTorch's AdamW for one scalar, in float64 (torch/optim/adamw.py, non-amsgrad). */
const torchAdamW = (o: typeof PAPER_ADAMW, theta0: number, grads: ReadonlyArray<number>): number => {
  let [theta, m, v] = [theta0, 0, 0]
  grads.forEach((g, i) => {
    const t = i + 1
    theta *= 1 - o.lr * o.weightDecay
    m = o.beta1 * m + (1 - o.beta1) * g
    v = o.beta2 * v + (1 - o.beta2) * g * g
    const denom = Math.sqrt(v) / Math.sqrt(1 - o.beta2 ** t) + o.eps
    theta -= (o.lr / (1 - o.beta1 ** t)) * (m / denom)
  })
  return theta
}

const values = fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 4, maxLength: 4 })

describe('AdamW', () => {
  it("equals PyTorch's AdamW update, step by step", () => {
    fc.assert(
      fc.property(values, fc.array(values, { minLength: 1, maxLength: 8 }), fc.constantFrom(0, 0.1, 1), (theta0, gradSeq, wd) => {
        const o = { ...PAPER_ADAMW, weightDecay: wd, lr: 1e-2 }
        let state = initTrainState({ w: tf.tensor1d(theta0) })
        for (const g of gradSeq) {
          const grad = tf.tensor1d(g)
          const next = optimizerStep(o, state, { w: grad })
          grad.dispose()
          disposeTrainState(state)
          state = next
        }
        const got = state.params.w!.dataSync()
        theta0.forEach((x, j) => expect(got[j]).toBeCloseTo(torchAdamW(o, x, gradSeq.map((g) => g[j]!)), 5))
        expect(state.step).toBe(gradSeq.length)
        disposeTrainState(state)
      }),
      { numRuns: 50 },
    )
  })

  it('a frozen weight keeps its value, the others move', () => {
    const state = initTrainState({ a: tf.tensor1d([1, 2]), b: tf.tensor1d([1, 2]) })
    const grads = { a: tf.tensor1d([1, 1]), b: tf.tensor1d([1, 1]) }
    const next = optimizerStep({ ...PAPER_ADAMW, frozen: ['a'] }, state, grads)
    expect(Array.from(next.params.a!.dataSync())).toEqual([1, 2])
    expect(Array.from(next.params.b!.dataSync())).not.toEqual([1, 2])
    tf.dispose(Object.values(grads))
    disposeTrainState(state)
    disposeTrainState(next)
  })
})

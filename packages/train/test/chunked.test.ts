import * as E from 'fp-ts/lib/Either.js'
import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeTask, makeDataset } from '@grokscope/data'
import { disposeInputs, disposeParams, initParams, prepareBatch } from '@grokscope/model'
import {
  PAPER_ADAMW,
  disposeTrainData,
  disposeTrainState,
  evaluate,
  initTrainState,
  modelConfigFor,
  prepareTrainData,
  trainStep,
} from '../src/index.js'

const dataset = () => {
  const t = decodeTask({ p: 11, ops: ['add', 'mul'], frac: 0.4, seed: 2 })
  if (E.isLeft(t)) throw new Error('bad task')
  return makeDataset(t.right)
}
const small = { dModel: 16, nHeads: 2, dHead: 8, dMlp: 32 }

describe('chunked evaluation', () => {
  it('equals the one-batch evaluation (losses to float32 rounding, accuracies exactly), per operation too', () => {
    const d = dataset()
    const c = modelConfigFor(d, small)
    const params = initParams(c, 3)
    const whole = prepareBatch(c, d.test.tokens, d.test.labels)
    const want = evaluate(c, params, whole, d.test.opIndex, 2)
    fc.assert(
      fc.property(fc.integer({ min: 1, max: d.test.size + 5 }), (chunk) => {
        const data = prepareTrainData(c, d, chunk)
        const got = evaluate(c, params, data.test, d.test.opIndex, 2)
        disposeTrainData(data)
        expect(got.accuracy).toBe(want.accuracy)
        expect(Math.abs(got.loss - want.loss)).toBeLessThan(1e-6 * want.loss)
        got.perOp.forEach((m, i) => {
          expect(m.accuracy).toBe(want.perOp[i]!.accuracy)
          expect(Math.abs(m.loss - want.perOp[i]!.loss)).toBeLessThan(1e-6 * want.perOp[i]!.loss)
        })
      }),
      { numRuns: 15 },
    )
    disposeInputs(whole)
    disposeParams(params)
  }, 120_000)
})

describe('chunked training steps', () => {
  it('follow the one-batch steps to float32 rounding and keep tf.memory().numTensors flat', () => {
    const d = dataset()
    const c = modelConfigFor(d, small)
    const whole = prepareBatch(c, d.train.tokens, d.train.labels)
    const data = prepareTrainData(c, d, 9)
    let [a, b] = [initTrainState(initParams(c, 0)), initTrainState(initParams(c, 0))]
    const before = tf.memory().numTensors
    for (let i = 0; i < 5; i++) {
      const ra = trainStep(c, PAPER_ADAMW, a, whole)
      const rb = trainStep(c, PAPER_ADAMW, b, data.train)
      expect(Math.abs(ra.loss.dataSync()[0]! - rb.loss.dataSync()[0]!)).toBeLessThan(1e-5)
      tf.dispose([ra.loss, rb.loss])
      disposeTrainState(a)
      disposeTrainState(b)
      ;[a, b] = [ra.state, rb.state]
      expect(tf.memory().numTensors).toBe(before)
    }
    for (const [name, w] of Object.entries(a.params)) {
      const err = tf.tidy(() => tf.max(tf.abs(tf.sub(w, b.params[name]!))).dataSync()[0]!)
      expect(err, name).toBeLessThan(1e-4)
    }
    disposeTrainState(a)
    disposeTrainState(b)
    disposeTrainData(data)
    disposeInputs(whole)
  }, 60_000)
})

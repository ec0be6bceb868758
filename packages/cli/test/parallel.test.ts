import * as E from 'fp-ts/lib/Either.js'
import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { decodeTask, makeDataset } from '@grokscope/data'
import { disposeInputs, disposeParams, initParams, lossAndGrads, prepareBatch } from '@grokscope/model'
import { modelConfigFor } from '@grokscope/train'
// The built module: its worker script is dist/grad-worker.js.
import { startPool } from '../dist/parallel.js'

const dataset = () => {
  const t = decodeTask({ p: 13, ops: ['add', 'mul'], frac: 0.5, seed: 1 })
  if (E.isLeft(t)) throw new Error('bad task')
  return makeDataset(t.right)
}

describe('the gradient pool', () => {
  it.each([
    [1, Infinity],
    [2, Infinity],
    [3, Infinity],
    [1, 5],
    [2, 7],
  ])('with %i thread(s) and chunks of at most %d examples gives the full-batch loss and gradients, and leaks no tensor', async (threads, chunk) => {
    const d = dataset()
    const c = modelConfigFor(d, { dModel: 32, nHeads: 2, dHead: 16, dMlp: 64 })
    const params = initParams(c, 4)
    const batch = prepareBatch(c, d.train.tokens, d.train.labels)
    const want = lossAndGrads(c, params, batch)
    const pool = await startPool(c, d.train.tokens, d.train.labels, threads, chunk)
    const before = tf.memory().numTensors
    for (let i = 0; i < 3; i++) {
      const got = await pool.lossAndGrads(params)
      expect(Math.abs(got.loss.dataSync()[0]! - want.loss.dataSync()[0]!)).toBeLessThan(1e-5)
      for (const [name, g] of Object.entries(want.grads)) {
        const err = tf.tidy(() => tf.max(tf.abs(tf.sub(got.grads[name]!, g))).dataSync()[0]!)
        const scale = tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]!)
        expect(err, name).toBeLessThan(1e-5 * Math.max(scale, 1e-2))
      }
      tf.dispose([got.loss, ...Object.values(got.grads)])
    }
    expect(tf.memory().numTensors).toBe(before)
    await pool.close()
    tf.dispose([want.loss, want.logits, ...Object.values(want.grads)])
    disposeInputs(batch)
    disposeParams(params)
  }, 60_000)
})

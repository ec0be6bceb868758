import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { disposeParams, initParams, paperConfig, toHost } from '@grokscope/model'
import { allPairsOutputs, allPairsOutputsAsync } from '../src/index.js'

describe('all-pairs outputs', () => {
  it('in chunks of any size equal one forward pass over all p² pairs, and leave no tensor behind', () => {
    const p = 7
    const c = paperConfig({ dVocab: p + 1, nOut: p, dModel: 16, nHeads: 2, dHead: 8, dMlp: 24 })
    const params = initParams(c, 5)
    const host = toHost(params)
    disposeParams(params)
    const want = allPairsOutputs(c, host, p, 0)
    expect(want.logits).toHaveLength(p * p * p)
    expect(want.acts).toHaveLength(p * p * c.dMlp)
    const before = tf.memory().numTensors
    fc.assert(
      fc.property(fc.integer({ min: 1, max: p * p + 3 }), (chunk) => {
        const got = allPairsOutputs(c, host, p, 0, chunk)
        got.logits.forEach((x, i) => expect(Math.abs(x - want.logits[i]!)).toBeLessThan(1e-5 * (1 + Math.abs(want.logits[i]!))))
        got.acts.forEach((x, i) => expect(Math.abs(x - want.acts[i]!)).toBeLessThan(1e-5 * (1 + Math.abs(want.acts[i]!))))
        expect(tf.memory().numTensors).toBe(before)
      }),
      { numRuns: 15 },
    )
  }, 60_000)

  it('read back asynchronously, equal the synchronous read exactly, in chunks too', async () => {
    const p = 7
    const c = paperConfig({ dVocab: p + 1, nOut: p, dModel: 16, nHeads: 2, dHead: 8, dMlp: 24 })
    const params = initParams(c, 6)
    const host = toHost(params)
    disposeParams(params)
    const before = tf.memory().numTensors
    for (const chunk of [Infinity, 10]) {
      expect(await allPairsOutputsAsync(c, host, p, 0, chunk)).toEqual(allPairsOutputs(c, host, p, 0, chunk))
    }
    expect(tf.memory().numTensors).toBe(before)
  })
})

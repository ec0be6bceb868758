// Host copies of the weights: read synchronously (toHost) or asynchronously (readHost, what WebGPU needs), the same values.
import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { disposeParams, initParams, paperConfig, readHost, toHost } from '../src/index.js'

describe('readHost', () => {
  it('gives the weights toHost gives, shapes and float32 values, and makes no tensor', async () => {
    const c = paperConfig({ dVocab: 8, nOut: 7, dModel: 16, nHeads: 2, dHead: 8, dMlp: 24 })
    const params = initParams(c, 4)
    const before = tf.memory().numTensors
    const host = await readHost(params)
    expect(tf.memory().numTensors).toBe(before)
    expect(host).toEqual(toHost(params))
    expect(Object.values(host).every((w) => w.data instanceof Float32Array)).toBe(true)
    disposeParams(params)
  })
})

import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import {
  decodeWeightsFile,
  disposeInputs,
  disposeParams,
  encodeWeightsFile,
  forward,
  fromHost,
  initParams,
  paperConfig,
  prepareInputs,
  toHost,
} from '../src/index.js'
import { FIXTURES, fixturePath } from '../../../test-support/fixtures.js'

describe.each(FIXTURES)('parity with the PyTorch fixture %s', (name) => {
  const fx = JSON.parse(readFileSync(fixturePath(name), 'utf8')) as { probe_inputs: number[][]; probe_logits: number[][] }

  it('the probe logits match within 1e-3', () => {
    const file = decodeWeightsFile(fx)
    if (E.isLeft(file)) throw new Error(file.left)
    const { config, host } = file.right
    const params = fromHost(config, host)
    const inputs = prepareInputs(config, Int32Array.from(fx.probe_inputs.flat()))
    const logits = forward(config, params, inputs)
    const got = logits.arraySync()
    tf.dispose(logits)
    disposeInputs(inputs)
    disposeParams(params)
    const worst = Math.max(...fx.probe_logits.flatMap((row, i) => row.map((y, j) => Math.abs(y - got[i]![j]!))))
    expect(worst).toBeLessThan(1e-3)
  })
})

describe('weights file', () => {
  it.each([
    [{ nLayers: 1 }, 'W_Q'],
    [{ nLayers: 2, positionalEmbedding: true }, 'blocks.1.attn.W_Q'],
  ])('encode then decode gives back the config and the weights (%j)', (over, key) => {
    const config = paperConfig({ dVocab: 6, nOut: 5, dModel: 8, nHeads: 2, dHead: 4, dMlp: 8, ...over })
    const params = initParams(config, 3)
    const host = toHost(params)
    disposeParams(params)
    const doc = JSON.parse(JSON.stringify(encodeWeightsFile(config, host, { p: 5, ops: ['add'] }))) as { weights: Record<string, unknown> }
    expect(Object.keys(doc.weights)).toContain(key)
    const back = decodeWeightsFile(doc)
    expect(back).toEqual(E.right({ config, host, meta: expect.objectContaining({ p: 5, ops: ['add'] }) }))
  })

  it.each([
    [null, 'weights file: not an object with config and weights'],
    [{ config: { d_vocab: 6 }, weights: {} }, 'weights file: config.n_out is missing or not of the right type'],
    [
      { config: { d_vocab: 6, n_out: 5, d_model: 8, n_heads: 2, d_head: 4, d_mlp: 8 }, weights: {} },
      'weights file: weights.W_E is missing',
    ],
    [
      { config: { d_vocab: 0, n_out: 5, d_model: 8, n_heads: 2, d_head: 4, d_mlp: 8 }, weights: {} },
      'dVocab must be a positive integer, got 0',
    ],
    [
      { config: { d_vocab: 1, n_out: 1, d_model: 1, n_heads: 1, d_head: 1, d_mlp: 1, bias: true }, weights: {} },
      'config.layer_norm and config.bias must be false',
    ],
    [
      { config: { d_vocab: 1, n_out: 1, d_model: 1, n_heads: 1, d_head: 1, d_mlp: 1 }, weights: { W_E: [[1, 2]] } },
      'weights.W_E: expected 1 entries at depth 1 for shape [1,1]',
    ],
  ])('a bad file %j is rejected: %s', (doc, message) => {
    const r = decodeWeightsFile(doc)
    expect(E.isLeft(r) && r.left).toContain(message)
  })
})

import * as E from 'fp-ts/lib/Either.js'
import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { initParams, paperConfig, toHost } from '@grokscope/model'
import { TRAIN_STATE_FORMAT, decodeTrainState, disposeTrainState, encodeTrainState, initTrainState } from '../src/index.js'

const config = paperConfig({ dVocab: 8, nOut: 7, dModel: 8, nHeads: 2, dHead: 4, dMlp: 16 })

/** A state document of `config` at step 3, as JSON would give it back. */
const document = (): Record<string, unknown> => {
  const s = initTrainState(initParams(config, 1))
  const doc = JSON.parse(JSON.stringify({ ...encodeTrainState(s), step: 3 })) as Record<string, unknown>
  disposeTrainState(s)
  return doc
}

const left = (u: unknown): string => {
  const before = tf.memory().numTensors
  const r = decodeTrainState(u, config)
  expect(tf.memory().numTensors).toBe(before)
  if (E.isRight(r)) throw new Error('expected a Left')
  return r.left
}

describe('decodeTrainState', () => {
  it('gives back the encoded state bit for bit', () => {
    const s = initTrainState(initParams(config, 2))
    const r = decodeTrainState(JSON.parse(JSON.stringify(encodeTrainState(s))), config)
    if (E.isLeft(r)) throw new Error(r.left)
    expect(toHost(r.right.params)).toEqual(toHost(s.params))
    expect(toHost(r.right.v)).toEqual(toHost(s.v))
    expect(r.right.step).toBe(0)
    disposeTrainState(s)
    disposeTrainState(r.right)
  })

  it.each<[string, (d: Record<string, unknown>) => unknown, string]>([
    ['not an object', () => [1, 2], 'the document is [1,2] (expected a grokscope-train-state/1 document)'],
    ['another format', (d) => ({ ...d, format: 'x' }), `format is "x" (expected "${TRAIN_STATE_FORMAT}")`],
    ['a fractional step', (d) => ({ ...d, step: 1.5 }), 'step is 1.5 (expected an integer ≥ 0)'],
    ['a missing weight', (d) => ({ ...d, params: { ...(d.params as object), 'unembed.W_U': undefined } }), 'params.unembed.W_U is missing (expected { shape, f32 })'],
    ['a malformed extra weight', (d) => ({ ...d, m: { ...(d.m as object), W_X: 1 } }), 'm.W_X is 1 (expected { shape, f32 })'],
    ['an extra weight', (d) => ({ ...d, m: { ...(d.m as object), W_X: { shape: [1], f32: 'AAAAAA==' } } }), 'm.W_X is not a weight of this model'],
    ['a shape that is not the config’s', (d) => ({ ...d, params: { ...(d.params as object), 'embed.W_E': { shape: [8, 4], f32: 'AAAA' } } }), 'params.embed.W_E.shape is [8,4] (expected [8,8] from the config)'],
    ['truncated base64', (d) => ({ ...d, v: { ...(d.v as object), 'unembed.W_U': { shape: [8, 7], f32: 'AAAA' } } }), 'v.unembed.W_U.f32 holds 3 bytes (expected 224: 4 per float32 of shape [8,7])'],
    ['not base64', (d) => ({ ...d, v: { ...(d.v as object), 'unembed.W_U': { shape: [8, 7], f32: `AA*${'A'.repeat(296)}=` } } }), 'v.unembed.W_U.f32 is not base64 float32'],
  ])('%s is a Left naming the field, and makes no tensor', (_, mutate, message) => {
    expect(left(mutate(document()))).toContain(message)
  })

  it('without a config, the moments must still have the weights’ names and shapes', () => {
    const d = document()
    const m = d.m as Record<string, { shape: number[]; f32: string }>
    const r = decodeTrainState({ ...d, m: { ...m, 'embed.W_E': { shape: [64], f32: m['embed.W_E']!.f32 } } })
    expect(r).toEqual(E.left('m.embed.W_E.shape is [64] (expected [8,8] from params)'))
  })
})

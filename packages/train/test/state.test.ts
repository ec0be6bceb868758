import * as E from 'fp-ts/lib/Either.js'
import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { disposeParams, initParams, paperConfig, toHost } from '@grokscope/model'
import {
  PAPER_ADAMW,
  TRAIN_STATE_FORMAT,
  decodeTrainState,
  disposeTrainState,
  encodeTrainState,
  encodeTrainStateAsync,
  initTrainState,
  optimizerStep,
} from '../src/index.js'

const config = paperConfig({ dVocab: 8, nOut: 7, dModel: 8, nHeads: 2, dHead: 4, dMlp: 16 })

/** A state document of `config` at step 3, as JSON would give it back. */
const document = (): Record<string, unknown> => {
  const s = initTrainState(initParams(config, 1))
  const doc = JSON.parse(JSON.stringify({ ...encodeTrainState(s), step: 3 })) as Record<string, unknown>
  disposeTrainState(s)
  return doc
}

type Doc = Record<string, unknown>
/** The document with AdamW's slot `k` (`m` or `v`) replaced by `f` of it. */
const withSlot = (d: Doc, k: 'm' | 'v', f: (slot: object) => object): Doc => {
  const [x] = d.opt as Array<{ count: number; slots: Record<string, object> }>
  return { ...d, opt: [{ ...x!, slots: { ...x!.slots, [k]: f(x!.slots[k]!) } }] }
}

const left = (u: unknown): string => {
  const before = tf.memory().numTensors
  const r = decodeTrainState(u, config)
  expect(tf.memory().numTensors).toBe(before)
  if (E.isRight(r)) throw new Error('expected a Left')
  return r.left
}

describe('encodeTrainStateAsync', () => {
  it('gives the document encodeTrainState gives (weights and the optimiser’s slots, read asynchronously)', async () => {
    const s = initTrainState(initParams(config, 2))
    const grads = initParams(config, 3)
    const next = optimizerStep(PAPER_ADAMW, s, grads)
    disposeParams(grads)
    expect(await encodeTrainStateAsync(next)).toEqual(encodeTrainState(next))
    expect(await encodeTrainStateAsync(s)).toEqual(encodeTrainState(s))
    disposeTrainState(s)
    disposeTrainState(next)
  })
})

describe('decodeTrainState', () => {
  it('gives back the encoded state bit for bit', () => {
    const s = initTrainState(initParams(config, 2))
    const r = decodeTrainState(JSON.parse(JSON.stringify(encodeTrainState(s))), config)
    if (E.isLeft(r)) throw new Error(r.left)
    expect(toHost(r.right.params)).toEqual(toHost(s.params))
    expect(toHost(r.right.opt[0]!.slots.v!)).toEqual(toHost(s.opt[0]!.slots.v!))
    expect(r.right.step).toBe(0)
    disposeTrainState(s)
    disposeTrainState(r.right)
  })

  it.each<[string, (d: Record<string, unknown>) => unknown, string]>([
    ['not an object', () => [1, 2], `the document is [1,2] (expected a ${TRAIN_STATE_FORMAT} document)`],
    ['another format', (d) => ({ ...d, format: 'x' }), `format is "x" (expected "${TRAIN_STATE_FORMAT}")`],
    ['a fractional step', (d) => ({ ...d, step: 1.5 }), 'step is 1.5 (expected an integer ≥ 0)'],
    [
      'a missing weight',
      (d) => ({ ...d, params: { ...(d.params as object), 'unembed.W_U': undefined } }),
      'params.unembed.W_U is missing (expected { shape, f32 })',
    ],
    ['a malformed extra weight', (d) => withSlot(d, 'm', (m) => ({ ...m, W_X: 1 })), 'opt.0.slots.m.W_X is 1 (expected { shape, f32 })'],
    [
      'an extra weight',
      (d) => withSlot(d, 'm', (m) => ({ ...m, W_X: { shape: [1], f32: 'AAAAAA==' } })),
      'opt.0.slots.m.W_X is not a weight of this model',
    ],
    [
      'a shape that is not the config’s',
      (d) => ({ ...d, params: { ...(d.params as object), 'embed.W_E': { shape: [8, 4], f32: 'AAAA' } } }),
      'params.embed.W_E.shape is [8,4] (expected [8,8] from the config)',
    ],
    [
      'truncated base64',
      (d) => withSlot(d, 'v', (v) => ({ ...v, 'unembed.W_U': { shape: [8, 7], f32: 'AAAA' } })),
      'opt.0.slots.v.unembed.W_U.f32 holds 3 bytes (expected 224: 4 per float32 of shape [8,7])',
    ],
    [
      'not base64',
      (d) => withSlot(d, 'v', (v) => ({ ...v, 'unembed.W_U': { shape: [8, 7], f32: `AA*${'A'.repeat(296)}=` } })),
      'opt.0.slots.v.unembed.W_U.f32 is not base64 float32',
    ],
    ['a malformed optimiser state', (d) => ({ ...d, opt: [{ count: -1, slots: {} }] }), 'opt.0.count is -1 (expected an integer ≥ 0)'],
  ])('%s is a Left naming the field, and makes no tensor', (_, mutate, message) => {
    expect(left(mutate(document()))).toContain(message)
  })

  it('without a config, the moments must still have the weights’ names and shapes', () => {
    const d = withSlot(document(), 'm', (m) => ({ ...m, 'embed.W_E': { shape: [64], f32: 'A'.repeat(344) } }))
    expect(decodeTrainState(d)).toEqual(E.left('opt.0.slots.m.embed.W_E.shape is [64] (expected [8,8] from params)'))
  })

  it('a first-format document (AdamW’s m and v) decodes as the AdamW chain’s state at its step', () => {
    const s = initTrainState(initParams(config, 3))
    const grads = initParams(config, 4)
    const s1 = optimizerStep(PAPER_ADAMW, s, grads)
    const doc = encodeTrainState(s1)
    const old = { format: 'grokscope-train-state/1', step: doc.step, params: doc.params, m: doc.opt[0]!.slots.m, v: doc.opt[0]!.slots.v }
    const r = decodeTrainState(JSON.parse(JSON.stringify(old)), config, PAPER_ADAMW)
    if (E.isLeft(r)) throw new Error(r.left)
    expect(r.right.opt.map((x) => x.count)).toEqual([1])
    expect(encodeTrainState(r.right)).toEqual(doc)
    tf.dispose(Object.values(grads))
    for (const x of [s, s1, r.right]) disposeTrainState(x)
  })

  it('given the optimiser, a state of another chain is a Left', () => {
    const ema = { ...PAPER_ADAMW, filters: [{ kind: 'grokfast-ema' as const, alpha: 0.98, lambda: 2 }] }
    const before = tf.memory().numTensors
    expect(decodeTrainState(document(), config, ema)).toEqual(E.left('opt holds 1 transformation states (expected 2 for this optimiser)'))
    const ma = { ...PAPER_ADAMW, filters: [{ kind: 'grokfast-ma' as const, window: 5, lambda: 5 }] }
    const d = document()
    expect(decodeTrainState({ ...d, opt: [{ count: 2, slots: {} }, ...(d.opt as unknown[])] }, config, ma)).toEqual(
      E.left('opt.0.slots are [] (expected [0,1] for this optimiser)'),
    )
    expect(tf.memory().numTensors).toBe(before)
  })
})

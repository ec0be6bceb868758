import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type HostParams,
  type ModelConfig,
  disposeCache,
  disposeInputs,
  disposeParams,
  forward,
  fromHost,
  hookNames,
  hookShapes,
  initParams,
  paperConfig,
  prepareInputs,
  runWithCache,
  toHost,
  usesVocabularyTables,
} from '../src/index.js'
import { tiny } from './arbitraries.js'
import { type RefTensor, referenceRunWithCache } from '../../../test-support/reference.js'


const VARIANTS: ReadonlyArray<[string, Partial<ModelConfig>]> = [
  ['one layer (the paper)', {}],
  ['one layer, positional embedding', { positionalEmbedding: true }],
  ['two layers, GELU', { nLayers: 2, act: 'gelu' }],
  ['two layers, positional embedding, 3 heads, n_ctx 4', { nLayers: 2, positionalEmbedding: true, nHeads: 3, nCtx: 4 }],
]

/** The hooks of one block, as TransformerLens names them (`blocks.{l}.` + these). */
const BLOCK_HOOKS = [
  'hook_resid_pre',
  'attn.hook_q',
  'attn.hook_k',
  'attn.hook_v',
  'attn.hook_attn_scores',
  'attn.hook_pattern',
  'attn.hook_z',
  'hook_attn_out',
  'hook_resid_mid',
  'mlp.hook_pre',
  'mlp.hook_post',
  'hook_mlp_out',
  'hook_resid_post',
] as const

/** The documented shape of a hook, from its name alone. */
const documentedShape = (c: ModelConfig, batch: number, name: string): ReadonlyArray<number> => {
  const [B, T] = [batch, c.nCtx]
  if (/attn\.hook_[qkvz]$/.test(name)) return [B, T, c.nHeads, c.dHead] // [batch, pos, head_index, d_head]
  if (/attn\.hook_(attn_scores|pattern)$/.test(name)) return [B, c.nHeads, T, T] // [batch, head_index, query_pos, key_pos]
  if (/mlp\.hook_(pre|post)$/.test(name)) return [B, T, c.dMlp] // [batch, pos, d_mlp]
  return [B, T, c.dModel] // [batch, pos, d_model]
}

const randomTokens = (c: ModelConfig, n: number, seed: number): number[][] => {
  let s = seed
  const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s >>> 8)
  return Array.from({ length: n }, () => Array.from({ length: c.nCtx }, () => next() % c.dVocab))
}

/** Seeded weights on the host, scaled by `gain` (above 1: attention far from uniform). */
const hostWeights = (c: ModelConfig, seed: number, gain: number): HostParams => {
  const params = initParams(c, seed)
  const host = Object.fromEntries(Object.entries(toHost(params)).map(([k, w]) => [k, { ...w, data: w.data.map((x) => x * gain) }]))
  disposeParams(params)
  return host
}

/** Runs `runWithCache` and reads everything back to the host, disposing every tensor. */
const cachedOnHost = (c: ModelConfig, host: HostParams, tokens: number[][]) => {
  const params = fromHost(c, host)
  const inputs = prepareInputs(c, Int32Array.from(tokens.flat()))
  const { logits, cache } = runWithCache(c, params, inputs)
  const read = (t: tf.Tensor) => ({ shape: t.shape, data: Float64Array.from(t.dataSync()) })
  const out = {
    logits: read(logits),
    cache: Object.fromEntries(Object.entries(cache).map(([k, t]) => [k, read(t)])),
    keys: Object.keys(cache),
  }
  disposeCache(cache)
  tf.dispose(logits)
  disposeInputs(inputs)
  disposeParams(params)
  return out
}

/** The largest difference (equal infinities count as 0; a mismatched infinity or NaN as Infinity). */
const worstDifference = (got: ArrayLike<number>, want: ArrayLike<number>): number => {
  let worst = 0
  for (let i = 0; i < want.length; i++) {
    const [g, w] = [got[i]!, want[i]!]
    const diff = g === w ? 0 : Number.isFinite(w) ? Math.abs(g - w) : Infinity
    worst = Math.max(worst, Number.isNaN(diff) ? Infinity : diff)
  }
  return worst
}

const largest = (x: ArrayLike<number>): number => Array.from(x).reduce((m, y) => (Number.isFinite(y) ? Math.max(m, Math.abs(y)) : m), 0)

describe.each(VARIANTS)('runWithCache (%s)', (_, over) => {
  const c = tiny(over)

  it('returns exactly hookNames(config), in pass order, each with its documented shape', () => {
    const expected = [
      'hook_embed',
      ...(c.positionalEmbedding ? ['hook_pos_embed'] : []),
      ...Array.from({ length: c.nLayers }, (_, l) => BLOCK_HOOKS.map((h) => `blocks.${l}.${h}`)).flat(),
    ]
    expect(hookNames(c)).toEqual(expected)
    expect(hookShapes(c, 5)).toEqual(expected.map((name) => [name, documentedShape(c, 5, name)]))
    const got = cachedOnHost(c, hostWeights(c, 0, 1), randomTokens(c, 5, 1))
    expect(got.keys).toEqual(expected)
    for (const name of expected) expect(got.cache[name]!.shape, name).toEqual(documentedShape(c, 5, name))
    expect(got.logits.shape).toEqual([5, c.nCtx, c.nOut])
  })

  it('every cached activation and the logits at every position equal the float64 reference', () => {
    fc.assert(
      fc.property(fc.nat(), (seed) => {
        const host = hostWeights(c, seed % 1000, c.nLayers === 1 ? 3 : 1.5)
        const tokens = randomTokens(c, 6, seed)
        const got = cachedOnHost(c, host, tokens)
        const want = referenceRunWithCache(c, host, tokens)
        const check = (name: string, g: { shape: ReadonlyArray<number>; data: Float64Array }, w: RefTensor | undefined) => {
          expect(w, name).toBeDefined()
          expect(g.shape, name).toEqual(w!.shape)
          // float32 through up to two blocks: within 1e-4 of the tensor’s largest entry (or of 1). A wiring mistake is off by
          // O(1); float32 rounding, amplified by the second block’s softmax, was seen up to 2.3e-5 (3 heads, n_ctx 4) over
          // 6,000 seeds per variant, and once failed CI at 1e-5.
          expect(worstDifference(g.data, w!.data), name).toBeLessThanOrEqual(1e-4 * Math.max(1, largest(w!.data)))
        }
        expect(Object.keys(want.cache).sort()).toEqual([...got.keys].sort())
        for (const name of got.keys) check(name, got.cache[name]!, want.cache[name])
        check('logits', got.logits, want.logits)
      }),
      { numRuns: Number(process.env.GROKSCOPE_RUNS ?? 10) },
    )
  })
})

describe('runWithCache and the fast paths', () => {
  it.each([
    ['the paper’s configuration (vocabulary tables)', paperConfig({ dVocab: 12, nOut: 11 }), true, 2],
    ['the general path (two layers, positional embedding, GELU)', tiny({ nLayers: 2, positionalEmbedding: true, act: 'gelu' }), false, 1.5],
  ])('the last position’s logits equal forward’s on %s', (_, c, tables, gain) => {
    expect(usesVocabularyTables(c)).toBe(tables)
    const params = fromHost(c, hostWeights(c, 4, gain))
    const inputs = prepareInputs(c, Int32Array.from(randomTokens(c, 40, 2).flat()))
    const fast = forward(c, params, inputs)
    const run = runWithCache(c, params, inputs)
    const [worst, scale] = tf.tidy(() => {
      const last = tf.reshape(tf.slice(run.logits, [0, c.nCtx - 1, 0], [inputs.size, 1, c.nOut]), [inputs.size, c.nOut])
      return [tf.max(tf.abs(tf.sub(last, fast))).dataSync()[0]!, tf.max(tf.abs(fast)).dataSync()[0]!]
    })
    expect(worst).toBeLessThan(1e-5 * Math.max(1, scale))
    disposeCache(run.cache)
    tf.dispose([run.logits, fast])
    disposeInputs(inputs)
    disposeParams(params)
  })
})

describe('runWithCache memory', () => {
  it.each(VARIANTS)('returns one new tensor per hook plus the logits, and disposing them leaves none behind (%s)', (_, over) => {
    const c = tiny(over)
    const params = initParams(c, 0)
    const inputs = prepareInputs(c, Int32Array.from(randomTokens(c, 8, 3).flat()))
    const before = tf.memory().numTensors
    for (let i = 0; i < 5; i++) {
      const { logits, cache } = runWithCache(c, params, inputs)
      expect(tf.memory().numTensors).toBe(before + hookNames(c).length + 1)
      disposeCache(cache)
      logits.dispose()
      expect(tf.memory().numTensors).toBe(before)
    }
    disposeInputs(inputs)
    disposeParams(params)
  })

  it('every hook is its own tensor: disposing one leaves the others readable', () => {
    const c = tiny({})
    const params = initParams(c, 0)
    const inputs = prepareInputs(c, Int32Array.from(randomTokens(c, 4, 5).flat()))
    const { logits, cache } = runWithCache(c, params, inputs)
    const residPre = cache['blocks.0.hook_resid_pre']!.dataSync().slice()
    cache['hook_embed']!.dispose()
    expect(cache['blocks.0.hook_resid_pre']!.isDisposed).toBe(false)
    expect(Array.from(cache['blocks.0.hook_resid_pre']!.dataSync())).toEqual(Array.from(residPre))
    disposeCache(cache)
    logits.dispose()
    disposeInputs(inputs)
    disposeParams(params)
  })
})

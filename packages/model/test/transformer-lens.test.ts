// TransformerLens checkpoints: names and layouts of a HookedTransformer, round trips, and what a PyTorch file may hold.
import { isDeepStrictEqual } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type HostParams,
  type HostTensor,
  type ModelConfig,
  decodeCheckpointConfig,
  decodeTransformerLensCheckpoint,
  encodeSafetensors,
  encodeTransformerLensCheckpoint,
  hookedTransformerConfig,
  paperConfig,
  paramShapes,
  transformerLensState,
} from '../src/index.js'
import { rawSafetensors, tiny } from './arbitraries.js'

const RUNS = 60

/** Deterministic weights of a config, all non-zero. */
const hostOf = (c: ModelConfig, seed = 1): HostParams => {
  let s = seed
  const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), Math.fround((s / 2 ** 32) * 2 - 1) || 0.5)
  return Object.fromEntries(
    paramShapes(c).map(([name, shape]) => [name, { shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, next) }]),
  )
}

const configs: fc.Arbitrary<ModelConfig> = fc.record({
  nLayers: fc.integer({ min: 1, max: 3 }),
  positionalEmbedding: fc.boolean(),
  act: fc.constantFrom('relu' as const, 'gelu' as const),
  nHeads: fc.integer({ min: 1, max: 3 }),
  dHead: fc.integer({ min: 1, max: 4 }),
}).map((o) => tiny(o))

const TASK = { p: 5, ops: ['add', 'mul'], op_tokens: [5, 6], seed: 3, frac: 0.5 }

const sameHost = (a: HostParams, b: HostParams): boolean =>
  Object.keys(a).length === Object.keys(b).length &&
  Object.entries(a).every(
    ([k, w]) => b[k] !== undefined && b[k].shape.join(',') === w.shape.join(',') && b[k].data.every((x, i) => Object.is(x, w.data[i])),
  )

/** A checkpoint's state dict with `changes` applied (undefined removes a key), encoded with its config. */
const edited = (c: ModelConfig, changes: Readonly<Record<string, HostTensor | undefined>>): Uint8Array => {
  const state: Record<string, HostTensor> = { ...transformerLensState(c, hostOf(c)) }
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete state[k]
    else state[k] = v
  }
  return encodeSafetensors(state)
}

const CONFIG = { hooked_transformer_config: hookedTransformerConfig(tiny({})), task: TASK }

describe('TransformerLens checkpoints', () => {
  it('the paper’s model has exactly the HookedTransformer state dict names and layouts', () => {
    const c = paperConfig({ dVocab: 98, nOut: 97 })
    const shapes = Object.fromEntries(Object.entries(transformerLensState(c, hostOf(c))).map(([k, w]) => [k, w.shape.join('x')]))
    expect(shapes).toEqual({
      'embed.W_E': '98x128',
      'pos_embed.W_pos': '3x128',
      'blocks.0.attn.W_Q': '4x128x32',
      'blocks.0.attn.W_K': '4x128x32',
      'blocks.0.attn.W_V': '4x128x32',
      'blocks.0.attn.W_O': '4x32x128',
      'blocks.0.attn.b_Q': '4x32',
      'blocks.0.attn.b_K': '4x32',
      'blocks.0.attn.b_V': '4x32',
      'blocks.0.attn.b_O': '128',
      'blocks.0.mlp.W_in': '128x512',
      'blocks.0.mlp.W_out': '512x128',
      'blocks.0.mlp.b_in': '512',
      'blocks.0.mlp.b_out': '128',
      'unembed.W_U': '128x97',
      'unembed.b_U': '97',
    })
  })

  it('writes the HookedTransformerConfig fields of the model', () => {
    expect(hookedTransformerConfig(paperConfig({ dVocab: 98, nOut: 97 }), 'm')).toEqual({
      n_layers: 1, d_model: 128, n_ctx: 3, d_head: 32, n_heads: 4, d_mlp: 512, d_vocab: 98, d_vocab_out: 97,
      act_fn: 'relu', normalization_type: null, positional_embedding_type: 'standard', attention_dir: 'causal',
      attn_only: false, use_attn_scale: true, attn_scale: Math.sqrt(32), model_name: 'm',
    })
  })

  it('decode(encode(model)) gives the same config, weights and task, with config.json or from the metadata alone', () => {
    fc.assert(
      fc.property(configs, (c) => {
        const host = hostOf(c)
        const { safetensors, config } = encodeTransformerLensCheckpoint(c, host, TASK)
        const withConfig = decodeTransformerLensCheckpoint(safetensors, JSON.parse(JSON.stringify(config)))
        const alone = decodeTransformerLensCheckpoint(safetensors)
        return [withConfig, alone].every(
          (r) =>
            E.isRight(r) && isDeepStrictEqual(r.right.config, c) && sameHost(r.right.host, host) && isDeepStrictEqual(r.right.meta, TASK),
        )
      }),
      { numRuns: RUNS },
    )
  })

  it('ignores keys it does not use: the attention buffers mask (BOOL) and IGNORE, and others', () => {
    const c = tiny({})
    const state = transformerLensState(c, hostOf(c))
    const f32 = (w: HostTensor) => new Uint8Array(w.data.buffer)
    const bytes = rawSafetensors([
      ...Object.entries(state).map(([name, w]) => ({ name, dtype: 'F32', shape: w.shape, bytes: f32(w) })),
      { name: 'blocks.0.attn.mask', dtype: 'BOOL', shape: [3, 3], bytes: Uint8Array.of(1, 0, 0, 1, 1, 0, 1, 1, 1) },
      { name: 'blocks.0.attn.IGNORE', dtype: 'F32', shape: [], bytes: new Uint8Array(Float32Array.of(-Infinity).buffer) },
      { name: 'hook_something.extra', dtype: 'I64', shape: [1], bytes: new Uint8Array(8) },
    ])
    const r = decodeTransformerLensCheckpoint(bytes, CONFIG)
    expect(E.isRight(r) && sameHost(r.right.host, hostOf(c))).toBe(true)
  })

  it('a non-zero W_pos turns on the positional embedding; a zero one is the paper’s model', () => {
    const c = tiny({})
    const W_pos = { shape: [3, 8], data: Float32Array.from({ length: 24 }, (_, i) => i / 10) }
    const r = decodeTransformerLensCheckpoint(edited(c, { 'pos_embed.W_pos': W_pos }), CONFIG)
    expect(E.isRight(r) && r.right.config.positionalEmbedding && r.right.host['pos_embed.W_pos']!.data[5]).toBeCloseTo(0.5)
    const zero = decodeTransformerLensCheckpoint(edited(c, {}), CONFIG)
    expect(E.isRight(zero) && !zero.right.config.positionalEmbedding && !('pos_embed.W_pos' in zero.right.host)).toBe(true)
  })

  it('a missing, misshapen or non-float32 weight, a non-zero bias or a LayerNorm weight is a one-line Left naming it', () => {
    const c = tiny({})
    const cases: Array<[Readonly<Record<string, HostTensor | undefined>>, string]> = [
      [{ 'blocks.0.attn.W_Q': undefined }, 'safetensors: blocks.0.attn.W_Q is missing'],
      [
        { 'blocks.0.mlp.W_in': { shape: [12, 8], data: new Float32Array(96) } },
        'safetensors: blocks.0.mlp.W_in has shape [12,8], the config needs [8,12]',
      ],
      [
        { 'blocks.0.mlp.b_in': { shape: [12], data: new Float32Array(12).fill(0.1) } },
        'safetensors: blocks.0.mlp.b_in is not zero (grokscope’s model has no biases; allowed: zeros)',
      ],
      [{ 'unembed.b_U': { shape: [4], data: new Float32Array(4) } }, 'safetensors: unembed.b_U has shape [4], the config needs [5]'],
      [
        { 'blocks.0.ln1.w': { shape: [8], data: new Float32Array(8).fill(1) } },
        'safetensors: blocks.0.ln1.w is a LayerNorm weight (grokscope’s model has no LayerNorm: normalization_type must be null)',
      ],
      [{ 'embed.W_E': { shape: [7, 8], data: new Float32Array(56).fill(NaN) } }, 'safetensors: embed.W_E holds a value that is not finite'],
    ]
    for (const [changes, message] of cases) expect(decodeTransformerLensCheckpoint(edited(c, changes), CONFIG)).toEqual(E.left(message))
    const bf16 = rawSafetensors([{ name: 'embed.W_E', dtype: 'BF16', shape: [7, 8], bytes: new Uint8Array(112) }])
    expect(decodeTransformerLensCheckpoint(bf16, CONFIG)).toEqual(
      E.left('safetensors: embed.W_E has dtype BF16 (allowed: F32; in PyTorch, save it with .float())'),
    )
  })

  it('a config grokscope’s model cannot be is a Left naming the field and what is allowed', () => {
    const base = hookedTransformerConfig(tiny({}))
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...base, normalization_type: 'LN' }, 'config: normalization_type is "LN" (allowed: null: grokscope’s model has no LayerNorm)'],
      [{ ...base, act_fn: 'gelu_new' }, 'config: act_fn is "gelu_new" (allowed: relu, gelu)'],
      [{ ...base, positional_embedding_type: 'rotary' }, 'config: positional_embedding_type is "rotary" (allowed: standard)'],
      [{ ...base, attn_scale: 1 }, 'config: attn_scale is 1 (allowed: √d_head = 2, or -1 for that default)'],
      [{ ...base, d_model: '8' }, 'config: d_model is missing or not a number'],
      [{ ...base, d_mlp: 0 }, 'config: dMlp must be a positive integer, got 0'],
    ]
    for (const [cfg, message] of cases) expect(decodeCheckpointConfig({ hooked_transformer_config: cfg })).toEqual(E.left(message))
    // The HookedTransformerConfig fields at the top level (a config.json written from Python) are read too; attn_scale -1 is the default.
    expect(E.isRight(decodeCheckpointConfig({ ...base, attn_scale: -1 }))).toBe(true)
    expect(decodeCheckpointConfig([1])).toEqual(E.left('config: not a JSON object'))
  })
})

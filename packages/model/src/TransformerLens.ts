/**
 * TransformerLens checkpoints: a model as a `HookedTransformer` state dict (safetensors,
 * float32) and the `HookedTransformerConfig` fields that rebuild it, and back.
 *
 * grokscope's model is a `HookedTransformer` with `normalization_type: null`, zero biases,
 * causal attention scaled by `1/√d_head`, and (for the paper's model) a zero `W_pos`.
 * Written: every weight under its state-dict name and layout, the biases TransformerLens
 * has (`b_Q/b_K/b_V [n_heads, d_head]`, `b_O [d_model]`, `b_in [d_mlp]`, `b_out [d_model]`,
 * `b_U [d_vocab_out]`) as zeros, and `pos_embed.W_pos [n_ctx, d_model]` as zeros when the
 * model has no positional embedding. Read: the same names; other keys (the attention
 * buffers `mask` and `IGNORE`, …) are ignored, a bias that is not zero or a LayerNorm
 * weight is a `Left` (grokscope's model has neither), and a non-zero `W_pos` turns the
 * positional embedding on.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { decodeTransformerLensCheckpoint, encodeTransformerLensCheckpoint, initParams, paperConfig, toHost } from '@grokscope/model'
 * const modelConfig = paperConfig({ dVocab: 32, nOut: 31 })
 * const host = toHost(initParams(modelConfig, 0))
 * const { safetensors, config } = encodeTransformerLensCheckpoint(modelConfig, host, { p: 31, ops: ['add'], seed: 0 })
 * decodeTransformerLensCheckpoint(safetensors, config) // => E.right({ config: modelConfig, host, meta: { p: 31, ops: ['add'], seed: 0 } })
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import type { WeightsFile } from './Checkpoint.js'
import { type ModelConfig, configProblems } from './Config.js'
import { type HostParams, type HostTensor, paramShapes } from './Params.js'
import { type SafetensorsFile, decodeSafetensors, encodeSafetensors, float32Tensor } from './Safetensors.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** The `HookedTransformerConfig` keyword arguments that rebuild grokscope's model. */
export interface HookedTransformerConfigFields {
  readonly n_layers: number
  readonly d_model: number
  readonly n_ctx: number
  readonly d_head: number
  readonly n_heads: number
  readonly d_mlp: number
  readonly d_vocab: number
  readonly d_vocab_out: number
  readonly act_fn: 'relu' | 'gelu'
  readonly normalization_type: null
  readonly positional_embedding_type: 'standard'
  readonly attention_dir: 'causal'
  readonly attn_only: false
  readonly use_attn_scale: true
  readonly attn_scale: number
  readonly model_name: string
}

/** config.json of an exported checkpoint. */
export interface CheckpointConfig {
  readonly format: string
  /** `HookedTransformerConfig(**hooked_transformer_config)` in Python. */
  readonly hooked_transformer_config: HookedTransformerConfigFields
  /** Whether `W_pos` is learned (`false`: it is zero, the paper's model). */
  readonly positional_embedding: boolean
  /** What the model was trained on: `p`, `ops`, `op_tokens`, `seed`, `frac`, … */
  readonly task: Readonly<Record<string, unknown>>
}

/** The `format` field of config.json. */
export const CHECKPOINT_FORMAT = 'grokscope TransformerLens checkpoint 1'

// ─────────────────────────────────────────────────────────────────────────────
// names
// ─────────────────────────────────────────────────────────────────────────────

/** The zero biases of a `HookedTransformer` of this config, name and shape. */
export const biasShapes = (c: ModelConfig): ReadonlyArray<readonly [string, ReadonlyArray<number>]> => [
  ...Array.from({ length: c.nLayers }, (_, l) => [
    [`blocks.${l}.attn.b_Q`, [c.nHeads, c.dHead]] as const,
    [`blocks.${l}.attn.b_K`, [c.nHeads, c.dHead]] as const,
    [`blocks.${l}.attn.b_V`, [c.nHeads, c.dHead]] as const,
    [`blocks.${l}.attn.b_O`, [c.dModel]] as const,
    [`blocks.${l}.mlp.b_in`, [c.dMlp]] as const,
    [`blocks.${l}.mlp.b_out`, [c.dModel]] as const,
  ]).flat(),
  ['unembed.b_U', [c.nOut]],
]

/** LayerNorm and RMSNorm weights (`blocks.0.ln1.w`, `ln_final.b`, …): grokscope's model has none. */
const NORM_WEIGHT = /(^|\.)ln(1|2|_final)\.(w|b)$/

const zeros = (shape: ReadonlyArray<number>): HostTensor => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) })

// ─────────────────────────────────────────────────────────────────────────────
// encoding
// ─────────────────────────────────────────────────────────────────────────────

/** The `HookedTransformerConfig` fields of a model. */
export const hookedTransformerConfig = (c: ModelConfig, modelName = 'grokscope'): HookedTransformerConfigFields => ({
  n_layers: c.nLayers,
  d_model: c.dModel,
  n_ctx: c.nCtx,
  d_head: c.dHead,
  n_heads: c.nHeads,
  d_mlp: c.dMlp,
  d_vocab: c.dVocab,
  d_vocab_out: c.nOut,
  act_fn: c.act,
  normalization_type: null,
  positional_embedding_type: 'standard',
  attention_dir: 'causal',
  attn_only: false,
  use_attn_scale: true,
  attn_scale: Math.sqrt(c.dHead),
  model_name: modelName,
})

/** The `HookedTransformer` state dict of a model: its weights, zero biases, and a zero `W_pos` if it has none. */
export const transformerLensState = (c: ModelConfig, host: HostParams): Readonly<Record<string, HostTensor>> => ({
  ...Object.fromEntries(paramShapes(c).map(([name]) => [name, host[name]!])),
  ...(c.positionalEmbedding ? {} : { 'pos_embed.W_pos': zeros([c.nCtx, c.dModel]) }),
  ...Object.fromEntries(biasShapes(c).map(([name, shape]) => [name, zeros(shape)])),
})

/**
 * A model as `model.safetensors` bytes and its config.json document. The safetensors
 * `__metadata__` holds `format: pt` (what PyTorch's loaders expect) and the same config
 * as a JSON string, so the file alone is enough for grokscope to read it back.
 */
export const encodeTransformerLensCheckpoint = (
  c: ModelConfig,
  host: HostParams,
  task: Readonly<Record<string, unknown>>,
  modelName = 'grokscope',
): { readonly safetensors: Uint8Array; readonly config: CheckpointConfig } => {
  const config: CheckpointConfig = {
    format: CHECKPOINT_FORMAT,
    hooked_transformer_config: hookedTransformerConfig(c, modelName),
    positional_embedding: c.positionalEmbedding,
    task,
  }
  return { safetensors: encodeSafetensors(transformerLensState(c, host), { format: 'pt', config: JSON.stringify(config) }), config }
}

// ─────────────────────────────────────────────────────────────────────────────
// decoding
// ─────────────────────────────────────────────────────────────────────────────

const HookedFields = t.intersection([
  t.type({
    n_layers: t.number,
    d_model: t.number,
    n_ctx: t.number,
    d_head: t.number,
    n_heads: t.number,
    d_mlp: t.number,
    d_vocab: t.number,
  }),
  t.partial({
    d_vocab_out: t.number,
    act_fn: t.unknown,
    normalization_type: t.unknown,
    positional_embedding_type: t.unknown,
    attention_dir: t.unknown,
    attn_only: t.unknown,
    use_attn_scale: t.unknown,
    attn_scale: t.unknown,
    gated_mlp: t.unknown,
    parallel_attn_mlp: t.unknown,
  }),
])

type Hooked = t.TypeOf<typeof HookedFields>

/** What grokscope's model cannot be: the first such setting, or undefined. */
const unsupported = (h: Hooked): string | undefined => {
  const is = (k: keyof Hooked, ok: ReadonlyArray<unknown>, allowed: string): string | undefined =>
    k in h && !ok.includes(h[k]) ? `${k} is ${JSON.stringify(h[k])?.slice(0, 30) ?? 'undefined'} (allowed: ${allowed})` : undefined
  return (
    is('act_fn', ['relu', 'gelu'], 'relu, gelu') ??
    is('normalization_type', [null], 'null: grokscope’s model has no LayerNorm') ??
    is('positional_embedding_type', ['standard'], 'standard') ??
    is('attention_dir', ['causal'], 'causal') ??
    is('attn_only', [false], 'false') ??
    is('use_attn_scale', [true], 'true') ??
    is('gated_mlp', [false], 'false') ??
    is('parallel_attn_mlp', [false], 'false') ??
    ('attn_scale' in h && h.attn_scale !== -1 &&
    !(typeof h.attn_scale === 'number' && Math.abs(h.attn_scale - Math.sqrt(h.d_head)) <= 1e-6 * Math.sqrt(h.d_head))
      ? `attn_scale is ${JSON.stringify(h.attn_scale)?.slice(0, 30) ?? 'undefined'} (allowed: √d_head = ${Math.sqrt(h.d_head)}, ` +
        `or -1 for that default)`
      : undefined)
  )
}

/**
 * A config.json document: grokscope's (`hooked_transformer_config` and `task`) or the
 * `HookedTransformerConfig` fields at the top level. `positionalEmbedding` is decided
 * by the weights (`W_pos` zero or not), so it is `false` here.
 */
export const decodeCheckpointConfig = (
  u: unknown,
): E.Either<string, { readonly config: ModelConfig; readonly task: Readonly<Record<string, unknown>> }> => {
  if (typeof u !== 'object' || u === null || Array.isArray(u)) return E.left('config: not a JSON object')
  const nested = 'hooked_transformer_config' in u ? u.hooked_transformer_config : u
  const fields = HookedFields.decode(nested)
  if (E.isLeft(fields)) {
    const key = fields.left[0]?.context.map((c) => c.key).filter((k) => k !== '' && !/^\d+$/.test(k)).at(-1) ?? ''
    return E.left(`config: ${key === '' ? 'hooked_transformer_config is not an object' : `${key} is missing or not a number`}`)
  }
  const h = fields.right
  const problem = unsupported(h)
  if (problem !== undefined) return E.left(`config: ${problem}`)
  const config: ModelConfig = {
    dVocab: h.d_vocab,
    nOut: h.d_vocab_out ?? h.d_vocab,
    nCtx: h.n_ctx,
    dModel: h.d_model,
    nHeads: h.n_heads,
    dHead: h.d_head,
    dMlp: h.d_mlp,
    nLayers: h.n_layers,
    act: h.act_fn === 'gelu' ? 'gelu' : 'relu',
    positionalEmbedding: false,
  }
  const problems = configProblems(config)
  if (problems.length > 0) return E.left(`config: ${problems[0]}`)
  const task = 'task' in u && t.UnknownRecord.is(u.task) ? u.task : {}
  return E.right({ config, task })
}

const sameShape = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): boolean => a.length === b.length && a.every((x, i) => x === b[i])

/** Tensor `name`, float32, of exactly `shape`. */
/** A float32 tensor of the config's shape; the shape is checked before its bytes are read (a reader may read them only then). */
const tensorOf = (file: SafetensorsFile, name: string, shape: ReadonlyArray<number>): E.Either<string, HostTensor> => {
  const entry = Object.hasOwn(file.tensors, name) ? file.tensors[name] : undefined
  if (entry?.dtype === 'F32' && !sameShape(entry.shape, shape)) {
    return E.left(`safetensors: ${name} has shape [${entry.shape.join(',')}], the config needs [${shape.join(',')}]`)
  }
  return float32Tensor(name)(file)
}

/**
 * The weights of a state dict, for a config from `decodeCheckpointConfig`. `Left` names
 * the tensor: missing, of another dtype or shape, a bias that is not zero, a LayerNorm weight.
 */
export const fromTransformerLensState = (
  c: ModelConfig,
  file: SafetensorsFile,
): E.Either<string, { readonly config: ModelConfig; readonly host: HostParams }> => {
  const norm = Object.keys(file.tensors).find((k) => NORM_WEIGHT.test(k))
  if (norm !== undefined) {
    return E.left(`safetensors: ${norm} is a LayerNorm weight (grokscope’s model has no LayerNorm: normalization_type must be null)`)
  }
  for (const [name, shape] of biasShapes(c)) {
    if (!(name in file.tensors)) continue
    const b = tensorOf(file, name, shape)
    if (E.isLeft(b)) return b
    if (b.right.data.some((x) => x !== 0)) {
      return E.left(`safetensors: ${name} is not zero (grokscope’s model has no biases; allowed: zeros)`)
    }
  }
  let positionalEmbedding = false
  const host: Record<string, HostTensor> = {}
  if ('pos_embed.W_pos' in file.tensors) {
    const w = tensorOf(file, 'pos_embed.W_pos', [c.nCtx, c.dModel])
    if (E.isLeft(w)) return w
    positionalEmbedding = w.right.data.some((x) => x !== 0)
    if (positionalEmbedding) host['pos_embed.W_pos'] = w.right
  }
  const config: ModelConfig = { ...c, positionalEmbedding }
  for (const [name, shape] of paramShapes(config)) {
    if (name === 'pos_embed.W_pos') continue
    const w = tensorOf(file, name, shape)
    if (E.isLeft(w)) return w
    if (!w.right.data.every(Number.isFinite)) return E.left(`safetensors: ${name} holds a value that is not finite`)
    host[name] = w.right
  }
  return E.right({ config, host })
}

/**
 * A checkpoint from its decoded safetensors file and its config.json document (parsed
 * JSON); without one, the config in the file's `__metadata__` (grokscope writes it there).
 * Each tensor's bytes are read only once its dtype and shape fit the config. `Left` is
 * one line naming what does not fit.
 */
export const decodeTransformerLensFile = (file: SafetensorsFile, configDocument?: unknown): E.Either<string, WeightsFile> => {
  let document = configDocument
  if (document === undefined) {
    const text = file.metadata.config
    if (text === undefined) {
      return E.left(
        'safetensors: no config.json beside the file and no config in its __metadata__ ' +
          '(write the HookedTransformerConfig fields to config.json)',
      )
    }
    try {
      document = JSON.parse(text)
    } catch {
      return E.left('safetensors: __metadata__.config is not JSON')
    }
  }
  const decoded = decodeCheckpointConfig(document)
  if (E.isLeft(decoded)) return decoded
  const weights = fromTransformerLensState(decoded.right.config, file)
  if (E.isLeft(weights)) return weights
  return E.right({ config: weights.right.config, host: weights.right.host, meta: decoded.right.task })
}

/** A checkpoint from its safetensors bytes and its config.json document: `decodeSafetensors`, then `decodeTransformerLensFile`. */
export const decodeTransformerLensCheckpoint = (bytes: Uint8Array, configDocument?: unknown): E.Either<string, WeightsFile> =>
  E.chain((file: SafetensorsFile) => decodeTransformerLensFile(file, configDocument))(decodeSafetensors(bytes))

/**
 * The weights file format: the PyTorch fixtures' JSON (`config` + `weights`
 * as nested arrays in TransformerLens layout + `shapes`). One loader serves the
 * fixtures and grokscope's own runs; Python reads them with `json.load`.
 *
 * A one-layer model without positional embedding uses the fixtures' short names
 * (`W_E`, `W_Q`, …, `W_U`); any other model uses TransformerLens's full names
 * (`embed.W_E`, `blocks.0.attn.W_Q`, …). Both are accepted when reading.
 *
 * @example
 * import { decodeWeightsFile, encodeWeightsFile, initParams, paperConfig, toHost } from '@grokscope/model'
 * const config = paperConfig({ dVocab: 8, nOut: 7 })
 * const text = JSON.stringify(encodeWeightsFile(config, toHost(initParams(config, 0)), { p: 7 }))  // weights.json
 * const file = decodeWeightsFile(JSON.parse(text))  // Right({ config, host, meta })
 * if (file._tag === 'Left') throw new Error(file.left)
 * file.right.config  // => config
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { type ModelConfig, configProblems, modelConfigDocument } from './Config.js'
import { type HostParams, type HostTensor, paramShapes } from './Params.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** A decoded weights file: the model's config, its weights, and the rest of `config` (task, training) untouched. */
export interface WeightsFile {
  readonly config: ModelConfig
  readonly host: HostParams
  readonly meta: Readonly<Record<string, unknown>>
}

const SHORT: Readonly<Record<string, string>> = {
  W_E: 'embed.W_E',
  W_pos: 'pos_embed.W_pos',
  W_Q: 'blocks.0.attn.W_Q',
  W_K: 'blocks.0.attn.W_K',
  W_V: 'blocks.0.attn.W_V',
  W_O: 'blocks.0.attn.W_O',
  W_in: 'blocks.0.mlp.W_in',
  W_out: 'blocks.0.mlp.W_out',
  W_U: 'unembed.W_U',
}
const LONG_TO_SHORT: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(SHORT).map(([s, l]) => [l, s]))

const ConfigFields = t.intersection([
  t.type({ d_vocab: t.number, n_out: t.number, d_model: t.number, n_heads: t.number, d_head: t.number, d_mlp: t.number }),
  t.partial({
    n_ctx: t.number,
    n_layers: t.number,
    act: t.keyof({ relu: null, gelu: null }),
    positional_embedding: t.boolean,
    layer_norm: t.boolean,
    bias: t.boolean,
  }),
])

const FileFields = t.type({ config: ConfigFields, weights: t.record(t.string, t.unknown) })

// ─────────────────────────────────────────────────────────────────────────────
// utils
// ─────────────────────────────────────────────────────────────────────────────

/** A value in an error message: numbers as they are, anything else by kind (a message stays one short line). */
const show = (x: unknown): string =>
  typeof x === 'number'
    ? String(x)
    : x === null
      ? 'null'
      : Array.isArray(x)
        ? 'an array'
        : typeof x === 'object'
          ? 'an object'
          : `a ${typeof x}`

/**
 * The row-major values of `nested`, which must be arrays of exactly `shape` holding
 * numbers finite in float32. Nothing is allocated before the structure is checked, so
 * the memory used is bounded by the parsed document itself, whatever the config claims.
 */
const flatten = (name: string, nested: unknown, shape: ReadonlyArray<number>): E.Either<string, Float32Array> => {
  const values: number[] = []
  const walk = (x: unknown, depth: number): string | undefined => {
    if (depth === shape.length) {
      // JSON writes NaN and ±Infinity as null: the weights of a run that diverged.
      if (x === null) return `weights.${name}: null is not finite (JSON's NaN or ±Infinity: the weights of a run that diverged)`
      // 1e39 is a finite double but rounds to Infinity in float32.
      if (typeof x !== 'number' || !Number.isFinite(Math.fround(x))) return `weights.${name}: ${show(x)} is not a finite float32 number`
      values.push(x)
      return undefined
    }
    if (!Array.isArray(x) || x.length !== shape[depth]) {
      return `weights.${name}: expected ${shape[depth]} entries at depth ${depth} for shape [${shape.join(',')}]`
    }
    for (const y of x as ReadonlyArray<unknown>) {
      const problem = walk(y, depth + 1)
      if (problem !== undefined) return problem
    }
    return undefined
  }
  const problem = walk(nested, 0)
  return problem === undefined ? E.right(Float32Array.from(values)) : E.left(problem)
}

const nest = (w: HostTensor): unknown => {
  const go = (offset: number, depth: number): unknown => {
    const dim = w.shape[depth]!
    if (depth === w.shape.length - 1) return Array.from(w.data.subarray(offset, offset + dim))
    const stride = w.shape.slice(depth + 1).reduce((a, b) => a * b, 1)
    return Array.from({ length: dim }, (_, i) => go(offset + i * stride, depth + 1))
  }
  return w.shape.length === 0 ? w.data[0] : go(0, 0)
}

const usesShortNames = (c: ModelConfig): boolean => c.nLayers === 1 && !c.positionalEmbedding

// ─────────────────────────────────────────────────────────────────────────────
// decoding and encoding
// ─────────────────────────────────────────────────────────────────────────────

/**
 * Decodes a parsed weights file. Never throws: any value gives either a file whose
 * every weight has the config's shape and float32-finite values, or a one-line
 * message starting `weights file:` that names the field and what is allowed. Sizes
 * are bounded (`MAX_SIZE`, `MAX_PARAMETERS`), and no weight is allocated before its
 * nested arrays are checked against its shape.
 */
export const decodeWeightsFile = (u: unknown): E.Either<string, WeightsFile> => {
  const fields = FileFields.decode(u)
  if (E.isLeft(fields)) {
    const e = fields.left[0]
    const path = e?.context.map((c) => c.key).filter((k) => k !== '' && !/^\d+$/.test(k)).join('.') ?? ''
    return E.left(`weights file: ${path === '' ? 'not an object with config and weights' : `${path} is missing or not of the right type`}`)
  }
  const { config: raw, weights } = fields.right
  if (raw.layer_norm === true || raw.bias === true) {
    return E.left('weights file: config.layer_norm and config.bias must be false (the paper’s model has neither)')
  }
  const config: ModelConfig = {
    dVocab: raw.d_vocab,
    nOut: raw.n_out,
    nCtx: raw.n_ctx ?? 3,
    dModel: raw.d_model,
    nHeads: raw.n_heads,
    dHead: raw.d_head,
    dMlp: raw.d_mlp,
    nLayers: raw.n_layers ?? 1,
    act: raw.act ?? 'relu',
    positionalEmbedding: raw.positional_embedding ?? false,
  }
  const problems = configProblems(config)
  if (problems.length > 0) return E.left(`weights file: config: ${problems.join('; ')}`)
  const host: Record<string, HostTensor> = {}
  for (const [name, shape] of paramShapes(config)) {
    const key = name in weights ? name : LONG_TO_SHORT[name]
    if (key === undefined || !(key in weights)) return E.left(`weights file: weights.${LONG_TO_SHORT[name] ?? name} is missing`)
    const data = flatten(key, weights[key], shape)
    if (E.isLeft(data)) return E.left(`weights file: ${data.left}`)
    host[name] = { shape, data: data.right }
  }
  return E.right({ config, host, meta: u !== null && typeof u === 'object' && 'config' in u ? (u.config as Record<string, unknown>) : {} })
}

/** The JSON document of a model: `config` (model sizes and `meta`), `weights` (nested arrays), `shapes`. */
export const encodeWeightsFile = (config: ModelConfig, host: HostParams, meta: Readonly<Record<string, unknown>> = {}): unknown => {
  const short = usesShortNames(config)
  const entries = paramShapes(config).map(([name]) => [short ? LONG_TO_SHORT[name]! : name, host[name]!] as const)
  return {
    config: {
      ...meta,
      ...modelConfigDocument(config),
      layer_norm: false,
      bias: false,
      attn_scale: '1/sqrt(d_head)',
      causal: true,
      logits_at: 'last position',
    },
    weights: Object.fromEntries(entries.map(([k, w]) => [k, nest(w)])),
    shapes: Object.fromEntries(entries.map(([k, w]) => [k, [...w.shape]])),
  }
}

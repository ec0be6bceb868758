/**
 * The Transformer's shape: the paper's defaults, every size configurable.
 * Files hold the config in TransformerLens's snake-case names (`ModelConfigCodec`:
 * `d_vocab`, `n_out`, `n_ctx`, `d_model`, `n_heads`, `d_head`, `d_mlp`, `n_layers`,
 * `act`, `positional_embedding`, as weights.json and the fingerprint spell them);
 * the camel-case fields that config.json held up to 0.1.0 are still read.
 *
 * @example
 * import { ModelConfigCodec, modelConfigDocument, paperConfig } from '@grokscope/model'
 * paperConfig({ dVocab: 98, nOut: 97 })  // => { dVocab: 98, nOut: 97, nCtx: 3, dModel: 128, nHeads: 4, dHead: 32, dMlp: 512, nLayers: 1, act: 'relu', positionalEmbedding: false }
 * modelConfigDocument(paperConfig({ dVocab: 98, nOut: 97 })).d_model  // => 128
 * ModelConfigCodec.decode(modelConfigDocument(paperConfig({ dVocab: 98, nOut: 97 })))._tag  // => 'Right'
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import { integerFrom } from '@grokscope/data'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** The MLP's activation. `gelu` is the exact (erf) form. */
export type Activation = 'relu' | 'gelu'

/** The sizes of the model (TransformerLens names in the saved JSON). */
export interface ModelConfig {
  /** Tokens: `p` residues then one per operation. */
  readonly dVocab: number
  /** Output classes: the `p` residues. */
  readonly nOut: number
  /** Input length: 3 for `[a, op, b]`. */
  readonly nCtx: number
  readonly dModel: number
  readonly nHeads: number
  readonly dHead: number
  readonly dMlp: number
  readonly nLayers: number
  readonly act: Activation
  /** A learned `W_pos [n_ctx, d_model]` added to the embedding (the paper has none). */
  readonly positionalEmbedding: boolean
}

// ─────────────────────────────────────────────────────────────────────────────
// constructors
// ─────────────────────────────────────────────────────────────────────────────

/** The paper's model for this vocabulary and output size; any field can be overridden. */
export const paperConfig = (sizes: Pick<ModelConfig, 'dVocab' | 'nOut'> & Partial<ModelConfig>): ModelConfig => ({
  nCtx: 3,
  dModel: 128,
  nHeads: 4,
  dHead: 32,
  dMlp: 512,
  nLayers: 1,
  act: 'relu',
  positionalEmbedding: false,
  ...sizes,
})

/**
 * Whether the model takes the vocabulary-table path: one block and no positional
 * embedding, where every query, key and value is a row of a per-token table.
 */
export const usesVocabularyTables = (c: ModelConfig): boolean => c.nLayers === 1 && !c.positionalEmbedding

// ─────────────────────────────────────────────────────────────────────────────
// validation
// ─────────────────────────────────────────────────────────────────────────────

/** The largest any one size may be (`d_vocab`, `n_out`, `n_ctx`, `d_model`, `n_heads`, `d_head`, `d_mlp`, `n_layers`): 2^16. */
export const MAX_SIZE = 2 ** 16

/**
 * The most weights a model may have: 2^28, 1 GiB in float32. WASM memory is at most
 * 4 GiB and training holds about four copies (weights, gradients, AdamW's two moments).
 */
export const MAX_PARAMETERS = 2 ** 28

/** The number of weights (every entry of every `paramShapes` tensor); rounded in float64 past 2^53, far above `MAX_PARAMETERS`. */
const parameterCount = (c: ModelConfig): number =>
  c.dVocab * c.dModel +
  (c.positionalEmbedding ? c.nCtx * c.dModel : 0) +
  c.nLayers * (4 * c.nHeads * c.dModel * c.dHead + 2 * c.dModel * c.dMlp) +
  c.dModel * c.nOut

/**
 * The problems with a config, empty when it is usable: every size a positive integer
 * of at most `MAX_SIZE`, at most `MAX_PARAMETERS` weights, and a known activation.
 */
export const configProblems = (c: ModelConfig): ReadonlyArray<string> => {
  const problems: string[] = []
  const positive = ['dVocab', 'nOut', 'nCtx', 'dModel', 'nHeads', 'dHead', 'dMlp', 'nLayers'] as const
  for (const k of positive) {
    if (!Number.isInteger(c[k]) || c[k] < 1) problems.push(`${k} must be a positive integer, got ${c[k]}`)
    else if (c[k] > MAX_SIZE) problems.push(`${k} must be at most ${MAX_SIZE}, got ${c[k]}`)
  }
  if (problems.length === 0 && parameterCount(c) > MAX_PARAMETERS) {
    problems.push(`the model would have ${parameterCount(c)} weights, more than the ${MAX_PARAMETERS} allowed`)
  }
  if (c.act !== 'relu' && c.act !== 'gelu') problems.push(`act must be relu or gelu, got ${String(c.act)}`)
  return problems
}

// ─────────────────────────────────────────────────────────────────────────────
// codec
// ─────────────────────────────────────────────────────────────────────────────

const ActivationCodec = t.keyof({ relu: null, gelu: null }, 'relu or gelu')

const Size = integerFrom(1)

/** The config as files write it: TransformerLens's snake-case names. */
const SnakeFields = t.type({
  d_vocab: Size,
  n_out: Size,
  n_ctx: Size,
  d_model: Size,
  n_heads: Size,
  d_head: Size,
  d_mlp: Size,
  n_layers: Size,
  act: ActivationCodec,
  positional_embedding: t.boolean,
})

/** The config as config.json held it up to 0.1.0: the TypeScript field names. */
const CamelFields = t.type({
  dVocab: Size,
  nOut: Size,
  nCtx: Size,
  dModel: Size,
  nHeads: Size,
  dHead: Size,
  dMlp: Size,
  nLayers: Size,
  act: ActivationCodec,
  positionalEmbedding: t.boolean,
})

/** A model config's document: the snake-case fields. */
export type ModelConfigDocument = t.OutputOf<typeof SnakeFields>

/** The snake-case document of a config. */
export const modelConfigDocument = (c: ModelConfig): ModelConfigDocument => ({
  d_vocab: c.dVocab,
  n_out: c.nOut,
  n_ctx: c.nCtx,
  d_model: c.dModel,
  n_heads: c.nHeads,
  d_head: c.dHead,
  d_mlp: c.dMlp,
  n_layers: c.nLayers,
  act: c.act,
  positional_embedding: c.positionalEmbedding,
})

const fromSnake = (d: t.TypeOf<typeof SnakeFields>): ModelConfig => ({
  dVocab: d.d_vocab,
  nOut: d.n_out,
  nCtx: d.n_ctx,
  dModel: d.d_model,
  nHeads: d.n_heads,
  dHead: d.d_head,
  dMlp: d.d_mlp,
  nLayers: d.n_layers,
  act: d.act,
  positionalEmbedding: d.positional_embedding,
})

/**
 * A model config in a file: written in snake case; read in snake case or, from files
 * of 0.1.0, in camel case (a document with `d_model` is read as snake case). A decoding
 * error names the field as the document spells it (`model.d_model is "a" (expected an integer ≥ 1)`).
 */
export const ModelConfigCodec = new t.Type<ModelConfig, ModelConfigDocument, unknown>(
  'a model config { d_vocab, n_out, n_ctx, d_model, n_heads, d_head, d_mlp, n_layers, act, positional_embedding }',
  (u): u is ModelConfig => CamelFields.is(u),
  (u, c) =>
    typeof u === 'object' && u !== null && !('d_model' in u) && 'dModel' in u
      ? CamelFields.validate(u, c)
      : pipe(SnakeFields.validate(u, c), E.map(fromSnake)),
  modelConfigDocument,
)

/**
 * The Transformer's shape: the paper's defaults, every size configurable.
 *
 * @example
 * import { paperConfig } from '@grokscope/model'
 * paperConfig({ dVocab: 98, nOut: 97 })  // => { dVocab: 98, nOut: 97, nCtx: 3, dModel: 128, nHeads: 4, dHead: 32, dMlp: 512, nLayers: 1, act: 'relu', positionalEmbedding: false }
 *
 * @since 0.1.0
 */

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

/**
 * The Transformer's shape: the paper's defaults, every size configurable.
 *
 * @example
 * import { paperConfig } from '@grokscope/model'
 * const config = paperConfig({ dVocab: 98, nOut: 97 })  // d_model 128, 4 heads of 32, d_mlp 512, 1 layer, ReLU
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

/** The problems with a config, empty when it is usable. */
export const configProblems = (c: ModelConfig): ReadonlyArray<string> => {
  const problems: string[] = []
  const positive = ['dVocab', 'nOut', 'nCtx', 'dModel', 'nHeads', 'dHead', 'dMlp', 'nLayers'] as const
  for (const k of positive) if (!Number.isInteger(c[k]) || c[k] < 1) problems.push(`${k} must be a positive integer, got ${c[k]}`)
  if (c.act !== 'relu' && c.act !== 'gelu') problems.push(`act must be relu or gelu, got ${String(c.act)}`)
  return problems
}

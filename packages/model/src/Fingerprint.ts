/**
 * A run's fingerprint: what makes its weights its own — the task (operations, p,
 * training fraction, seed) and the model's shape — with a short hash of those fields.
 * The CLI's config.json records it and its state.json and weights.json carry it (the
 * page's downloaded runs too), so that a file of another run is refused, not used.
 * Pure: the hash is FNV-1a (two 32-bit passes, 16 hex digits), an identity check, not a
 * cryptographic one; readers compare the fields.
 *
 * @example
 * import { fingerprintOf, paperConfig } from '@grokscope/model'
 * const f = fingerprintOf({ ops: ['add'], p: 97, frac: 0.3, seed: 0 }, paperConfig({ dVocab: 98, nOut: 97 }))
 * // the task and the model's sizes: { hash, ops, p, frac, seed, d_vocab, n_out, d_model, …, positional_embedding }
 * f.hash  // => 'a35640882bc75f8a'
 * f.d_model  // => 128
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import { type ModelConfig, type ModelConfigDocument, modelConfigDocument } from './Config.js'

/** The fields of a fingerprint, in the order a message shows them. */
export const FingerprintFieldsCodec = t.type({
  ops: t.readonlyArray(t.string),
  p: t.number,
  frac: t.number,
  seed: t.number,
  d_vocab: t.number,
  n_out: t.number,
  d_model: t.number,
  n_heads: t.number,
  d_head: t.number,
  d_mlp: t.number,
  n_layers: t.number,
  act: t.string,
  positional_embedding: t.boolean,
})

/** What a fingerprint records. */
export type FingerprintFields = t.TypeOf<typeof FingerprintFieldsCodec>

/** A fingerprint as the run's files hold it: `hash` and the fields. */
export const FingerprintCodec = t.intersection(
  [t.type({ hash: t.string }), FingerprintFieldsCodec],
  'a fingerprint { hash, ops, p, frac, seed, d_model, … }',
)

/** A run's fingerprint. */
export type Fingerprint = t.TypeOf<typeof FingerprintCodec>

/** The task as a run's config.json encodes it (operation ids or expressions). */
export interface FingerprintTask {
  readonly ops: ReadonlyArray<string>
  readonly p: number
  readonly frac: number
  readonly seed: number
}

/** 32-bit FNV-1a of a text's UTF-16 code units from `basis`, as 8 hex digits. */
const fnv1a = (text: string, basis: number): string => {
  let h = basis >>> 0
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0
  return h.toString(16).padStart(8, '0')
}

/** The model's shape, as fingerprint fields: its snake-case document without `n_ctx` (which every run has at 3). */
export const modelFingerprintFields = (c: ModelConfig): Omit<ModelConfigDocument, 'n_ctx'> => {
  const { n_ctx: _, ...fields } = modelConfigDocument(c)
  return fields
}

/** The fingerprint of a task and a model. */
export const fingerprintOf = (task: FingerprintTask, c: ModelConfig): Fingerprint => {
  const fields: FingerprintFields = { ops: [...task.ops], p: task.p, frac: task.frac, seed: task.seed, ...modelFingerprintFields(c) }
  const text = JSON.stringify(fields)
  return { hash: `${fnv1a(text, 0x811c9dc5)}${fnv1a(text, 0x01000193)}`, ...fields }
}

// A run's fingerprint: what makes its weights its own (the task: operations, p, training
// fraction, seed; the model's shape), with a short hash of it. config.json records it, and
// state.json and weights.json carry it: a file from another run is refused, not used.
import { createHash } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import type { ModelConfig } from '@grokscope/model'
import { firstProblem } from '@grokscope/data'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** The fields of a fingerprint, in the order a message shows them. */
const FieldsCodec = t.type({
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
export type FingerprintFields = t.TypeOf<typeof FieldsCodec>

/** A fingerprint as the run's files hold it: `hash` (12 hex digits of the SHA-256 of the fields) and the fields. */
export const FingerprintCodec = t.intersection([t.type({ hash: t.string }), FieldsCodec], 'a fingerprint { hash, ops, p, frac, seed, d_model, … }')

/** A run's fingerprint. */
export type Fingerprint = t.TypeOf<typeof FingerprintCodec>

/** The task as config.json encodes it. */
export interface TaskFields {
  readonly ops: ReadonlyArray<string>
  readonly p: number
  readonly frac: number
  readonly seed: number
}

// ─────────────────────────────────────────────────────────────────────────────
// constructors
// ─────────────────────────────────────────────────────────────────────────────

/** The model's shape, as fingerprint fields. */
const modelFields = (c: ModelConfig) => ({
  d_vocab: c.dVocab,
  n_out: c.nOut,
  d_model: c.dModel,
  n_heads: c.nHeads,
  d_head: c.dHead,
  d_mlp: c.dMlp,
  n_layers: c.nLayers,
  act: c.act,
  positional_embedding: c.positionalEmbedding,
})

/** The fingerprint of a task and a model. */
export const fingerprintOf = (task: TaskFields, c: ModelConfig): Fingerprint => {
  const fields: FingerprintFields = { ops: [...task.ops], p: task.p, frac: task.frac, seed: task.seed, ...modelFields(c) }
  return { hash: createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 12), ...fields }
}

// ─────────────────────────────────────────────────────────────────────────────
// comparing
// ─────────────────────────────────────────────────────────────────────────────

const show = (k: string, v: unknown): string => `${k === 'ops' ? 'op' : k}=${Array.isArray(v) ? v.join('+') : String(v)}`

const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

/**
 * The fields in which `got` (a file's) differs from `want` (config.json's), as one line:
 * `weights.json is from op=add p=13 frac=0.3 seed=0, config.json says p=11`; null when they
 * agree. Only the fields `got` holds are compared (a file older than fingerprints holds some).
 */
export const fingerprintDifference = (file: string, got: Partial<FingerprintFields>, configFile: string, want: Fingerprint): string | null => {
  const keys = Object.keys(FieldsCodec.props) as Array<keyof FingerprintFields>
  const differ = keys.filter((k) => got[k] !== undefined && !sameValue(got[k], want[k]))
  if (differ.length === 0) return null
  const task: ReadonlyArray<keyof FingerprintFields> = (['ops', 'p', 'frac', 'seed'] as const).filter((k) => got[k] !== undefined)
  const from = [...task, ...differ.filter((k) => !task.includes(k))].map((k) => show(k, got[k]))
  return `${file} is from ${from.join(' ')}, ${configFile} says ${differ.map((k) => show(k, want[k])).join(' ')} (the files of another run; allowed: a run folder's own files)`
}

/**
 * A file's recorded fingerprint (`fingerprint` in state.json, or in weights.json's `config`):
 * `Right(null)` when it has none (a run from before fingerprints), `Left` when it is not one.
 */
export const recordedFingerprint = (doc: unknown): E.Either<string, Fingerprint | null> => {
  if (typeof doc !== 'object' || doc === null || !('fingerprint' in doc)) return E.right(null)
  const r = FingerprintCodec.decode(doc.fingerprint)
  return E.isLeft(r) ? E.left(`fingerprint: ${firstProblem(r.left)}`) : E.right(r.right)
}

/**
 * What a weights file records of its run without a fingerprint: the task fields the CLI
 * writes into its `config` (p, ops, frac, seed, when they are there) and the model's shape.
 */
export const weightsFields = (meta: Readonly<Record<string, unknown>>, c: ModelConfig): Partial<FingerprintFields> => ({
  ...(Array.isArray(meta.ops) && meta.ops.every((x) => typeof x === 'string') ? { ops: meta.ops } : {}),
  ...(typeof meta.p === 'number' ? { p: meta.p } : {}),
  ...(typeof meta.frac === 'number' ? { frac: meta.frac } : {}),
  ...(typeof meta.seed === 'number' ? { seed: meta.seed } : {}),
  ...modelFields(c),
})

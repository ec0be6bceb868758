/**
 * Comparing a file of a run with the run by their fingerprints (`fingerprintOf` of
 * `@grokscope/model`: the task and the model's shape, with a short hash): config.json
 * records it; state.json, weights.json and each history file carry it; a file of
 * another run is refused with one line naming the fields that differ.
 *
 * @example
 * import { fingerprintOf, paperConfig } from '@grokscope/model'
 * import { fingerprintDifference } from '@grokscope/runs'
 * const want = fingerprintOf({ ops: ['add'], p: 11, frac: 0.5, seed: 0 }, paperConfig({ dVocab: 12, nOut: 11 }))
 * fingerprintDifference('weights.json', { ...want, p: 13 }, 'config.json', want)
 * // => 'weights.json is from op=add p=13 frac=0.5 seed=0, config.json says p=11 (the files of another run; allowed: a run folder\'s own files)'
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { firstProblem, oneLine } from '@grokscope/data'
import {
  type Fingerprint,
  FingerprintCodec,
  type FingerprintFields,
  FingerprintFieldsCodec,
  type ModelConfig,
  modelFingerprintFields,
} from '@grokscope/model'

/** A field as a message shows it, on one line whatever a file holds (`op=add+mul`). */
const show = (k: string, v: unknown): string => oneLine(`${k === 'ops' ? 'op' : k}=${Array.isArray(v) ? v.join('+') : String(v)}`)

const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

/**
 * The fields in which `got` (a file's) differs from `want` (config.json's), as one line:
 * `weights.json is from op=add p=13 frac=0.3 seed=0, config.json says p=11`; null when they
 * agree. Only the fields `got` holds are compared (a file older than fingerprints holds some).
 */
export const fingerprintDifference = (
  file: string,
  got: Partial<FingerprintFields>,
  configFile: string,
  want: Fingerprint,
): string | null => {
  const keys = Object.keys(FingerprintFieldsCodec.props) as Array<keyof FingerprintFields>
  const differ = keys.filter((k) => got[k] !== undefined && !sameValue(got[k], want[k]))
  if (differ.length === 0) return null
  const task: ReadonlyArray<keyof FingerprintFields> = (['ops', 'p', 'frac', 'seed'] as const).filter((k) => got[k] !== undefined)
  const from = [...task, ...differ.filter((k) => !task.includes(k))].map((k) => show(k, got[k]))
  return (
    `${file} is from ${from.join(' ')}, ${configFile} says ${differ.map((k) => show(k, want[k])).join(' ')}` +
    ` (the files of another run; allowed: a run folder's own files)`
  )
}

/**
 * A document's recorded fingerprint (`fingerprint` in state.json, or in weights.json's `config`):
 * `Right(null)` when it has none (a run from before fingerprints), `Left` when it is not one.
 */
export const recordedFingerprint = (doc: unknown): E.Either<string, Fingerprint | null> => {
  if (typeof doc !== 'object' || doc === null || !('fingerprint' in doc)) return E.right(null)
  const r = FingerprintCodec.decode(doc.fingerprint)
  return E.isLeft(r) ? E.left(`fingerprint: ${firstProblem(r.left)}`) : E.right(r.right)
}

/**
 * What a weights file records of its run without a fingerprint: the task fields grokscope
 * writes into its `config` (p, ops, frac, seed, when they are there) and the model's shape.
 */
export const weightsFields = (meta: Readonly<Record<string, unknown>>, c: ModelConfig): Partial<FingerprintFields> => ({
  ...(Array.isArray(meta.ops) && meta.ops.every((x) => typeof x === 'string') ? { ops: meta.ops } : {}),
  ...(typeof meta.p === 'number' ? { p: meta.p } : {}),
  ...(typeof meta.frac === 'number' ? { frac: meta.frac } : {}),
  ...(typeof meta.seed === 'number' ? { seed: meta.seed } : {}),
  ...modelFingerprintFields(c),
})

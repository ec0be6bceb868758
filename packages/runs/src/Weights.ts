/**
 * What a run writes of its weights: weights.json (the fixtures' format, `encodeWeightsFile`
 * of `@grokscope/model`) and each history file (a TransformerLens checkpoint, the bytes
 * `export` writes), both with the task and the run's fingerprint in their metadata, so
 * that one file is a whole model that names its run; and the check of a weights file
 * against the run it sits in.
 *
 * @example
 * import { weightsMeta } from '@grokscope/runs'
 * declare const config: import('@grokscope/runs').RunConfig
 * weightsMeta(config, 300).steps // the step the weights are of
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { ModelTask } from '@grokscope/analysis'
import { type HostParams, type WeightsFile, encodeTransformerLensCheckpoint, encodeWeightsFile } from '@grokscope/model'
import { TaskCodec } from '@grokscope/data'
import { type RunConfig, runFingerprint } from './Config.js'
import { fingerprintDifference, recordedFingerprint, weightsFields } from './Fingerprint.js'

/**
 * What a weights file records besides the model: the task (the fixtures' `config` fields too: `op`, `op_tokens`,
 * `frac_train`), the run's fingerprint and the step.
 */
export const weightsMeta = (config: RunConfig, step: number): Readonly<Record<string, unknown>> => {
  const task = TaskCodec.encode(config.task)
  return {
    ...task,
    op: task.ops[0],
    op_tokens: task.ops.map((_, i) => task.p + i),
    frac_train: task.frac,
    input: '[a, op, b]',
    fingerprint: runFingerprint(config),
    steps: step,
  }
}

/** weights.json's document: the weights at `step`. */
export const weightsDocument = (config: RunConfig, host: HostParams, step: number): unknown =>
  encodeWeightsFile(config.model, host, weightsMeta(config, step))

/**
 * A history file's bytes: the weights at `step` as a float32 TransformerLens checkpoint with the config and the run's
 * fingerprint in its metadata.
 */
export const historyCheckpoint = (config: RunConfig, host: HostParams, step: number): Uint8Array =>
  encodeTransformerLensCheckpoint(config.model, host, weightsMeta(config, step), `grokscope-step-${step}`).safetensors

/**
 * Why a decoded weights file is not the run's (`file` sits in a run whose config.json is
 * `configFile`): the fingerprint it carries, or written before fingerprints the task fields
 * and model shape it records, must be the run's. `Right(null)`: it is; `Left`: its fingerprint is malformed.
 */
export const weightsMismatch = (file: string, w: WeightsFile, configFile: string, config: RunConfig): E.Either<string, string | null> => {
  const recorded = recordedFingerprint(w.meta)
  if (E.isLeft(recorded)) return E.left(`${file}: ${recorded.left}`)
  return E.right(fingerprintDifference(file, recorded.right ?? weightsFields(w.meta, w.config), configFile, runFingerprint(config)))
}

/**
 * What an exported checkpoint's config.json records of the task (`grokscope export`): p, the
 * operations and their tokens, the split's seed and fraction, the steps trained, from a model's
 * metadata (`meta`, its file's `config`) and its task.
 */
export const checkpointTask = (meta: Readonly<Record<string, unknown>>, task: ModelTask): Readonly<Record<string, unknown>> => ({
  p: task.p,
  ops: task.ops.map((o) => o.id),
  op_tokens: task.ops.map((_, i) => task.p + i),
  seed: task.seed,
  frac: typeof meta.frac === 'number' ? meta.frac : typeof meta.frac_train === 'number' ? meta.frac_train : null,
  ...(typeof meta.steps === 'number' ? { steps: meta.steps } : {}),
  input: '[a, op, b]',
  logits_at: 'last position',
})

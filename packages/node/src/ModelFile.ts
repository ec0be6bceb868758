/**
 * Loading a model from a run folder, a weights file, a run's weights history or a TransformerLens
 * checkpoint (safetensors), and the task it was trained on.
 *
 * @since 0.2.0
 */
import { closeSync, existsSync, openSync, statSync } from 'node:fs'
import path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { type ModelTask, modelTask } from '@grokscope/analysis'
import { type Task, decodeTask, formatErrors } from '@grokscope/data'
import {
  type SafetensorsEntry,
  type SafetensorsFile,
  type WeightsFile,
  decodeHeaderLength,
  decodeSafetensorsHeader,
  decodeTransformerLensFile,
  decodeWeightsFile,
  encodeTransformerLensCheckpoint,
} from '@grokscope/model'
import { CHECKPOINT_FILES, HISTORY_DIR, RUN_FILES, checkpointTask, decodeRunConfig, historyStep, weightsMismatch } from '@grokscope/runs'
import { UsageError, orUsageError } from './Errors.js'
import { MAX_TEXT_BYTES, pathExists, readAt, readJson, readableSize, writeAtomic, writeJson } from './Files.js'
import { type OutputFile, checkOutputFile } from './Outputs.js'
import { holdsRun, readConfig, readSummary, runFolder, savedStepFile } from './RunFolder.js'

/** A loaded model: its file and the task it was trained on. */
export interface LoadedModel extends WeightsFile {
  readonly file: string
  readonly task: ModelTask
}

/**
 * The largest .safetensors file read: 1 GiB, 2^28 float32 weights, far more than a model
 * that trains on a CPU (the paper's, p = 113, has 0.23 M). weights.json is bounded by
 * `MAX_TEXT_BYTES` (512 MiB).
 */
export const MAX_SAFETENSORS_BYTES = 2 ** 30

/**
 * The largest safetensors header read: 16 MiB (the format allows 10^8 bytes). A model's
 * header is about 100 bytes a tensor: a HookedTransformer of 100 layers needs 0.2 MiB. With
 * it, a bogus header costs at most a few times 16 MiB of memory before it is refused.
 */
export const MAX_CHECKPOINT_HEADER_BYTES = 16 * 2 ** 20

const isSafetensors = (file: string): boolean => file.toLowerCase().endsWith('.safetensors')

/** The model file a target names: a folder's `model.safetensors` (an exported checkpoint) or `weights.json` (a run), or the file itself. */
export const weightsPath = (target: string): string => {
  if (!pathExists(target)) {
    throw new UsageError(
      `${target} does not exist (give a run folder, a weights .json file, a .safetensors file or a folder holding model.safetensors)`,
    )
  }
  if (!statSync(target).isDirectory()) return target
  const checkpoint = path.join(target, CHECKPOINT_FILES.weights)
  return existsSync(checkpoint) ? checkpoint : path.join(target, RUN_FILES.weights)
}

/** A config.json that describes a checkpoint (grokscope's export, or HookedTransformerConfig fields), not a run's. */
const isCheckpointConfig = (u: unknown): boolean =>
  typeof u === 'object' && u !== null && ('hooked_transformer_config' in u || 'd_model' in u)

/**
 * A `.safetensors` file read by offsets: its size and kind are checked first, then the
 * 8-byte header length against the size, then the header against the size of the data;
 * a tensor's bytes are read (once) only when the decoder asks for them, after its dtype
 * and shape fit the config. Memory is bounded by the file's size whatever its header says.
 */
const readSafetensors = <A>(file: string, decode: (f: SafetensorsFile) => E.Either<string, A>): E.Either<string, A> => {
  const size = readableSize(file, MAX_SAFETENSORS_BYTES)
  const fd = openSync(file, 'r')
  try {
    const length = decodeHeaderLength(readAt(fd, 0, Math.min(8, size)), size)
    if (E.isLeft(length)) return length
    const n = length.right
    if (n > MAX_CHECKPOINT_HEADER_BYTES) {
      return E.left(
        `safetensors: the header length ${n} is more than the ${MAX_CHECKPOINT_HEADER_BYTES} bytes read ` +
          `(a model's header is about 100 bytes a tensor)`,
      )
    }
    const layout = decodeSafetensorsHeader(readAt(fd, 8, n), size - 8 - n)
    if (E.isLeft(layout)) return layout
    const tensors: Record<string, SafetensorsEntry> = {}
    for (const [name, e] of Object.entries(layout.right.tensors)) {
      let bytes: Uint8Array | null = null
      tensors[name] = {
        dtype: e.dtype,
        shape: e.shape,
        get bytes() {
          bytes ??= readAt(fd, 8 + n + e.begin, e.end - e.begin)
          return bytes
        },
      }
    }
    return decode({ metadata: layout.right.metadata, tensors })
  } finally {
    closeSync(fd)
  }
}

/**
 * A `.safetensors` file by the config grokscope writes into its `__metadata__`, or, for a file without one (saved by
 * another program), by the checkpoint config.json beside it: a file's own metadata is never overridden by its neighbours.
 */
const decodeCheckpointFile = (file: string): E.Either<string, WeightsFile> =>
  readSafetensors(file, (f) => {
    if (f.metadata.config !== undefined) return decodeTransformerLensFile(f)
    const configFile = path.join(path.dirname(file), CHECKPOINT_FILES.config)
    const config = existsSync(configFile) ? readJson(configFile) : undefined
    return decodeTransformerLensFile(f, isCheckpointConfig(config) ? config : undefined)
  })

/**
 * The run a file of a run's folder belongs to, and the step a history file is named for: a run's weights.json
 * (`<run>/weights.json`) or one of its history files (`<run>/history/step-000300.safetensors`); null for any other file.
 */
const runOfFile = (file: string): { readonly dir: string; readonly step: number | null } | null => {
  const name = path.basename(file)
  const parent = path.dirname(file)
  if (name === RUN_FILES.weights) return { dir: parent, step: null }
  const step = historyStep(name)
  return step !== null && path.basename(parent) === HISTORY_DIR ? { dir: path.dirname(parent), step } : null
}

/**
 * A run's weights.json or history file against the run's config.json: the fingerprint it carries (or, written before
 * fingerprints, the task fields and model shape it records) must be the run's, and a history file's recorded step the
 * one its name gives; null when the file is no run's, or agrees. A config.json that does not decode is refused, not skipped.
 */
const runMismatch = (file: string, w: WeightsFile): string | null => {
  const of = runOfFile(file)
  if (of === null) return null
  const run = runFolder(of.dir)
  if (!existsSync(run.file.config)) return null
  const config = orUsageError(run.file.config)(decodeRunConfig(readJson(run.file.config)))
  const mismatch = orUsageError()(weightsMismatch(file, w, run.file.config, config))
  if (mismatch !== null || of.step === null || typeof w.meta.steps !== 'number' || w.meta.steps === of.step) return mismatch
  return `${file} holds the weights of step ${w.meta.steps}, not of step ${of.step} as its name says (allowed: the history files the run wrote)`
}

/**
 * Loads and decodes a model; fixtures (`config.op`), grokscope runs (`config.ops`) and TransformerLens checkpoints all work.
 * A run's weights.json or history file of another run (its fingerprint is not config.json's) is refused.
 */
export const loadModel = (target: string): LoadedModel => {
  const file = weightsPath(target)
  if (!pathExists(file)) {
    throw new UsageError(
      `${file} does not exist (give a run folder, a weights .json file, a .safetensors file or a folder holding model.safetensors)`,
    )
  }
  const decoded = isSafetensors(file) ? decodeCheckpointFile(file) : decodeWeightsFile(readJson(file, MAX_TEXT_BYTES))
  if (E.isLeft(decoded)) throw new UsageError(`${file}: ${decoded.left}`)
  const mismatch = runMismatch(file, decoded.right)
  if (mismatch !== null) throw new UsageError(mismatch)
  const task = modelTask(decoded.right)
  if (E.isLeft(task)) throw new UsageError(`${file}: ${task.left}`)
  return { ...decoded.right, file, task: task.right }
}

/**
 * What a model file is of a run that diverged (its summary.json says `stopped_by: "diverged"`): one line saying where it
 * diverged and which step these weights are of (its last finite checkpoint, or a history file's step); null otherwise.
 *
 * @since 0.3.0
 */
export const divergedNote = (model: LoadedModel): string | null => {
  const of = runOfFile(model.file)
  if (of === null) return null
  const summary = readSummary(runFolder(of.dir))
  if (E.isLeft(summary) || summary.right?.stopped_by !== 'diverged') return null
  const at = summary.right.diverged_step ?? summary.right.steps
  const step = typeof model.meta.steps === 'number' ? `step ${model.meta.steps}` : 'an earlier step'
  return `the run diverged at step ${at} (its loss or weights were not finite): these are its weights of ${step}, before it diverged`
}

/** Whether a folder is a run (its config.json is a run's: no exported model.safetensors beside it). */
export const isRunFolder = (dir: string): boolean =>
  existsSync(dir) && statSync(dir).isDirectory() && holdsRun(runFolder(dir)) && !existsSync(path.join(dir, CHECKPOINT_FILES.weights))

/**
 * The task whose train/test split a model was trained on: a run folder's config.json, or the task a
 * model file grokscope wrote records (an exported checkpoint's config.json, a history file's metadata,
 * a run's weights.json: p, `ops`, `frac` and the seed, from which grokscope's seeded split is made
 * again). Any other file (a fixture: `op` and `frac_train` from another program's split) is a
 * `UsageError` for `flag`.
 */
export const splitTask = (target: string, model: LoadedModel, flag: string): Task => {
  if (isRunFolder(target)) return readConfig(runFolder(target)).task
  const { meta } = model
  if (typeof meta.frac !== 'number' || !Array.isArray(meta.ops) || typeof meta.seed !== 'number') {
    throw new UsageError(
      `${flag}: ${model.file} does not record a split grokscope made (ops, frac and seed; allowed: a run folder, ` +
        `a weights file or history file of a run, or a checkpoint written by grokscope export)`,
    )
  }
  const task = decodeTask({ p: model.task.p, ops: model.task.ops.map((o) => o.id), frac: meta.frac, seed: meta.seed })
  if (E.isLeft(task)) throw new UsageError(`${flag}: ${model.file}: ${formatErrors(task.left)[0] ?? 'not a task'}`)
  return task.right
}

/**
 * What a command given a target and `--step` loads: the target itself without a step, else the run's history file of
 * that step (`UsageError` when the target is no run).
 */
export const modelSource = (target: string, step: number | undefined): string => {
  if (step === undefined) return target
  if (!isRunFolder(target)) {
    throw new UsageError(`--step: ${target} is not a run folder (the weights history is a run's: <run>/${HISTORY_DIR}/)`)
  }
  return savedStepFile(target, step, '--step')
}

/**
 * Writes `<out>/model.safetensors` and `<out>/config.json` (TransformerLens's state dict and config, and
 * the task) of the model a target names (the run's weights at `step`, when given); refuses to overwrite
 * either, to write into a run's history folder, or onto anything but an absent path (`checkOutputFile`). Returns their
 * paths.
 */
export const exportCheckpoint = (target: string, out: string, step?: number): { readonly weights: string; readonly config: string } => {
  const model = loadModel(modelSource(target, step))
  if (existsSync(out) && !statSync(out).isDirectory()) {
    throw new UsageError(`--out: ${out} is a file (give a folder for model.safetensors and config.json)`)
  }
  // A config.json beside history files would be read as theirs.
  if (path.basename(path.resolve(out)) === HISTORY_DIR && isRunFolder(path.dirname(path.resolve(out)))) {
    throw new UsageError(`--out: ${out} is a run's weights history folder, which holds only its history files (give another folder)`)
  }
  const files = { weights: path.join(out, CHECKPOINT_FILES.weights), config: path.join(out, CHECKPOINT_FILES.config) }
  const what: OutputFile = { flag: '--out', noun: 'checkpoint', example: CHECKPOINT_FILES.weights, own: Object.values(CHECKPOINT_FILES) }
  for (const f of Object.values(files)) {
    checkOutputFile(f, what)
    if (existsSync(f)) throw new UsageError(`--out: ${f} exists (an existing file is never overwritten; give another folder)`)
  }
  const name = `grokscope-${model.task.ops.map((o) => o.id).join('+')}-p${model.task.p}`
  const { safetensors, config } = encodeTransformerLensCheckpoint(model.config, model.host, checkpointTask(model.meta, model.task), name)
  writeAtomic(files.weights, safetensors)
  writeJson(files.config, config, 2)
  return files
}

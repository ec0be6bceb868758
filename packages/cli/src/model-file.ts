// Loading a model from a run folder, a weights file or a TransformerLens checkpoint (safetensors), and what it was trained on.
import { existsSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { type ModelTask, modelTask } from '@grokscope/analysis'
import { type Task, decodeTask, formatErrors } from '@grokscope/data'
import { type WeightsFile, decodeTransformerLensCheckpoint, decodeWeightsFile } from '@grokscope/model'
import { UsageError, readJson } from './files.js'
import { holdsRun, readConfig, runFolder } from './run-folder.js'

/** A loaded model: its file and the task it was trained on. */
export interface LoadedModel extends WeightsFile {
  readonly file: string
  readonly task: ModelTask
}

/** The files of an exported checkpoint folder (`grokscope export`). */
export const CHECKPOINT_FILES = { weights: 'model.safetensors', config: 'config.json' } as const

const isSafetensors = (file: string): boolean => file.toLowerCase().endsWith('.safetensors')

/** The model file a target names: a folder's `model.safetensors` (an exported checkpoint) or `weights.json` (a run), or the file itself. */
export const weightsPath = (target: string): string => {
  if (!existsSync(target)) throw new UsageError(`${target} does not exist (give a run folder, a weights .json file, a .safetensors file or a folder holding model.safetensors)`)
  if (!statSync(target).isDirectory()) return target
  const checkpoint = path.join(target, CHECKPOINT_FILES.weights)
  return existsSync(checkpoint) ? checkpoint : path.join(target, 'weights.json')
}

/** A config.json that describes a checkpoint (grokscope's export, or HookedTransformerConfig fields), not a run's. */
const isCheckpointConfig = (u: unknown): boolean => typeof u === 'object' && u !== null && ('hooked_transformer_config' in u || 'd_model' in u)

/**
 * A `.safetensors` file with the checkpoint config.json beside it, or, without one, the
 * config grokscope writes into the file's `__metadata__`.
 */
const decodeCheckpointFile = (file: string): E.Either<string, WeightsFile> => {
  const configFile = path.join(path.dirname(file), CHECKPOINT_FILES.config)
  const config = existsSync(configFile) ? readJson(configFile) : undefined
  const bytes = readFileSync(file)
  return decodeTransformerLensCheckpoint(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), isCheckpointConfig(config) ? config : undefined)
}

/** Loads and decodes a model; fixtures (`config.op`), grokscope runs (`config.ops`) and TransformerLens checkpoints all work. */
export const loadModel = (target: string): LoadedModel => {
  const file = weightsPath(target)
  if (!existsSync(file)) throw new UsageError(`${file} does not exist (give a run folder, a weights .json file, a .safetensors file or a folder holding model.safetensors)`)
  const decoded = isSafetensors(file) ? decodeCheckpointFile(file) : decodeWeightsFile(readJson(file))
  if (E.isLeft(decoded)) throw new UsageError(`${file}: ${decoded.left}`)
  const task = modelTask(decoded.right)
  if (E.isLeft(task)) throw new UsageError(`${file}: ${task.left}`)
  return { ...decoded.right, file, task: task.right }
}

/** Whether a folder is a run (its config.json is a run's: no exported model.safetensors beside it). */
export const isRunFolder = (dir: string): boolean => existsSync(dir) && statSync(dir).isDirectory() && holdsRun(runFolder(dir)) && !existsSync(path.join(dir, CHECKPOINT_FILES.weights))

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
    throw new UsageError(`${flag}: ${model.file} does not record a split grokscope made (ops, frac and seed; allowed: a run folder, a weights file or history file of a run, or a checkpoint written by grokscope export)`)
  }
  const task = decodeTask({ p: model.task.p, ops: model.task.ops.map((o) => o.id), frac: meta.frac, seed: meta.seed })
  if (E.isLeft(task)) throw new UsageError(`${flag}: ${model.file}: ${formatErrors(task.left)[0] ?? 'not a task'}`)
  return task.right
}

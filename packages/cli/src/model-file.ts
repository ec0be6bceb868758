// Loading a model from a run folder or a weights file, and what it was trained on.
import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { type ModelTask, modelTask } from '@grokscope/analysis'
import { type WeightsFile, decodeWeightsFile } from '@grokscope/model'
import { UsageError, readJson } from './files.js'

/** A loaded model: its file and the task it was trained on. */
export interface LoadedModel extends WeightsFile {
  readonly file: string
  readonly task: ModelTask
}

/** `weights.json` inside a run folder, or the file itself. */
export const weightsPath = (target: string): string => {
  if (!existsSync(target)) throw new UsageError(`${target} does not exist (give a run folder or a weights .json file)`)
  return statSync(target).isDirectory() ? path.join(target, 'weights.json') : target
}

/** Loads and decodes a model; fixtures (`config.op`) and grokscope runs (`config.ops`) both work. */
export const loadModel = (target: string): LoadedModel => {
  const file = weightsPath(target)
  const decoded = decodeWeightsFile(readJson(file))
  if (E.isLeft(decoded)) throw new UsageError(`${file}: ${decoded.left}`)
  const task = modelTask(decoded.right)
  if (E.isLeft(task)) throw new UsageError(`${file}: ${task.left}`)
  return { ...decoded.right, file, task: task.right }
}

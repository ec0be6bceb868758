// Loading a model from a run folder or a weights file, and what it was trained on.
import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { type Operation, resolveOperation } from '@grokscope/data'
import { type WeightsFile, decodeWeightsFile } from '@grokscope/model'
import { UsageError, readJson } from './files.js'

/** A loaded model: its file, `p`, and the operations whose tokens follow the residues. */
export interface LoadedModel extends WeightsFile {
  readonly file: string
  readonly p: number
  readonly ops: ReadonlyArray<Operation | null>
  readonly opIds: ReadonlyArray<string>
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
  const { meta, config } = decoded.right
  const p = typeof meta.p === 'number' ? meta.p : config.nOut
  const opIds = Array.isArray(meta.ops) ? meta.ops.map(String) : typeof meta.op === 'string' ? [meta.op] : []
  if (config.nOut !== p) throw new UsageError(`${file}: n_out is ${config.nOut} but p is ${p}`)
  const ops = opIds.map((id) => {
    const op = resolveOperation(id)
    return E.isRight(op) ? op.right : null
  })
  return { ...decoded.right, file, p, ops, opIds }
}

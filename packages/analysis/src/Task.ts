/**
 * What a weights file says about the task its model was trained on: the modulus,
 * the operations whose tokens follow the residues, the seed.
 *
 * @example
 * import { modelTask } from '@grokscope/analysis'
 * import { initParams, paperConfig, toHost } from '@grokscope/model'
 * const config = paperConfig({ dVocab: 32, nOut: 31 })
 * const decoded = { config, host: toHost(initParams(config, 0)), meta: { p: 31, ops: ['add'], seed: 0 } }  // a weights.json, decoded
 * const task = modelTask(decoded)  // Right: p, the operation of each operation token (null when unknown), the seed
 * if (task._tag === 'Left') throw new Error(task.left)
 * task.right.p  // => 31
 * task.right.ops.map((o) => o.op?.formula)  // => ['a + b']
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Operation, labelTable, oneLine, resolveOperation } from '@grokscope/data'
import type { WeightsFile } from '@grokscope/model'

/** An operation token of a model: its id and, when the id resolves, the operation (`null`: labels unknown). */
export interface ModelOp {
  readonly id: string
  readonly op: Operation | null
}

/** The task of a model: `p`, one entry per operation token (token `p + i` for `ops[i]`), the seed. */
export interface ModelTask {
  readonly p: number
  readonly ops: ReadonlyArray<ModelOp>
  readonly seed: number
}

/**
 * The task recorded in a weights file's `config`: fixtures (`op`) and grokscope
 * runs (`ops`) both work. `p` defaults to `n_out`, the seed to 0; an operation
 * token without a recorded id is named `op{i}` with unknown labels. An operation with
 * no defined pair mod p (`a/(b-b)`) is a `Left`: nothing about it can be measured.
 */
export const modelTask = (w: WeightsFile): E.Either<string, ModelTask> => {
  const { meta, config } = w
  const p = typeof meta.p === 'number' ? meta.p : config.nOut
  if (config.nOut !== p) return E.left(`n_out is ${config.nOut} but p is ${p}`)
  if (config.dVocab < p) return E.left(`d_vocab is ${config.dVocab}, less than p = ${p}`)
  const ids = Array.isArray(meta.ops)
    ? meta.ops.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)))
    : typeof meta.op === 'string'
      ? [meta.op]
      : []
  const seed = typeof meta.seed === 'number' ? meta.seed : 0
  const ops = Array.from({ length: config.dVocab - p }, (_, i): ModelOp => {
    const id = ids[i]
    if (id === undefined) return { id: `op${i}`, op: null }
    const op = resolveOperation(id)
    return { id, op: E.isRight(op) ? op.right : null }
  })
  const undefinedOp = ops.find((o) => o.op !== null && labelTable(o.op, p, seed).every((label) => label < 0))
  if (undefinedOp !== undefined) {
    return E.left(
      `operation ${oneLine(undefinedOp.id)} has no defined pair mod ${p} (every pair divides by 0), so the model has no answer to ` +
        `measure (allowed: operations defined on some pairs)`,
    )
  }
  return E.right({ p, ops, seed })
}

/**
 * A model's predictions: its logits for `[a, op, b]` inputs (forward passes in chunks that fit the
 * default memory budget), for chosen pairs or for the test pairs of its own split.
 *
 * @since 0.2.0
 */
import * as tf from '@tensorflow/tfjs-core'
import { compile, makeDataset } from '@grokscope/data'
import { chunkRanges, disposeInputs, disposeParams, forward, fromHost, measureFootprint, prepareInputs } from '@grokscope/model'
import { initBackend } from './Backend.js'
import { DEFAULT_MEMORY_MIB, memoryPlan } from './Memory.js'
import { type LoadedModel, splitTask } from './ModelFile.js'

/** One input's prediction: the pair, the operation, the input row, the predicted and (when known) the expected residue, all logits. */
export interface Prediction {
  readonly a: number
  readonly b: number
  readonly op: string
  readonly input: ReadonlyArray<number>
  readonly predicted: number
  readonly expected: number | null
  readonly logits: ReadonlyArray<number>
}

const argmax = (row: ReadonlyArray<number>): number => row.indexOf(Math.max(...row))

/** The model's logits for input rows `[a, op token, b]`, in chunks that fit the default memory budget. */
export const modelLogits = async (model: LoadedModel, tokens: Int32Array): Promise<number[][]> => {
  await initBackend()
  const params = fromHost(model.config, model.host)
  const plan = memoryPlan(DEFAULT_MEMORY_MIB, 1, await measureFootprint(model.config, params))
  const chunk = typeof plan === 'string' ? 1 : plan.evalChunk
  const logits: number[][] = []
  for (const [start, end] of chunkRanges(tokens.length / 3, chunk)) {
    const inputs = prepareInputs(model.config, tokens.subarray(3 * start, 3 * end))
    const logitsT = forward(model.config, params, inputs)
    logits.push(...logitsT.arraySync())
    tf.dispose(logitsT)
    disposeInputs(inputs)
  }
  disposeParams(params)
  return logits
}

/** The predictions for pairs `(a, b)` of operation `index` (token `p + index`), with the expected residue when the operation is known. */
export const predictPairs = async (
  model: LoadedModel,
  pairs: ReadonlyArray<readonly [number, number]>,
  index: number,
): Promise<ReadonlyArray<Prediction>> => {
  const { p } = model.task
  const op = model.task.ops[index]!
  const truth = op.op !== null && op.op._tag === 'expr' ? compile(op.op.expr, p) : null
  const logits = await modelLogits(model, Int32Array.from(pairs.flatMap(([a, b]) => [a, p + index, b])))
  return pairs.map(([a, b], i) => ({
    a,
    b,
    op: op.id,
    input: [a, p + index, b],
    predicted: argmax(logits[i]!),
    expected: truth?.(a, b) ?? null,
    logits: logits[i]!,
  }))
}

/**
 * The test pairs of the model's own split (a run's config.json, or the task an exported checkpoint or a
 * history file records; `target` names it) that the model gets wrong, of every operation or of
 * operation `index`, and how many test pairs were checked.
 */
export const testErrors = async (
  target: string,
  model: LoadedModel,
  index: number | null,
): Promise<{ readonly wrong: ReadonlyArray<Prediction>; readonly checked: number }> => {
  const task = splitTask(target, model, '--test-errors')
  const test = makeDataset(task).test
  const rows = Array.from({ length: test.size }, (_, i) => i).filter((i) => index === null || test.opIndex[i] === index)
  const tokens = Int32Array.from(rows.flatMap((i) => Array.from(test.tokens.subarray(3 * i, 3 * i + 3))))
  const logits = await modelLogits(model, tokens)
  const wrong = rows.flatMap((i, k) => {
    const row = logits[k]!
    const predicted = argmax(row)
    const expected = test.labels[i]!
    const [a, t, b] = Array.from(tokens.subarray(3 * k, 3 * k + 3)) as [number, number, number]
    return predicted === expected ? [] : [{ a, b, op: task.ops[test.opIndex[i]!]!.id, input: [a, t, b], predicted, expected, logits: row }]
  })
  return { wrong, checked: rows.length }
}

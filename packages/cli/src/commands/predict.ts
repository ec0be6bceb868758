// grokscope predict: logits and predicted residue for pairs (a, b).
import * as tf from '@tensorflow/tfjs-core'
import { compile, makeDataset } from '@grokscope/data'
import { chunkRanges, disposeInputs, disposeParams, forward, fromHost, measureFootprint, prepareInputs } from '@grokscope/model'
import { initBackend } from '../backend.js'
import { UsageError } from '../files.js'
import { fixed } from '../format.js'
import { DEFAULT_MEMORY_MIB, memoryPlan } from '../memory.js'
import { type LoadedModel, loadModel, splitTask } from '../model-file.js'

/** Parses `a,b` pairs; each value must be a residue of `p`. */
export const parsePairs = (pairs: ReadonlyArray<string>, p: number): Array<[number, number]> =>
  pairs.map((s) => {
    const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(s)
    if (m === null) throw new UsageError(`--pairs: "${s}" is not a pair (allowed: a,b with integers 0 ≤ a, b < ${p}, e.g. 3,5)`)
    const [a, b] = [Number(m[1]), Number(m[2])]
    if (a >= p || b >= p) throw new UsageError(`--pairs: "${s}" is out of range (allowed: 0 ≤ a, b < ${p})`)
    return [a, b]
  })

/** The model's logits for input rows `[a, op token, b]`, in chunks that fit the default memory budget. */
const logitsOf = async (model: LoadedModel, tokens: Int32Array): Promise<number[][]> => {
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

interface Prediction {
  readonly a: number
  readonly b: number
  readonly op: string
  readonly input: ReadonlyArray<number>
  readonly predicted: number
  readonly expected: number | null
  readonly logits: ReadonlyArray<number>
}

const printPredictions = (rows: ReadonlyArray<Prediction>, json: boolean | undefined): void => {
  if (json === true) {
    process.stdout.write(`${JSON.stringify(rows)}\n`)
    return
  }
  for (const r of rows) {
    const top = r.logits
      .map((y, c) => [c, y] as const)
      .sort((x, y) => y[1] - x[1])
      .slice(0, 3)
      .map(([c, y]) => `${c}: ${fixed(y, 3)}`)
      .join(', ')
    const expected = r.expected === null ? '' : r.expected === r.predicted ? ' ✓' : ` ✗ (expected ${r.expected})`
    process.stdout.write(`${r.op}(${r.a}, ${r.b}) = ${r.predicted}${expected}   top logits ${top}\n`)
  }
}

const argmax = (row: ReadonlyArray<number>): number => row.indexOf(Math.max(...row))

/**
 * The test pairs of the model's own split (a run's config.json, or the task an exported checkpoint or a
 * history file records) that the model gets wrong (every operation of a mixture, or `--op`'s), then how
 * many of the test pairs that is.
 */
const testErrors = async (target: string, model: LoadedModel, op: string | undefined, json: boolean | undefined): Promise<void> => {
  const task = splitTask(target, model, '--test-errors')
  const index = op === undefined ? null : opIndexOf(model, op)
  const test = makeDataset(task).test
  const rows = Array.from({ length: test.size }, (_, i) => i).filter((i) => index === null || test.opIndex[i] === index)
  const tokens = Int32Array.from(rows.flatMap((i) => Array.from(test.tokens.subarray(3 * i, 3 * i + 3))))
  const logits = await logitsOf(model, tokens)
  const wrong = rows.flatMap((i, k) => {
    const row = logits[k]!
    const predicted = argmax(row)
    const expected = test.labels[i]!
    const [a, t, b] = Array.from(tokens.subarray(3 * k, 3 * k + 3)) as [number, number, number]
    return predicted === expected ? [] : [{ a, b, op: task.ops[test.opIndex[i]!]!.id, input: [a, t, b], predicted, expected, logits: row }]
  })
  printPredictions(wrong, json)
  if (json !== true) process.stdout.write(`${wrong.length} of ${rows.length} test pairs wrong (test accuracy ${fixed(1 - wrong.length / Math.max(rows.length, 1), 4)})\n`)
}

const opIndexOf = (model: LoadedModel, op: string): number => {
  const { ops } = model.task
  const index = ops.findIndex((x) => x.id === op || x.op?.formula === op)
  if (index < 0) throw new UsageError(`--op: ${op} is not an operation of this model (allowed: ${ops.map((x) => x.id).join(', ')})`)
  return index
}

export const predictCommand = async (target: string, o: { pairs?: string[]; testErrors?: boolean; op?: string; json?: boolean }): Promise<void> => {
  if ((o.pairs === undefined) === (o.testErrors !== true)) throw new UsageError('give either --pairs (pairs such as 3,5 7,2) or --test-errors (the run’s test pairs it gets wrong)')
  const model = loadModel(target)
  const { p, ops } = model.task
  if (ops.length === 0) throw new UsageError(`${model.file}: the vocabulary has no operation token (d_vocab = ${model.config.dVocab}, p = ${p})`)
  if (o.pairs === undefined) return testErrors(target, model, o.op, o.json)
  const pairs = parsePairs(o.pairs, p)
  const index = o.op === undefined ? 0 : opIndexOf(model, o.op)
  const op = ops[index]!
  const truth = op.op !== null && op.op._tag === 'expr' ? compile(op.op.expr, p) : null
  const tokens = Int32Array.from(pairs.flatMap(([a, b]) => [a, p + index, b]))
  const logits = await logitsOf(model, tokens)
  printPredictions(
    pairs.map(([a, b], i) => ({ a, b, op: op.id, input: [a, p + index, b], predicted: argmax(logits[i]!), expected: truth?.(a, b) ?? null, logits: logits[i]! })),
    o.json,
  )
}

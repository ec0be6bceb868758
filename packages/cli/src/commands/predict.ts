// grokscope predict: logits and predicted residue for pairs (a, b).
import * as tf from '@tensorflow/tfjs-core'
import { compile } from '@grokscope/data'
import { chunkRanges, disposeInputs, disposeParams, forward, fromHost, measureFootprint, prepareInputs } from '@grokscope/model'
import { initBackend } from '../backend.js'
import { UsageError } from '../files.js'
import { fixed } from '../format.js'
import { DEFAULT_MEMORY_MIB, memoryPlan } from '../memory.js'
import { loadModel } from '../model-file.js'

/** Parses `a,b` pairs; each value must be a residue of `p`. */
export const parsePairs = (pairs: ReadonlyArray<string>, p: number): Array<[number, number]> =>
  pairs.map((s) => {
    const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(s)
    if (m === null) throw new UsageError(`--pairs: "${s}" is not a pair (allowed: a,b with integers 0 ≤ a, b < ${p}, e.g. 3,5)`)
    const [a, b] = [Number(m[1]), Number(m[2])]
    if (a >= p || b >= p) throw new UsageError(`--pairs: "${s}" is out of range (allowed: 0 ≤ a, b < ${p})`)
    return [a, b]
  })

export const predictCommand = async (target: string, o: { pairs: string[]; op?: string; json?: boolean }): Promise<void> => {
  const model = loadModel(target)
  const { p, ops } = model.task
  const pairs = parsePairs(o.pairs, p)
  if (ops.length === 0) throw new UsageError(`${model.file}: the vocabulary has no operation token (d_vocab = ${model.config.dVocab}, p = ${p})`)
  const index = o.op === undefined ? 0 : ops.findIndex((x) => x.id === o.op || x.op?.formula === o.op)
  if (index < 0) throw new UsageError(`--op: ${o.op} is not an operation of this model (allowed: ${ops.map((x) => x.id).join(', ')})`)
  const op = ops[index]!
  const truth = op.op !== null && op.op._tag === 'expr' ? compile(op.op.expr, p) : null
  await initBackend()
  const params = fromHost(model.config, model.host)
  // Forward passes over chunks of pairs that fit the default memory budget.
  const plan = memoryPlan(DEFAULT_MEMORY_MIB, 1, await measureFootprint(model.config, params))
  const chunk = typeof plan === 'string' ? 1 : plan.evalChunk
  const tokens = Int32Array.from(pairs.flatMap(([a, b]) => [a, p + index, b]))
  const logits: number[][] = []
  for (const [start, end] of chunkRanges(pairs.length, chunk)) {
    const inputs = prepareInputs(model.config, tokens.subarray(3 * start, 3 * end))
    const logitsT = forward(model.config, params, inputs)
    logits.push(...logitsT.arraySync())
    tf.dispose(logitsT)
    disposeInputs(inputs)
  }
  disposeParams(params)
  const rows = pairs.map(([a, b], i) => {
    const row = logits[i]!
    const predicted = row.indexOf(Math.max(...row))
    return { a, b, op: op.id, input: [a, p + index, b], predicted, expected: truth?.(a, b) ?? null, logits: row }
  })
  if (o.json === true) {
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
    process.stdout.write(`${r.op ?? 'op'}(${r.a}, ${r.b}) = ${r.predicted}${expected}   top logits ${top}\n`)
  }
}

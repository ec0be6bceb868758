// grokscope predict: logits and predicted residue for pairs (a, b).
import { type LoadedModel, type Prediction, UsageError, loadModel, predictPairs, testErrors } from '@grokscope/node'
import { fixed } from '../format.js'

/** Parses `a,b` pairs; each value must be a residue of `p`. */
export const parsePairs = (pairs: ReadonlyArray<string>, p: number): Array<[number, number]> =>
  pairs.map((s) => {
    const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(s)
    if (m === null) throw new UsageError(`--pairs: "${s}" is not a pair (allowed: a,b with integers 0 ≤ a, b < ${p}, e.g. 3,5)`)
    const [a, b] = [Number(m[1]), Number(m[2])]
    if (a >= p || b >= p) throw new UsageError(`--pairs: "${s}" is out of range (allowed: 0 ≤ a, b < ${p})`)
    return [a, b]
  })

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

const opIndexOf = (model: LoadedModel, op: string): number => {
  const { ops } = model.task
  const index = ops.findIndex((x) => x.id === op || x.op?.formula === op)
  if (index < 0) throw new UsageError(`--op: ${op} is not an operation of this model (allowed: ${ops.map((x) => x.id).join(', ')})`)
  return index
}

export const predictCommand = async (
  target: string,
  o: { pairs?: string[]; testErrors?: boolean; op?: string; json?: boolean },
): Promise<void> => {
  if ((o.pairs === undefined) === (o.testErrors !== true)) {
    throw new UsageError('give either --pairs (pairs such as 3,5 7,2) or --test-errors (the run’s test pairs it gets wrong)')
  }
  const model = loadModel(target)
  const { p, ops } = model.task
  if (ops.length === 0) {
    throw new UsageError(`${model.file}: the vocabulary has no operation token (d_vocab = ${model.config.dVocab}, p = ${p})`)
  }
  if (o.pairs === undefined) {
    const { wrong, checked } = await testErrors(target, model, o.op === undefined ? null : opIndexOf(model, o.op))
    printPredictions(wrong, o.json)
    if (o.json !== true) {
      process.stdout.write(
        `${wrong.length} of ${checked} test pairs wrong (test accuracy ${fixed(1 - wrong.length / Math.max(checked, 1), 4)})\n`,
      )
    }
    return
  }
  printPredictions(await predictPairs(model, parsePairs(o.pairs, p), o.op === undefined ? 0 : opIndexOf(model, o.op)), o.json)
}

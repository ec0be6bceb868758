/**
 * The vocabulary, all `p²` examples `[a, op, b] → c`, and the seeded
 * train/test split, for one operation or a mixture sharing one split.
 *
 * @example
 * import { decodeTask, makeDataset } from '@grokscope/data'
 * const task = decodeTask({ p: 31, ops: ['add', 'mul'], frac: 0.5, seed: 0 })
 * if (task._tag === 'Left') throw new Error('not a task')
 * const data = makeDataset(task.right)
 * data.train.size  // => 960
 * data.test.size   // => 962
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Task } from './Config.js'
import { trainSize } from './Config.js'
import { Mt19937, shuffleInPlace } from './internal/random.js'
import { type Operation, labelTable } from './Operation.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** Tokens `0..p-1` are residues; token `p + i` is the i-th operation of the run. */
export interface Vocabulary {
  readonly p: number
  readonly ops: ReadonlyArray<string>
  readonly dVocab: number
  /** A readable name per token: `"0"`, …, `"30"`, then the operations' ids. */
  readonly tokenNames: ReadonlyArray<string>
}

/** Examples in flat typed arrays: `tokens` is `[size, 3]` row-major `[a, op, b]`. */
export interface Examples {
  readonly size: number
  readonly tokens: Int32Array // [size, 3]
  readonly labels: Int32Array // [size]
  /** Index (into the run's operations) of each example's operation. */
  readonly opIndex: Int32Array // [size]
}

/** Pair indices `a*p + b`, split into train and test. */
export interface Split {
  readonly train: Int32Array
  readonly test: Int32Array
}

/** A task made concrete. */
export interface Dataset {
  readonly task: Task
  readonly vocab: Vocabulary
  readonly split: Split
  readonly train: Examples
  readonly test: Examples
}

// ─────────────────────────────────────────────────────────────────────────────
// constructors
// ─────────────────────────────────────────────────────────────────────────────

/** The vocabulary of a run over these operations. */
export const vocabulary = (p: number, ops: ReadonlyArray<Operation>): Vocabulary => ({
  p,
  ops: ops.map((op) => op.id),
  dVocab: p + ops.length,
  tokenNames: [...Array.from({ length: p }, (_, i) => String(i)), ...ops.map((op) => op.id)],
})

/**
 * The seeded split of the `p²` pairs: the pairs in `(a, b)` order, shuffled as
 * Python's `random.Random(seed).shuffle`, the first `⌊r·p²⌋` for training.
 * Equal to the PyTorch comparison program's split (`python/grokscope_torch.py`) for the same `p`, `r` and seed.
 */
export const splitPairs = (p: number, frac: number, seed: number): Split => {
  const pairs = shuffleInPlace(new Mt19937(seed), Int32Array.from({ length: p * p }, (_, i) => i))
  const n = trainSize(p, frac)
  return { train: pairs.slice(0, n), test: pairs.slice(n) }
}

/**
 * The examples of these pairs for every operation (operation-major order);
 * pairs without a label for an operation (division by zero) are left out.
 */
export const examplesOf = (p: number, ops: ReadonlyArray<Operation>, seed: number, pairs: Int32Array): Examples => {
  const tables = ops.map((op) => labelTable(op, p, seed))
  const size = tables.reduce((n, table) => n + pairs.reduce((k, pair) => k + (table[pair]! >= 0 ? 1 : 0), 0), 0)
  const tokens = new Int32Array(size * 3)
  const labels = new Int32Array(size)
  const opIndex = new Int32Array(size)
  let n = 0
  tables.forEach((table, i) => {
    for (const pair of pairs) {
      const c = table[pair]!
      if (c < 0) continue
      tokens[3 * n] = Math.floor(pair / p)
      tokens[3 * n + 1] = p + i
      tokens[3 * n + 2] = pair % p
      labels[n] = c
      opIndex[n] = i
      n++
    }
  })
  return { size, tokens, labels, opIndex }
}

/** The dataset of a decoded task. */
export const makeDataset = (task: Task): Dataset => {
  const split = splitPairs(task.p, task.frac, task.seed)
  return {
    task,
    vocab: vocabulary(task.p, task.ops),
    split,
    train: examplesOf(task.p, task.ops, task.seed, split.train),
    test: examplesOf(task.p, task.ops, task.seed, split.test),
  }
}

// ─────────────────────────────────────────────────────────────────────────────
// checks
// ─────────────────────────────────────────────────────────────────────────────

const countPerOp = (n: number, e: Examples): ReadonlyArray<number> => {
  const counts = new Array<number>(n).fill(0)
  for (const i of e.opIndex) counts[i]!++
  return counts
}

/**
 * Why a dataset cannot be trained and tested on, or `null`: an operation with no
 * defined pair mod p (`a/0`, `a/(b-b)`), or one whose defined pairs leave its
 * training or its test set empty.
 */
export const datasetProblem = (d: Dataset): string | null => {
  const { p, ops } = d.task
  const train = countPerOp(ops.length, d.train)
  const test = countPerOp(ops.length, d.test)
  for (const [i, op] of ops.entries()) {
    const nTrain = train[i]!
    const nTest = test[i]!
    if (nTrain + nTest === 0) {
      return `operation ${op.id} has no defined pair mod ${p} (every pair divides by 0): choose an operation defined on some pairs`
    }
    if (nTrain === 0 || nTest === 0) {
      return (
        `operation ${op.id} has ${nTrain + nTest} defined pairs mod ${p}, ` +
        `and the split leaves ${nTrain} for training and ${nTest} for testing (both must be non-empty): choose another operation, p or frac`
      )
    }
  }
  return null
}

/** The dataset of a task, or why it cannot be trained and tested on (`datasetProblem`). */
export const checkedDataset = (task: Task): E.Either<string, Dataset> => {
  const d = makeDataset(task)
  const problem = datasetProblem(d)
  return problem === null ? E.right(d) : E.left(problem)
}

import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type Task,
  checkedDataset,
  datasetProblem,
  decodeTask,
  formatErrors,
  labelTable,
  makeDataset,
  splitPairs,
  trainSize,
} from '../src/index.js'
import { Mt19937, shuffleInPlace } from '../src/internal/random.js'
import { fraction, prime, seed } from './arbitraries.js'
import { bigInverse, bigMod } from './oracle.js'

const task = (u: unknown): Task => {
  const r = decodeTask(u)
  if (E.isLeft(r)) throw new Error(formatErrors(r.left).join('; '))
  return r.right
}

/** Each operation's label by exact BigInt arithmetic, written from its name (`undefined`: no label); `rand` is its table. */
const LABELS: Readonly<Record<string, (a: bigint, b: bigint, p: bigint) => bigint | undefined>> = {
  add: (a, b, p) => bigMod(a + b, p),
  sub: (a, b, p) => bigMod(a - b, p),
  mul: (a, b, p) => bigMod(a * b, p),
  div: (a, b, p) => {
    const inv = bigInverse(b, p)
    return inv === undefined ? undefined : bigMod(a * inv, p)
  },
  'a2+b2': (a, b, p) => bigMod(a ** 2n + b ** 2n, p),
  '(a-b)3': (a, b, p) => bigMod((a - b) ** 3n, p),
}

const opsArb = fc.subarray(['add', 'sub', 'mul', 'div', 'a2+b2', 'rand', '(a-b)3'], { minLength: 1, maxLength: 3 })

describe('split', () => {
  it('the train and test sets partition all p² pairs', () => {
    fc.assert(
      fc.property(prime, fraction, seed, (p, r, s) => {
        const { train, test } = splitPairs(p, r, s)
        expect(train.length).toBe(trainSize(p, r))
        expect(train.length + test.length).toBe(p * p)
        expect(new Set([...train, ...test]).size).toBe(p * p)
      }),
    )
  })

  it('a larger fraction extends the training set of a smaller one with the same seed', () => {
    fc.assert(
      fc.property(prime, fraction, fraction, seed, (p, r1, r2, s) => {
        const [small, large] = [splitPairs(p, Math.min(r1, r2), s), splitPairs(p, Math.max(r1, r2), s)]
        expect(Array.from(large.train.subarray(0, small.train.length))).toEqual(Array.from(small.train))
        expect([...large.train, ...large.test]).toEqual([...small.train, ...small.test])
      }),
    )
  })

  it("the split is the PyTorch comparison program's: random.Random(seed).shuffle of the pairs, the first int(r·p²) for training", () => {
    // Printed by CPython 3.11 with python/grokscope_torch.py's split_pairs(p, frac, seed), pairs (a, b) written a*p + b.
    expect(Array.from(splitPairs(7, 0.3, 1).train)).toEqual([2, 15, 46, 9, 21, 29, 47, 5, 45, 14, 11, 32, 34, 26])
    expect(Array.from(splitPairs(5, 0.5, 0).train)).toEqual([14, 0, 23, 18, 6, 5, 7, 10, 22, 20, 4, 2])
    expect(Array.from(splitPairs(5, 0.5, 0).test)).toEqual([21, 3, 17, 11, 19, 9, 24, 15, 16, 8, 1, 13, 12])
    expect(Array.from(splitPairs(5, 0.3, 12345678901).train)).toEqual([2, 15, 0, 1, 24, 16, 14])
  })

  it("the shuffle equals CPython's random.Random(seed).shuffle", () => {
    // Printed by CPython 3.11: r = random.Random(seed); x = list(range(n)); r.shuffle(x)
    const shuffled = (s: number, n: number) => Array.from(shuffleInPlace(new Mt19937(s), Array.from({ length: n }, (_, i) => i)))
    expect(shuffled(0, 20)).toEqual([10, 18, 16, 14, 0, 17, 11, 2, 3, 9, 5, 7, 4, 19, 6, 15, 8, 1, 13, 12])
    expect(shuffled(12345678901, 10)).toEqual([8, 7, 3, 1, 0, 4, 2, 6, 5, 9])
  })
})

describe('examples', () => {
  it('every example is [a, p + op, b] labelled with the operation’s value (exact BigInt arithmetic), for train and test', () => {
    fc.assert(
      fc.property(prime, fraction, seed, opsArb, (p, r, s, ops) => {
        fc.pre(trainSize(p, r) >= 1 && trainSize(p, r) < p * p)
        const d = makeDataset(task({ p, ops, frac: r, seed: s }))
        const P = BigInt(p)
        const labelOf = d.task.ops.map((op) => {
          const f = LABELS[op.id]
          if (f !== undefined) return (a: number, b: number) => f(BigInt(a), BigInt(b), P)
          const table = labelTable(op, p, s) // rand: pinned to CPython in operation.test.ts
          return (a: number, b: number) => BigInt(table[a * p + b]!)
        })
        const wrong = (ex: typeof d.train) =>
          Array.from({ length: ex.size }, (_, i) => i).filter((i) => {
            const [a, t, b] = [ex.tokens[3 * i]!, ex.tokens[3 * i + 1]!, ex.tokens[3 * i + 2]!]
            const c = ex.labels[i]!
            return t !== p + ex.opIndex[i]! || c < 0 || BigInt(c) !== labelOf[ex.opIndex[i]!]!(a, b)
          })
        expect(wrong(d.train)).toEqual([])
        expect(wrong(d.test)).toEqual([])
        expect(d.vocab.dVocab).toBe(p + ops.length)
      }),
    )
  })

  it('a mixture gives every operation the same split of pairs', () => {
    fc.assert(
      fc.property(prime, fraction, seed, (p, r, s) => {
        fc.pre(trainSize(p, r) >= 1 && trainSize(p, r) < p * p)
        const d = makeDataset(task({ p, ops: ['add', 'mul'], frac: r, seed: s }))
        const pairsOf = (op: number) => {
          const out: number[] = []
          for (let i = 0; i < d.train.size; i++) {
            if (d.train.opIndex[i] === op) out.push(d.train.tokens[3 * i]! * p + d.train.tokens[3 * i + 2]!)
          }
          return out
        }
        expect(pairsOf(0)).toEqual(pairsOf(1))
        expect(pairsOf(0)).toEqual(Array.from(d.split.train))
      }),
    )
  })

  it('division leaves out exactly the pairs with b = 0', () => {
    const d = makeDataset(task({ p: 13, ops: ['div'], frac: 0.5, seed: 3 }))
    const bZero = (pairs: Int32Array) => pairs.filter((pair) => pair % 13 === 0).length
    expect(d.train.size).toBe(d.split.train.length - bZero(d.split.train))
    expect(d.test.size).toBe(d.split.test.length - bZero(d.split.test))
  })
})

describe('decodeTask', () => {
  it.each([
    [{ p: 91, ops: ['add'], frac: 0.3, seed: 0 }, 'p: 91 is not allowed (a prime from 3 to 997)'],
    [{ p: 1009, ops: ['add'], frac: 0.3, seed: 0 }, 'p: 1009 is not allowed (a prime from 3 to 997)'],
    [{ p: 97, ops: ['add'], frac: 1, seed: 0 }, 'frac: 1 is not allowed (a number with 0 < r < 1)'],
    [{ p: 97, ops: ['add'], frac: 0.3, seed: -1 }, 'seed: -1 is not allowed (an integer from 0 to 2^53 - 1)'],
    [{ p: 97, ops: ['add'], frac: 0.3, seed: 1.5 }, 'seed: 1.5 is not allowed'],
    [{ p: 97, ops: ['a +'], frac: 0.3, seed: 0 }, 'ops.0: not a registered operation id, and not a valid expression: column 4'],
    [{ p: 97, ops: [], frac: 0.3, seed: 0 }, 'ops: at least one operation is needed'],
    [{ p: 97, ops: ['add', 'a+b'], frac: 0.3, seed: 0 }, 'ops: add is listed twice'],
    [{ p: 3, ops: ['add'], frac: 0.01, seed: 0 }, 'frac: 0.01 leaves 0 of 9 pairs for training'],
  ])('%j is rejected with a readable error', (input, message) => {
    const r = decodeTask(input)
    expect(E.isLeft(r)).toBe(true)
    if (E.isLeft(r)) expect(formatErrors(r.left).join('\n')).toContain(message)
  })

  it('a valid task decodes to branded values and operations', () => {
    const t = task({ p: 97, ops: ['add', 'a^2 + b', 'a^2 + 3b'], frac: 0.3, seed: 0 })
    expect(t.p).toBe(97)
    expect(t.ops.map((op) => op.id)).toEqual(['add', 'a2+b', 'a^2 + 3*b'])
  })
})

describe('datasets that cannot be trained and tested on', () => {
  it('an operation with no defined pair, or one whose defined pairs leave a set empty, is a problem', () => {
    const problem = (ops: string[], p: number, frac: number, s = 0) => {
      const r = checkedDataset(task({ p, ops, frac, seed: s }))
      return E.isLeft(r) ? r.left : null
    }
    expect(problem(['a/0'], 11, 0.5)).toMatch(/^operation a\/0 has no defined pair mod 11 \(every pair divides by 0\)/)
    expect(problem(['a/(b-b)'], 11, 0.5)).toMatch(/has no defined pair mod 11/)
    expect(problem(['add', 'a/0'], 11, 0.5)).toMatch(/has no defined pair/)
    expect(problem(['add'], 11, 0.5)).toBeNull()
    // p = 3, r = 0.12: one training pair; with a seed that draws a pair (a, 0), div has none to train on.
    const s = Array.from({ length: 100 }, (_, i) => i).find((i) => splitPairs(3, 0.12, i).train[0]! % 3 === 0)!
    expect(problem(['div'], 3, 0.12, s)).toMatch(/has 6 defined pairs mod 3, and the split leaves 0 for training and 6 for testing/)
  })

  it('a task whose operations are defined everywhere never has a problem', () => {
    fc.assert(
      fc.property(prime, fraction, seed, (p, r, s) => {
        const t = decodeTask({ p, ops: ['add', 'mul'], frac: r, seed: s })
        if (E.isLeft(t)) return
        expect(datasetProblem(makeDataset(t.right))).toBeNull()
      }),
      { numRuns: 20 },
    )
  })
})

// Fuzzing of everything a user can hand this package: expression sources (via
// `parse`, `resolveOperation`, `customOperation`) and task descriptions (via
// `decodeTask` and the codecs). Each one answers with a value or a one-line
// error; none throws, hangs or overflows the stack. Every property states its
// number of runs.
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import type * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import {
  FractionCodec,
  MAX_EXPONENT,
  MAX_EXPRESSION_LENGTH,
  MAX_NESTING,
  MAX_P,
  MIN_P,
  OperationCodec,
  PrimeCodec,
  SeedCodec,
  TaskCodec,
  compile,
  customOperation,
  decodeTask,
  findOperation,
  formatErrors,
  formatParseError,
  labelTable,
  parse,
  print,
  resolveOperation,
  trainSize,
} from '../src/index.js'
import {
  TASK_PRIMES,
  anyValue,
  deeplyNested,
  grammarish,
  hugeExponent,
  hugeExpr,
  hugeNumbers,
  longInput,
  nearOperation,
  nearTask,
  parserInput,
  taskPrime,
} from './arbitraries.js'
import { bigModEval, isOneLine } from './oracle.js'

/**
 * The parser's contract on one source: a tree that prints back to itself and evaluates, or a one-line error at a column
 * within the source.
 */
const expectParseContract = (source: string): void => {
  const r = parse(source)
  if (E.isRight(r)) {
    expect(source.length).toBeLessThanOrEqual(MAX_EXPRESSION_LENGTH)
    expect(parse(print(r.right))).toEqual(r)
    expect(() => compile(r.right, 97)(3, 5)).not.toThrow()
  } else {
    expect(isOneLine(r.left.message)).toBe(true)
    expect(isOneLine(formatParseError(r.left))).toBe(true)
    expect(formatParseError(r.left)).toMatch(/^column \d+: /)
    expect(r.left.column).toBeGreaterThanOrEqual(1)
    expect(r.left.column).toBeLessThanOrEqual(Math.min(source.length, MAX_EXPRESSION_LENGTH) + 1)
  }
}

/** The decoder's contract on one input: a value, or errors that `formatErrors` renders as non-empty one-line messages. */
const expectDecodeContract = <A>(r: E.Either<t.Errors, A>): void => {
  if (E.isLeft(r)) {
    const lines = formatErrors(r.left)
    expect(lines.length).toBeGreaterThan(0)
    for (const line of lines) {
      expect(line.length).toBeGreaterThan(0)
      expect(isOneLine(line)).toBe(true)
    }
  }
}

const taskPrimes = new Set(TASK_PRIMES)

describe('parse: every source gives a tree or a one-line error, never an exception', () => {
  it('strings over the grammar’s alphabet and junk (numRuns 5000)', () => {
    fc.assert(fc.property(grammarish(60), expectParseContract), { numRuns: 5000 })
  })

  it('strings over the alphabet up to just past the length limit (numRuns 500)', () => {
    fc.assert(fc.property(grammarish(MAX_EXPRESSION_LENGTH + 10, 500, 'max'), expectParseContract), { numRuns: 500 })
  })

  it('very long inputs, up to 10^5 characters: beyond the limit, the length error (numRuns 300)', () => {
    fc.assert(
      fc.property(longInput, (source) => {
        expectParseContract(source)
        if (source.length > MAX_EXPRESSION_LENGTH) expect(parse(source)).toMatchObject(E.left({ column: MAX_EXPRESSION_LENGTH + 1 }))
      }),
      { numRuns: 300 },
    )
  })

  it('nesting up to 2·10^4 levels: balanced parentheses parse up to MAX_NESTING and are an error beyond (numRuns 500)', () => {
    fc.assert(fc.property(deeplyNested, expectParseContract), { numRuns: 500 })
    const parens = (n: number) => parse(`${'('.repeat(n)}a${')'.repeat(n)}`)
    expect(parens(MAX_NESTING)).toEqual(E.right({ _tag: 'var', name: 'a' }))
    expect(parens(MAX_NESTING + 1)).toMatchObject(
      E.left({ column: MAX_NESTING + 1, message: `parentheses and signs are nested more than ${MAX_NESTING} deep` }),
    )
    expect(parse(`${'-'.repeat(MAX_NESTING + 1)}a`)).toMatchObject(E.left({ column: MAX_NESTING + 1 }))
    expect(parens(10_000)).toMatchObject(E.left({ column: MAX_EXPRESSION_LENGTH + 1 }))
  })

  it('huge integers and exponents evaluate exactly at every p up to 997, ' +
    'or are an error about a too large or chained exponent (numRuns 1000)', () => {
    fc.assert(
      fc.property(hugeNumbers, taskPrime, fc.nat(), fc.nat(), (source, p, a0, b0) => {
        expectParseContract(source)
        const r = parse(source)
        if (E.isLeft(r)) {
          // Only an exponent beyond 2^53 − 1, or a chained '^' (the `(a+b)^2^N` shape), is refused.
          expect(r.left.message).toMatch(
            /^the exponent '[0-9…]+'( \(\d+ digits\))? is too large \(at most 2\^53 - 1 = 9007199254740991\)$|^chained '\^' is ambiguous/,
          )
          return
        }
        const [a, b] = [a0 % p, b0 % p]
        const want = bigModEval(r.right, BigInt(a), BigInt(b), BigInt(p))
        expect(compile(r.right, p)(a, b)).toBe(want === undefined ? undefined : Number(want))
      }),
      { numRuns: 1000 },
    )
    expect(E.isRight(parse('a^99999999999'))).toBe(true)
    expect(E.isRight(parse(`a^${MAX_EXPONENT}`))).toBe(true)
    expect(E.isLeft(parse(`a^${BigInt(MAX_EXPONENT) + 1n}`))).toBe(true)
  })

  it('the mixture of all of the above, through resolveOperation and customOperation (numRuns 2000)', () => {
    fc.assert(
      fc.property(parserInput, (source) => {
        for (const r of [resolveOperation(source), customOperation(source)]) {
          if (E.isLeft(r)) expect(isOneLine(formatParseError(r.left))).toBe(true)
          else expect(r.right.formula.length).toBeLessThanOrEqual(MAX_EXPRESSION_LENGTH)
        }
      }),
      { numRuns: 2000 },
    )
  })
})

describe('printed trees and evaluation with huge literals and exponents', () => {
  it('a printed tree parses back to the same tree (numRuns 1000)', () => {
    fc.assert(
      fc.property(hugeExpr, (e) => {
        const source = print(e)
        fc.pre(source.length <= MAX_EXPRESSION_LENGTH)
        expect(parse(source)).toEqual(E.right(e))
      }),
      { numRuns: 1000 },
    )
  })

  it('the compiled evaluator equals exact BigInt evaluation at every p up to 997, exponents up to 2^53 − 1 (numRuns 2000)', () => {
    fc.assert(
      fc.property(hugeExpr, taskPrime, fc.nat(), fc.nat(), (e, p, a0, b0) => {
        const [a, b] = [a0 % p, b0 % p]
        const want = bigModEval(e, BigInt(a), BigInt(b), BigInt(p))
        expect(compile(e, p)(a, b)).toBe(want === undefined ? undefined : Number(want))
      }),
      { numRuns: 2000 },
    )
  })

  it('the label table at p up to 997 with exponents up to 2^53 − 1 is exact, within the 30 s timeout (numRuns 4)', () => {
    fc.assert(
      fc.property(fc.constantFrom(983, 991, 997), hugeExponent, hugeExponent, (p, m, n) => {
        const op = customOperation(`a^${m} + 3b^${n} / (a + 1)`)
        if (E.isLeft(op) || op.right._tag !== 'expr') throw new Error('expected an expression')
        const table = labelTable(op.right, p, 0)
        const P = BigInt(p)
        for (const pair of [0, 1, p, p * p - 1, 12_345, (p - 1) * p]) {
          const want = bigModEval(op.right.expr, BigInt(Math.floor(pair / p)), BigInt(pair % p), P)
          expect(table[pair]).toBe(want === undefined ? -1 : Number(want))
        }
      }),
      { numRuns: 4 },
    )
  }, 30_000)
})

describe('decodeTask and the codecs: every input gives a value or one-line errors, never an exception', () => {
  it('any JavaScript value (numRuns 2000)', () => {
    fc.assert(fc.property(anyValue, (u) => expectDecodeContract(decodeTask(u))), { numRuns: 2000 })
  })

  it('any JSON value (numRuns 2000)', () => {
    fc.assert(fc.property(fc.jsonValue(), (u) => expectDecodeContract(decodeTask(u))), { numRuns: 2000 })
  })

  it('near-valid tasks: a decoded task satisfies every invariant of Task (numRuns 3000)', () => {
    fc.assert(
      fc.property(nearTask, (u) => {
        const r = decodeTask(u)
        expectDecodeContract(r)
        if (E.isRight(r)) {
          const { p, ops, frac, seed } = r.right
          expect(taskPrimes.has(p)).toBe(true)
          expect(p >= MIN_P && p <= MAX_P).toBe(true)
          expect(ops.length).toBeGreaterThan(0)
          expect(new Set(ops.map((op) => op.id)).size).toBe(ops.length)
          for (const op of ops) expect(findOperation(op.id) ?? (op._tag === 'expr' && E.isRight(parse(op.formula)))).toBeTruthy()
          expect(frac > 0 && frac < 1).toBe(true)
          expect(Number.isSafeInteger(seed) && seed >= 0).toBe(true)
          expect(trainSize(p, frac)).toBeGreaterThanOrEqual(1)
          expect(trainSize(p, frac)).toBeLessThan(p * p)
        }
      }),
      { numRuns: 3000 },
    )
  })

  it('each codec on any value and on near-valid operations (numRuns 1000)', () => {
    const codecs: ReadonlyArray<t.Decoder<unknown, unknown>> = [PrimeCodec, FractionCodec, SeedCodec, OperationCodec, TaskCodec]
    fc.assert(
      fc.property(fc.oneof(anyValue, nearOperation), (u) => {
        for (const codec of codecs) expectDecodeContract(codec.decode(u))
      }),
      { numRuns: 1000 },
    )
  })
})

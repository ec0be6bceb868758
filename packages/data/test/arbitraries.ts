// Shared generators for the data package's properties, with their bounded domains.
import fc from 'fast-check'
import { type Expr, MAX_EXPONENT, MAX_P, MIN_P, MAX_EXPRESSION_LENGTH, OPERATIONS, bin, int, neg, pow, variable } from '../src/index.js'

/** Small primes: enough for every law, fast enough for hundreds of runs. */
export const SMALL_PRIMES = [3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97] as const
export const MAX_LITERAL = 1_000
export const MAX_EXPONENT_SMALL = 9
export const MAX_DEPTH = 4

/** The primes up to `n`, by a sieve of Eratosthenes (independent of the package's `isPrime`). */
export const primesUpTo = (n: number): ReadonlyArray<number> => {
  const composite = new Uint8Array(n + 1)
  const out: number[] = []
  for (let i = 2; i <= n; i++) {
    if (composite[i]) continue
    out.push(i)
    for (let j = i * i; j <= n; j += i) composite[j] = 1
  }
  return out
}

/** Every modulus a task accepts: the primes in `[MIN_P, MAX_P]`. */
export const TASK_PRIMES = primesUpTo(MAX_P).filter((q) => q >= MIN_P)

export const prime = fc.constantFrom(...SMALL_PRIMES)
/** Any prime a task accepts, up to 997. */
export const taskPrime = fc.constantFrom(...TASK_PRIMES)
export const fraction = fc.double({ min: 0.05, max: 0.95, noNaN: true })
export const seed = fc.nat({ max: 2 ** 31 - 1 })

export const expr: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true, maxDepth: MAX_DEPTH },
    fc.nat({ max: MAX_LITERAL }).map((n) => int(n)),
    fc.constantFrom<'a' | 'b'>('a', 'b').map(variable),
    tie('e').map(neg),
    fc.tuple(tie('e'), fc.nat({ max: MAX_EXPONENT_SMALL })).map(([b, n]) => pow(b, n)),
    fc.tuple(fc.constantFrom('+', '-', '*', '/' as const), tie('e'), tie('e')).map(([op, l, r]) => bin(op, l, r)),
  ),
})).e

// fuzzing: the inputs a user can hand the parser and the task decoder

/** The largest integer literal in huge trees: far beyond 2^53. */
export const MAX_HUGE_LITERAL = 10n ** 40n

/** Exponents of every size the grammar accepts, weighted towards the edges (2^31, 2^32, 2^53 − 1). */
export const hugeExponent: fc.Arbitrary<number> = fc.oneof(
  fc.nat({ max: 20 }),
  fc.integer({ min: 2 ** 31 - 3, max: 2 ** 32 + 3 }),
  fc.integer({ min: MAX_EXPONENT - 3, max: MAX_EXPONENT }),
  fc.maxSafeNat(),
)

/** Expression trees with huge literals and exponents. */
export const hugeExpr: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true, maxDepth: MAX_DEPTH },
    fc.bigInt({ min: 0n, max: MAX_HUGE_LITERAL }).map((n) => int(n)),
    fc.constantFrom<'a' | 'b'>('a', 'b').map(variable),
    tie('e').map(neg),
    fc.tuple(tie('e'), hugeExponent).map(([b, n]) => pow(b, n)),
    fc.tuple(fc.constantFrom('+', '-', '*', '/' as const), tie('e'), tie('e')).map(([op, l, r]) => bin(op, l, r)),
  ),
})).e

/**
 * The grammar's characters, then junk: other letters, symbols, every kind of space and line break, control characters,
 * a lone surrogate, an emoji.
 */
export const GRAMMAR_CHARS = [...'0123456789ab+-*/^() \t'] as const
export const JUNK_CHARS = [
  ...'cxAB=.,;%!_[]{}"\'\\', '\n', '\r', '\v', '\f', '\0', '\u0085', '\u00a0', '\u2028', '\u2029', '\u200b', '\ud800',
  'é', '²', '−', '×', '😀',
] as const

/**
 * Strings over the grammar's alphabet with junk, one junk character in `1 + grammarWeight` on
 * average, up to `maxLength` characters (with `size: 'max'`, lengths spread over the whole range).
 */
export const grammarish = (maxLength: number, grammarWeight = 6, size: fc.SizeForArbitrary = 'small'): fc.Arbitrary<string> =>
  fc.string({
    unit: fc.oneof(
      { weight: grammarWeight, arbitrary: fc.constantFrom(...GRAMMAR_CHARS) },
      { weight: 1, arbitrary: fc.constantFrom(...JUNK_CHARS) },
    ),
    maxLength,
    size,
  })

/** Fragments that repeat into very long inputs (valid ones, and ones that break anywhere). */
const FRAGMENTS = [
  'a', 'b', '+', '-', '*', '/', '^', '(', ')', '2', '9999999999', 'ab', 'a+', '(a', 'b)', '^2', '-(', ' ', '\n', 'x',
] as const

/** Very long inputs, around and far beyond `MAX_EXPRESSION_LENGTH`: fragments repeated up to 10^5 characters. */
export const longInput: fc.Arbitrary<string> = fc
  .tuple(fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 100_000 }))
  .map(([parts, length]) => parts.join('').repeat(Math.ceil(length / parts.join('').length)).slice(0, length))

/** Nesting depths up to 2·10^4, weighted towards the small ones the grammar accepts. */
export const nestingDepth: fc.Arbitrary<number> = fc.oneof(fc.nat({ max: 150 }), fc.integer({ min: 150, max: 20_000 }))

/** Deeply nested inputs: balanced or unbalanced parentheses, chains of signs, and both mixed. */
export const deeplyNested: fc.Arbitrary<string> = fc
  .tuple(nestingDepth, fc.constantFrom('parens', 'open', 'close', 'signs', 'signed parens', 'power of parens'))
  .map(([n, shape]) => {
    switch (shape) {
      case 'parens':
        return `${'('.repeat(n)}a${')'.repeat(n)}`
      case 'open':
        return `${'('.repeat(n)}a`
      case 'close':
        return `a${')'.repeat(n)}`
      case 'signs':
        return `${'-'.repeat(n)}a`
      case 'signed parens':
        return `${'-('.repeat(n)}b${')'.repeat(n)}`
      case 'power of parens':
        return `${'('.repeat(n)}a${')^2'.repeat(n)}`
    }
  })

/** Integer literals and exponents of any size, in expressions: `a^99999999999`, `123…9 * b`, `(a+b)^2^3`. */
export const hugeNumbers: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(
      fc.bigInt({ min: 0n, max: 10n ** 30n }),
      fc.constantFrom(99999999999n, 2n ** 31n, 2n ** 32n + 1n, 2n ** 53n - 1n, 2n ** 53n, 10n ** 400n),
    ),
    fc.constantFrom('a^N', 'N', 'N*b', 'b^N + a', '(a+b)^N', '(a+b)^2^N', 'N^N', 'a^N/b', 'N / (a - b)'),
  )
  .map(([n, shape]) => shape.replaceAll('N', n.toString()))

/** Strings a user might hand the parser: over the alphabet, very long, deeply nested, with huge numbers. */
export const parserInput: fc.Arbitrary<string> = fc.oneof(
  grammarish(60),
  grammarish(MAX_EXPRESSION_LENGTH + 10, 500, 'max'),
  longInput,
  deeplyNested,
  hugeNumbers,
)

/** Registered ids, valid and broken expressions, junk strings and non-strings: what a user may list under `ops`. */
export const nearOperation: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...OPERATIONS.map((op) => op.id)) },
  { weight: 1, arbitrary: grammarish(30) },
  { weight: 1, arbitrary: fc.constantFrom(' add ', 'ADD', 'a+b', 'a + b', 'a +', '', 'a^99999999999', 'a^99999999999999999999') },
  { weight: 1, arbitrary: fc.anything() },
)

/** Task descriptions near valid ones: each field valid or slightly off, a field sometimes missing, extra fields. */
export const nearTask: fc.Arbitrary<unknown> = fc
  .tuple(
    fc.record({
      p: fc.oneof(
        { weight: 6, arbitrary: taskPrime },
        { weight: 2, arbitrary: fc.integer({ min: -5, max: MAX_P + 50 }) },
        { weight: 1, arbitrary: fc.constantFrom(2, 1, 0, -0, 1009, 91, 97.5, NaN, Infinity, -Infinity, 2 ** 53, '97', null) },
        { weight: 1, arbitrary: fc.double() },
      ),
      ops: fc.oneof({ weight: 6, arbitrary: fc.array(nearOperation, { maxLength: 4 }) }, { weight: 1, arbitrary: nearOperation }),
      frac: fc.oneof(
        { weight: 4, arbitrary: fc.double({ min: 0.01, max: 0.99, noNaN: true }) },
        { weight: 1, arbitrary: fc.constantFrom(0, -0, 1, 1e-300, 1 - 2 ** -53, 0.5, NaN, Infinity, '0.3', null) },
        { weight: 1, arbitrary: fc.double() },
      ),
      seed: fc.oneof(
        { weight: 4, arbitrary: fc.maxSafeNat() },
        { weight: 1, arbitrary: fc.constantFrom(-1, 1.5, 2 ** 53, -0, NaN, Infinity, '0', null) },
        { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.bigInt()) },
      ),
    }),
    fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('p', 'ops', 'frac', 'seed') }),
    fc.option(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }), { freq: 5 }),
  )
  .map(([task, missing, extra]) => {
    const out: Record<string, unknown> = { ...(extra ?? {}), ...task }
    if (missing !== null) delete out[missing]
    return out
  })

/** Any JavaScript value fast-check can make, with every option on: null prototypes, BigInts, boxed values, typed and sparse arrays. */
export const anyValue: fc.Arbitrary<unknown> = fc.anything({
  withNullPrototype: true,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withObjectString: true,
  withTypedArray: true,
  withSparseArray: true,
  stringUnit: 'binary',
})

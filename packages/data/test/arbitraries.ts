// Shared generators for the data package's properties, with their bounded domains.
import fc from 'fast-check'
import { type Expr, bin, int, neg, pow, variable } from '../src/index.js'

/** Small primes: enough for every law, fast enough for hundreds of runs. */
export const SMALL_PRIMES = [3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97] as const
export const MAX_LITERAL = 1_000
export const MAX_EXPONENT = 9
export const MAX_DEPTH = 4

export const prime = fc.constantFrom(...SMALL_PRIMES)
export const fraction = fc.double({ min: 0.05, max: 0.95, noNaN: true })
export const seed = fc.nat({ max: 2 ** 31 - 1 })

export const expr: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true, maxDepth: MAX_DEPTH },
    fc.nat({ max: MAX_LITERAL }).map((n) => int(n)),
    fc.constantFrom<'a' | 'b'>('a', 'b').map(variable),
    tie('e').map(neg),
    fc.tuple(tie('e'), fc.nat({ max: MAX_EXPONENT })).map(([b, n]) => pow(b, n)),
    fc.tuple(fc.constantFrom('+', '-', '*', '/' as const), tie('e'), tie('e')).map(([op, l, r]) => bin(op, l, r)),
  ),
})).e

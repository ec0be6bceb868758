// Shared generators for the measures' properties, with their bounded domains.
import fc from 'fast-check'
import { type Matrix, matrix } from '../src/index.js'

export const SMALL_ODD_PRIMES = [3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61] as const
export const MAX_COLS = 24
export const MAX_ABS = 10

export const prime = fc.constantFrom(...SMALL_ODD_PRIMES)

/** A `[p, n]` matrix with entries in `[-MAX_ABS, MAX_ABS]`. */
export const matrixOf = (p: number, minCols = 1): fc.Arbitrary<Matrix> =>
  fc
    .integer({ min: minCols, max: MAX_COLS })
    .chain((n) =>
      fc.array(fc.double({ min: -MAX_ABS, max: MAX_ABS, noNaN: true, noDefaultInfinity: true }), { minLength: p * n, maxLength: p * n }).map((xs) => matrix(p, n, xs)),
    )

/** A prime with a `[p, n]` matrix. */
export const primeAndMatrix: fc.Arbitrary<[number, Matrix]> = prime.chain((p) => matrixOf(p).map((w): [number, Matrix] => [p, w]))

/** A prime with a matrix whose entries are of magnitude at least 1e-3. */
export const nonDegenerate: fc.Arbitrary<[number, Matrix]> = primeAndMatrix.map(([p, w]): [number, Matrix] => [
  p,
  { ...w, data: w.data.map((x) => (x < 0 ? x - 1e-3 : x + 1e-3)) },
])

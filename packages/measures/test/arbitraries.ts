// Shared generators for the measures' properties, with their bounded domains.
import fc from 'fast-check'
import { type Matrix, type Spectrum, matrix } from '../src/index.js'

export const SMALL_ODD_PRIMES = [3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61] as const
export const MAX_COLS = 24
export const MAX_ABS = 10

export const prime = fc.constantFrom(...SMALL_ODD_PRIMES)

/** A `[p, n]` matrix with entries in `[-MAX_ABS, MAX_ABS]`. */
export const matrixOf = (p: number, minCols = 1): fc.Arbitrary<Matrix> =>
  fc
    .integer({ min: minCols, max: MAX_COLS })
    .chain((n) =>
      fc
        .array(fc.double({ min: -MAX_ABS, max: MAX_ABS, noNaN: true, noDefaultInfinity: true }), { minLength: p * n, maxLength: p * n })
        .map((xs) => matrix(p, n, xs)),
    )

/** A prime with a `[p, n]` matrix. */
export const primeAndMatrix: fc.Arbitrary<[number, Matrix]> = prime.chain((p) => matrixOf(p).map((w): [number, Matrix] => [p, w]))

/** A prime with a matrix whose entries are of magnitude at least 1e-3. */
export const nonDegenerate: fc.Arbitrary<[number, Matrix]> = primeAndMatrix.map(([p, w]): [number, Matrix] => [
  p,
  { ...w, data: w.data.map((x) => (x < 0 ? x - 1e-3 : x + 1e-3)) },
])

/** Sets of frequencies `1..K` with at least one member. */
const frequencySet = (K: number): fc.Arbitrary<ReadonlyArray<number>> =>
  fc.subarray(Array.from({ length: K }, (_, i) => i + 1), { minLength: 1 })

/**
 * A planted spectrum for FFD at threshold η: the `cos` rows in `cosKeys` and the `sin` rows in
 * `sinKeys` are above η of their maximum (the first of each is the maximum, 1), every other row
 * is at most η of it.
 */
export const plantedFfdSpectrum: fc.Arbitrary<{
  spectrum: Spectrum
  eta: number
  cosKeys: ReadonlyArray<number>
  sinKeys: ReadonlyArray<number>
}> = fc
  .tuple(prime, fc.double({ min: 0.05, max: 0.95, noNaN: true }))
  .chain(([p, eta]) => {
    const K = (p - 1) / 2
    const row = (keys: ReadonlyArray<number>) =>
      fc
        .tuple(
          fc.array(fc.double({ min: eta, max: 1, minExcluded: true, noNaN: true }), { minLength: K, maxLength: K }),
          fc.array(fc.double({ min: 0, max: eta, noNaN: true }), { minLength: K, maxLength: K }),
        )
        .map(([high, low]) =>
          Float64Array.from({ length: K }, (_, i) => (i + 1 === keys[0] ? 1 : keys.includes(i + 1) ? high[i]! : low[i]!)),
        )
    return fc.tuple(frequencySet(K), frequencySet(K)).chain(([cosKeys, sinKeys]) =>
      fc.tuple(row(cosKeys), row(sinKeys)).map(([cos, sin]) => ({ spectrum: { p, constant: 1, cos, sin }, eta, cosKeys, sinKeys })),
    )
  })

/**
 * A planted spectrum for FCR: per frequency, either no energy (`μ = ν = 0`, ratio 1 by definition)
 * or energy `c` on one of cos/sin and `r·c` on the other (ratio `r`, also `r = 0`).
 */
export const plantedFcrSpectrum: fc.Arbitrary<{ spectrum: Spectrum; ratios: ReadonlyArray<number> }> = prime.chain((p) => {
  const K = (p - 1) / 2
  const frequency = fc.oneof(
    fc.constant({ mu: 0, nu: 0, ratio: 1 }),
    fc
      .tuple(
        fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
        fc.oneof(fc.constant(0), fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
        fc.boolean(),
      )
      .map(([c, r, cosBiased]) => (cosBiased ? { mu: c, nu: r * c, ratio: r } : { mu: r * c, nu: c, ratio: r })),
  )
  return fc.array(frequency, { minLength: K, maxLength: K }).map((fs) => ({
    spectrum: { p, constant: 1, cos: Float64Array.from(fs, (f) => f.mu), sin: Float64Array.from(fs, (f) => f.nu) },
    ratios: fs.map((f) => f.ratio),
  }))
})

/** A `[p, n]` matrix whose column j is `Σ_k α[k][j] cos(2πkt/p) + β[k][j] sin(2πkt/p)`, every coefficient in `[0.1, 5]`. */
export const everyFrequencyPlanted: fc.Arbitrary<{ p: number; alpha: number[][]; beta: number[][]; w: Matrix }> = fc
  .tuple(prime, fc.integer({ min: 1, max: 8 }))
  .chain(([p, n]) => {
    const K = (p - 1) / 2
    const coefficients = fc.array(
      fc.array(fc.double({ min: 0.1, max: 5, noNaN: true }), { minLength: n, maxLength: n }),
      { minLength: K, maxLength: K },
    )
    return fc.tuple(coefficients, coefficients).map(([alpha, beta]) => ({
      p,
      alpha,
      beta,
      w: matrix(
        p,
        n,
        Array.from({ length: p * n }, (_, i) => {
          const [t, j] = [Math.floor(i / n), i % n]
          return alpha.reduce(
            (s, a, k) => s + a[j]! * Math.cos((2 * Math.PI * (k + 1) * t) / p) + beta[k]![j]! * Math.sin((2 * Math.PI * (k + 1) * t) / p),
            0,
          )
        }),
      ),
    }))
  })

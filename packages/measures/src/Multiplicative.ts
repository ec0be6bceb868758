/**
 * The multiplicative Fourier basis — grokscope's extension of the paper.
 *
 * For prime `p` the nonzero residues form a cyclic group of order `p − 1` under
 * multiplication: with a generator `g` every `a ≠ 0` is `g^i` for one
 * `i = log_g a ∈ ℤ_{p−1}`. Multiplication becomes addition of logarithms
 * (`log(ab) = log a + log b`), so a network that multiplies by rotating in
 * `i` has a sparse spectrum in the Fourier basis of ℤ_{p−1} over the rows
 * `W[g^0], W[g^1], …, W[g^{p−2}]`, the way addition is sparse in the usual basis
 * over `W[0..p−1]`. Residue 0 has no logarithm and is left out.
 *
 * @example
 * import { ffd, matrix, multiplicativeSpectrum, powersOf, spectrum } from '@grokscope/measures'
 * // Rows of ℤ_7 that turn with the discrete logarithm, as in a model that groks a*b: W[3^i] = (cos, sin)(2π·i/6), W[0] = 0
 * const W = new Float64Array(7 * 2)
 * powersOf(7).forEach((a, i) => W.set([Math.cos((Math.PI * i) / 3), Math.sin((Math.PI * i) / 3)], a * 2))
 * // frequency 1 of ℤ_6 alone: 2 of the 5 rows; spread over the additive basis
 * ffd(multiplicativeSpectrum(matrix(7, 2, W)))  // => 2 / 5
 * ffd(spectrum(matrix(7, 2, W)))  // => 4 / 6
 *
 * @since 0.1.0
 */
import { primitiveRoot } from '@grokscope/data'
import { type Spectrum, spectrum } from './Fourier.js'
import type { Matrix } from './Matrix.js'

/** The smallest generator of the multiplicative group of ℤ_p (`p` an odd prime), from `@grokscope/data`. */
export { primitiveRoot }

/** `g^0, g^1, …, g^{p−2}` mod p: the residues in discrete-logarithm order. */
export const powersOf = (p: number, g: number = primitiveRoot(p)): Int32Array => {
  const out = new Int32Array(p - 1)
  out[0] = 1
  for (let i = 1; i < p - 1; i++) out[i] = (out[i - 1]! * g) % p
  return out
}

/** The rows of `W` (`[p, m]`, rows = residues) reordered by discrete logarithm: `[p − 1, m]`, row `i` is `W[g^i]`. */
export const toLogOrder = (w: Matrix, g: number = primitiveRoot(w.rows)): Matrix => {
  const order = powersOf(w.rows, g)
  const data = new Float64Array((w.rows - 1) * w.cols)
  order.forEach((a, i) => data.set(w.data.subarray(a * w.cols, (a + 1) * w.cols), i * w.cols))
  return { rows: w.rows - 1, cols: w.cols, data }
}

/**
 * The spectrum of `W` in the multiplicative basis (Fourier basis of ℤ_{p−1} over
 * `W[g^i]`); `ffd` and `fcr` apply to it unchanged. `p ≥ 5`.
 */
export const multiplicativeSpectrum = (w: Matrix, g?: number): Spectrum => {
  if (w.rows < 5) throw new RangeError(`multiplicativeSpectrum: p must be a prime ≥ 5, got ${w.rows}`)
  return spectrum(toLogOrder(w, g))
}

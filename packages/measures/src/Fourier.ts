/**
 * The Fourier basis of ℤ_p and the spectrum of a matrix whose rows are indexed by residues.
 *
 * @example
 * import { fourierBasis, matrix, spectrum } from '@grokscope/measures'
 * fourierBasis(7).names  // => ['const', 'cos 1', 'sin 1', 'cos 2', 'sin 2', 'cos 3', 'sin 3']
 * // An embedding of ℤ_7 in two dimensions: the cosine and sine of frequency 2
 * const W = matrix(7, 2, Array.from({ length: 7 }, (_, a) => [Math.cos((4 * Math.PI * a) / 7), Math.sin((4 * Math.PI * a) / 7)]).flat())
 * const s = spectrum(W)  // s.cos[k-1] = μ_k, s.sin[k-1] = ν_k
 * // μ_2 = ν_2 = √(7/2)
 * Array.from(s.cos, (mu) => Math.round(mu * 1000) / 1000)  // => [0, 1.871, 0]
 *
 * @since 0.1.0
 */
import { sharedBasis } from './internal/basis.js'
import { type Matrix, mul, rowNorms } from './Matrix.js'

/** The orthonormal basis of ℤ_n as an `n × n` matrix with a name per row. */
export interface FourierBasis {
  readonly p: number
  /** `const`, `cos 1`, `sin 1`, …, `cos K`, `sin K` with `K = ⌊n/2⌋`; for even `n` the last row is `cos n/2` alone. Frozen. */
  readonly names: ReadonlyArray<string>
  /** The caller's own copy: writing into it affects nothing else. */
  readonly matrix: Matrix // [n, n]
}

/**
 * Norms of `B · W` per basis row: the constant, then `μ_k` (cos) for `k = 1..⌊n/2⌋`
 * and `ν_k` (sin) for `k = 1..⌊(n-1)/2⌋`. For odd `n` (every prime `p`) both have
 * `⌊p/2⌋` entries; for even `n` (the multiplicative group, `n = p − 1`) the last
 * cosine, `cos n/2`, has no sine.
 */
export interface Spectrum {
  readonly p: number
  readonly constant: number
  readonly cos: Float64Array // [⌊n/2⌋], index k-1
  readonly sin: Float64Array // [⌊(n-1)/2⌋], index k-1
}

/**
 * The orthonormal Fourier basis of ℤ_n for `n ≥ 3`: the constant `1/√n`, then
 * `cos(2πkt/n)` and `sin(2πkt/n)` for `k = 1..⌊n/2⌋`, each divided by its L2 norm
 * (for even `n`, `sin n/2` vanishes and is left out). The paper uses odd `n = p`.
 * Each call returns a fresh copy of the matrix (the cached basis stays private):
 * writing into it changes no measure.
 */
export const fourierBasis = (p: number): FourierBasis => {
  const { names, matrix } = sharedBasis(p)
  return { p, names, matrix: { rows: p, cols: p, data: matrix.data.slice() } }
}

/** The row index in the basis of `cos k`. */
export const cosRow = (k: number): number => 2 * k - 1
/** The row index in the basis of `sin k` (for even `n` and `k = n/2` there is none: the index is `n`). */
export const sinRow = (k: number): number => 2 * k

/** The rows of frequency `k` in the basis of ℤ_n: `const`, `cos k`, and `sin k` when it exists (`sinRow(k) < n`). */
export const frequencyRows = (n: number, k: number): ReadonlyArray<number> => (sinRow(k) < n ? [0, cosRow(k), sinRow(k)] : [0, cosRow(k)])

/** `B · W` for `W` of shape `[n, m]`: the Fourier coefficients of every column. */
export const transform = (w: Matrix): Matrix => mul(sharedBasis(w.rows).matrix, w)

/** The spectrum of `W` (`[n, m]`, rows indexed by ℤ_n): the row norms of `B · W`. */
export const spectrum = (w: Matrix): Spectrum => {
  const norms = rowNorms(transform(w))
  return {
    p: w.rows,
    constant: norms[0]!,
    cos: Float64Array.from({ length: Math.floor(w.rows / 2) }, (_, i) => norms[cosRow(i + 1)]!),
    sin: Float64Array.from({ length: Math.floor((w.rows - 1) / 2) }, (_, i) => norms[sinRow(i + 1)]!),
  }
}

/**
 * The Fourier basis of ℤ_p and the spectrum of a matrix whose rows are indexed by residues.
 *
 * @example
 * import { fourierBasis, spectrum, matrix } from '@grokscope/measures'
 * const B = fourierBasis(31)             // rows: const, cos 1, sin 1, …, cos 15, sin 15
 * const s = spectrum(matrix(31, 128, W)) // s.cos[k-1] = μ_k, s.sin[k-1] = ν_k
 *
 * @since 0.1.0
 */
import { type Matrix, mul, rowNorms } from './Matrix.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** The orthonormal basis of ℤ_n as an `n × n` matrix with a name per row. */
export interface FourierBasis {
  readonly p: number
  /** `const`, `cos 1`, `sin 1`, …, `cos K`, `sin K` with `K = ⌊n/2⌋`; for even `n` the last row is `cos n/2` alone. */
  readonly names: ReadonlyArray<string>
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

// ─────────────────────────────────────────────────────────────────────────────
// constructors
// ─────────────────────────────────────────────────────────────────────────────

const cache = new Map<number, FourierBasis>()

/**
 * The orthonormal Fourier basis of ℤ_n for `n ≥ 3`: the constant `1/√n`, then
 * `cos(2πkt/n)` and `sin(2πkt/n)` for `k = 1..⌊n/2⌋`, each divided by its L2 norm
 * (for even `n`, `sin n/2` vanishes and is left out). The paper uses odd `n = p`.
 */
export const fourierBasis = (p: number): FourierBasis => {
  if (!Number.isInteger(p) || p < 3) throw new RangeError(`fourierBasis: n must be an integer ≥ 3, got ${p}`)
  const hit = cache.get(p)
  if (hit !== undefined) return hit
  const data = new Float64Array(p * p)
  const names = ['const']
  data.fill(1 / Math.sqrt(p), 0, p)
  for (let k = 1; k <= p / 2; k++) {
    const c = Array.from({ length: p }, (_, t) => Math.cos((2 * Math.PI * k * t) / p))
    const cn = Math.hypot(...c)
    for (let t = 0; t < p; t++) data[(2 * k - 1) * p + t] = c[t]! / cn
    names.push(`cos ${k}`)
    if (2 * k === p) break
    const s = Array.from({ length: p }, (_, t) => Math.sin((2 * Math.PI * k * t) / p))
    const sn = Math.hypot(...s)
    for (let t = 0; t < p; t++) data[2 * k * p + t] = s[t]! / sn
    names.push(`sin ${k}`)
  }
  const basis = { p, names, matrix: { rows: p, cols: p, data } }
  cache.set(p, basis)
  return basis
}

/** The row index in the basis of `cos k` / `sin k`. */
export const cosRow = (k: number): number => 2 * k - 1
export const sinRow = (k: number): number => 2 * k

// ─────────────────────────────────────────────────────────────────────────────
// combinators
// ─────────────────────────────────────────────────────────────────────────────

/** `B · W` for `W` of shape `[n, m]`: the Fourier coefficients of every column. */
export const transform = (w: Matrix): Matrix => mul(fourierBasis(w.rows).matrix, w)

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

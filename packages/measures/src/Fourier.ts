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

/** The orthonormal basis as a `p × p` matrix with a name per row. */
export interface FourierBasis {
  readonly p: number
  /** `const`, `cos 1`, `sin 1`, …, `cos K`, `sin K` with `K = ⌊p/2⌋`. */
  readonly names: ReadonlyArray<string>
  readonly matrix: Matrix // [p, p]
}

/** Norms of `B · W` per basis row: the constant, then `μ_k` (cos) and `ν_k` (sin) for `k = 1..⌊p/2⌋`. */
export interface Spectrum {
  readonly p: number
  readonly constant: number
  readonly cos: Float64Array // [⌊p/2⌋], index k-1
  readonly sin: Float64Array // [⌊p/2⌋], index k-1
}

// ─────────────────────────────────────────────────────────────────────────────
// constructors
// ─────────────────────────────────────────────────────────────────────────────

const cache = new Map<number, FourierBasis>()

/**
 * The orthonormal Fourier basis of ℤ_p for odd `p ≥ 3`: the constant `1/√p`,
 * then `cos(2πkt/p)` and `sin(2πkt/p)` for `k = 1..⌊p/2⌋`, each divided by its L2 norm.
 */
export const fourierBasis = (p: number): FourierBasis => {
  if (!Number.isInteger(p) || p < 3 || p % 2 === 0) throw new RangeError(`fourierBasis: p must be an odd integer ≥ 3, got ${p}`)
  const hit = cache.get(p)
  if (hit !== undefined) return hit
  const data = new Float64Array(p * p)
  const names = ['const']
  data.fill(1 / Math.sqrt(p), 0, p)
  for (let k = 1; k <= (p - 1) / 2; k++) {
    const c = Array.from({ length: p }, (_, t) => Math.cos((2 * Math.PI * k * t) / p))
    const s = Array.from({ length: p }, (_, t) => Math.sin((2 * Math.PI * k * t) / p))
    const cn = Math.hypot(...c)
    const sn = Math.hypot(...s)
    for (let t = 0; t < p; t++) {
      data[(2 * k - 1) * p + t] = c[t]! / cn
      data[2 * k * p + t] = s[t]! / sn
    }
    names.push(`cos ${k}`, `sin ${k}`)
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

/** `B · W` for `W` of shape `[p, n]`: the Fourier coefficients of every column. */
export const transform = (w: Matrix): Matrix => mul(fourierBasis(w.rows).matrix, w)

/** The spectrum of `W` (`[p, n]`, rows indexed by residues): the row norms of `B · W`. */
export const spectrum = (w: Matrix): Spectrum => {
  const norms = rowNorms(transform(w))
  const K = (w.rows - 1) / 2
  return {
    p: w.rows,
    constant: norms[0]!,
    cos: Float64Array.from({ length: K }, (_, i) => norms[cosRow(i + 1)]!),
    sin: Float64Array.from({ length: K }, (_, i) => norms[sinRow(i + 1)]!),
  }
}

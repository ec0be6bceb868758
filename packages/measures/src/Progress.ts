/**
 * The paper's progress measures on a spectrum: FFD (alias FFS) and FCR.
 *
 * @example
 * import { fcr, ffd } from '@grokscope/measures'
 * // A spectrum of ℤ_7 (K = 3 frequencies) where frequency 2 dominates, its cosine twice its sine
 * const s = { p: 7, constant: 0, cos: Float64Array.of(0.1, 2, 0.1), sin: Float64Array.of(0.1, 1, 0.1) }
 * // μ_2 and ν_2 above η = 0.5 of the largest: 2 of the 6 rows
 * ffd(s)  // => 2 / 6
 * // min(μ_k/ν_k, ν_k/μ_k) averaged over the frequencies
 * fcr(s)  // => (1 + 0.5 + 1) / 3
 *
 * @since 0.1.0
 */
import type { Spectrum } from './Fourier.js'

/** The paper's default threshold for FFD. */
export const DEFAULT_ETA = 0.5

const countAbove = (xs: Float64Array, eta: number): number => {
  const max = xs.reduce((m, x) => Math.max(m, x), 0)
  return max === 0 ? 0 : xs.reduce((n, x) => n + (x / max > eta ? 1 : 0), 0)
}

/**
 * Fourier Frequency Density (arXiv v2: Fourier Frequency Sparsity, FFS):
 * `1/(2K) · Σ_k (1[μ_k/max μ > η] + 1[ν_k/max ν > η])`, `K = ⌊p/2⌋`.
 * Range `[1/K, 1]`; low means a few key frequencies dominate.
 * Zero case: if every `μ_k` (or every `ν_k`) is 0, none of them counts, so the
 * zero matrix has FFD 0. The denominator is the number of non-constant basis
 * rows (`2K` for odd `n`; `n − 1` in general, e.g. the multiplicative basis).
 */
export const ffd = (s: Spectrum, eta: number = DEFAULT_ETA): number =>
  (countAbove(s.cos, eta) + countAbove(s.sin, eta)) / (s.cos.length + s.sin.length)

/** Alias of `ffd`, the measure's name in the paper's arXiv v2. */
export const ffs = ffd

/** `min(μ/ν, ν/μ)`, with `0/0` defined as 1 (a frequency with no energy is balanced). */
export const cosSinRatio = (mu: number, nu: number): number =>
  mu === 0 && nu === 0 ? 1 : Math.min(mu, nu) / Math.max(mu, nu)

/**
 * Fourier Coefficient Ratio: `1/K · Σ_k min(μ_k/ν_k, ν_k/μ_k)`.
 * Range `[0, 1]` (`(0, 1]` when no coefficient vanishes); low means each
 * frequency is cosine- or sine-biased. A frequency with `μ_k = ν_k = 0` counts
 * as balanced (ratio 1); one with exactly one of them 0 has ratio 0. Only the
 * frequencies that have both a cosine and a sine count (for even `n`, not `n/2`).
 */
export const fcr = (s: Spectrum): number => s.sin.reduce((acc, nu, i) => acc + cosSinRatio(s.cos[i]!, nu), 0) / s.sin.length

/**
 * The cosines' share of a spectrum's non-constant energy, `Σ_k μ_k² / Σ_k (μ_k² + ν_k²)`: 1 when every frequency is
 * cosine only, ½ when cosines and sines carry equal energy, 0 when sines only; NaN when the spectrum has no
 * non-constant energy. FCR says whether each frequency is biased to one of the two; this says to which.
 *
 * @example
 * import { cosineShare } from '@grokscope/measures'
 * cosineShare({ p: 5, constant: 3, cos: Float64Array.of(3, 0), sin: Float64Array.of(0, 1) }) // => 0.9
 * Number.isNaN(cosineShare({ p: 5, constant: 1, cos: Float64Array.of(0, 0), sin: Float64Array.of(0, 0) })) // => true
 *
 * @since 0.4.0
 */
export const cosineShare = (s: Spectrum): number => {
  const cos = s.cos.reduce((acc, mu) => acc + mu * mu, 0)
  const sin = s.sin.reduce((acc, nu) => acc + nu * nu, 0)
  return cos + sin === 0 ? NaN : cos / (cos + sin)
}

/**
 * The norm of each frequency's part of a spectrum, `√(μ_k² + ν_k²)` (`μ_k` alone
 * for a frequency without a sine row): Nanda et al.'s "Fourier norms".
 */
export const fourierNorms = (s: Spectrum): Float64Array => Float64Array.from(s.cos, (mu, i) => Math.hypot(mu, s.sin[i] ?? 0))

/**
 * The Gini coefficient of non-negative values, `Σ_i (2i − n − 1)·x_(i) / (n·Σx)` over
 * the values sorted ascending (`i = 1..n`): 0 when all are equal, `(n − 1)/n` when
 * one holds everything; 0 for no values or all zeros. Nanda et al. (2023) track it
 * on the Fourier norms of `W_E` and `W_L`: it rises as the model becomes sparse in frequency.
 */
export const gini = (xs: ArrayLike<number>): number => {
  const sorted = Float64Array.from(xs).sort()
  const n = sorted.length
  const total = sorted.reduce((a, x) => a + x, 0)
  if (n === 0 || total === 0) return 0
  return sorted.reduce((a, x, i) => a + (2 * (i + 1) - n - 1) * x, 0) / (n * total)
}

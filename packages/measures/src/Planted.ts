/**
 * Planted logits with a known answer, for checking key-frequency rules: logits over all `p²` pairs
 * `L[a,b,c] = s·Σ_k α_k cos(ω_k(a+b−c))` (labels `a + b mod p`), plus terms the softmax cannot see
 * (independent of the output `c`), an optional term that mixes two frequencies (a residual) and
 * uniform noise. The property test of the rules (`test/key-rule.test.ts`) and
 * `scripts/key-rule-planted.mjs` (the same check at any p) build their models with it.
 *
 * @example
 * import { keyFrequencies, plantedLogits } from '@grokscope/measures'
 * const { logits, labels } = plantedLogits(23, { ks: [1, 6], alpha: [1, 1.5], margin: 16, distractors: [], noise: 0, seed: 1 })
 * keyFrequencies(logits, labels, 23).key  // => [1, 6]
 *
 * @since 0.1.0
 */

/** A term that does not depend on the output c (the softmax cannot see it), at frequency k with phases in a and b. */
export interface Distractor {
  readonly k: number
  readonly amp: number
  readonly phaseA: number
  readonly phaseB: number
}

/** A term that mixes two frequencies (the residual): `amp·cos(ω_x a)·cos(ω_y b)·u_c`, `u` uniform in [−1, 1] from `seed`. */
export interface Mixed {
  readonly x: number
  readonly y: number
  readonly amp: number
  readonly seed: number
}

/** A planted model: its frequencies and amplitudes, the clean margin, the terms around them and the noise. */
export interface Planted {
  readonly ks: ReadonlyArray<number>
  readonly alpha: ReadonlyArray<number>
  /** The margin of the clean logits between the answer and the nearest other class. */
  readonly margin: number
  /** Output-independent terms; their amplitudes are in units of the scale `s` of the planted part. */
  readonly distractors: ReadonlyArray<Distractor>
  readonly mixed?: Mixed
  /** Noise uniform in ±noise × the part of the margin the least needed frequency carries, on every logit. */
  readonly noise: number
  /** The noise's seed. */
  readonly seed: number
}

/** Uniform in [−1, 1), from a 32-bit seed (mulberry32). */
export const uniform = (seed: number): (() => number) => {
  let x = seed >>> 0
  return () => {
    x = (x + 0x6d2b79f5) >>> 0
    let t = Math.imul(x ^ (x >>> 15), 1 | x)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return (((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * 2 - 1
  }
}

/** `t ↦ cos(2π k t / p)` for integer k and t, from one table of p cosines. */
const cosines = (p: number): ((k: number, t: number) => number) => {
  const table = Float64Array.from({ length: p }, (_, t) => Math.cos((2 * Math.PI * t) / p))
  return (k, t) => table[(((k * t) % p) + p) % p]!
}

/** The smallest margin of `Σ α_k cos(ω_k(a+b−c))` between the answer (d = 0) and another class d. */
export const minMargin = (p: number, ks: ReadonlyArray<number>, alpha: ReadonlyArray<number>): number => {
  const cosOf = cosines(p)
  return Math.min(...Array.from({ length: p - 1 }, (_, i) => ks.reduce((s, k, j) => s + alpha[j]! * (1 - cosOf(k, i + 1)), 0)))
}

/** How much of the smallest margin the least needed planted frequency carries: `min_k (M − M_without k) / M`. */
export const leastShare = (p: number, ks: ReadonlyArray<number>, alpha: ReadonlyArray<number>): number => {
  const M = minMargin(p, ks, alpha)
  return (
    Math.min(
      ...ks.map((_, i) =>
        ks.length === 1 ? M : M - minMargin(p, ks.filter((_, j) => j !== i), alpha.filter((_, j) => j !== i)),
      ),
    ) / M
  )
}

/**
 * The logits of a planted model on all `p²` pairs (row `a·p + b`, `p` classes each) and their labels `a + b mod p`:
 * `L[a,b,c] = s·Σ_k α_k cos(ω_k(a+b−c)) + s·Σ_j A_j (cos(ω_j a + φ_j) + cos(ω_j b + ψ_j)) + mixed + noise`,
 * `s` such that the clean margin is `margin`.
 */
export const plantedLogits = (p: number, m: Planted): { readonly logits: Float64Array; readonly labels: Int32Array } => {
  const cosOf = cosines(p)
  const s = m.margin / minMargin(p, m.ks, m.alpha)
  const amplitude = m.noise * m.margin * leastShare(p, m.ks, m.alpha)
  const rand = uniform(m.seed)
  const mixedRand = uniform(m.mixed?.seed ?? 0)
  const u = Float64Array.from({ length: p }, () => mixedRand())
  const logits = new Float64Array(p * p * p)
  for (let a = 0; a < p; a++)
    for (let b = 0; b < p; b++) {
      const shift = m.distractors.reduce(
        (t, d) => t + s * d.amp * (Math.cos((2 * Math.PI * d.k * a) / p + d.phaseA) + Math.cos((2 * Math.PI * d.k * b) / p + d.phaseB)),
        0,
      )
      const mix = m.mixed === undefined ? 0 : m.mixed.amp * cosOf(m.mixed.x, a) * cosOf(m.mixed.y, b)
      for (let c = 0; c < p; c++) {
        logits[(a * p + b) * p + c] =
          s * m.ks.reduce((t, k, j) => t + m.alpha[j]! * cosOf(k, a + b - c), 0) + shift + mix * u[c]! + amplitude * rand()
      }
    }
  return { logits, labels: Int32Array.from({ length: p * p }, (_, pair) => (Math.floor(pair / p) + (pair % p)) % p) }
}

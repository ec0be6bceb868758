/**
 * Key frequencies of a model's logits, and the restricted / ablated losses (after
 * Nanda et al. 2023, as in the paper's appendix), computed from the logits on all
 * `p²` pairs in the 2-D Fourier basis.
 *
 * With `F = transform2d(L)`, the logits split exactly into
 * - the constant: the `(const, const)` entry (the mean logit of each class);
 * - one part per frequency `k`: the entries whose row and column are both in
 *   `{const, cos k, sin k}`, except `(const, const)` — the terms in `cos/sin(ωk·a)`,
 *   `cos/sin(ωk·b)` and their products, which is where `cos(ωk(a+b−c))` lives;
 * - the residual: every entry that mixes two different frequencies.
 *
 * Rule for the key frequencies: frequency `k`'s energy is `‖part k‖²`; `k` is key when
 * its energy is more than `threshold` (default 0.1) of the largest frequency's.
 *
 * @example
 * import { keyFrequencyAnalysis } from '@grokscope/measures'
 * const r = keyFrequencyAnalysis(logits, labels, 97)
 * r.key                  // e.g. [14, 35, 41]
 * r.losses.keyOnly       // restricted loss: constant + key frequencies
 * r.dependent            // frequencies whose removal raises the loss by more than 1e-9
 *
 * @since 0.1.0
 */
import { frequencyRows } from './Fourier.js'
import { sharedBasis } from './internal/basis.js'
import { transform2d } from './Logits.js'

/** The losses of the decomposition table (every one includes the constant part). */
export interface LossTable {
  readonly all: number
  readonly keyOnly: number
  readonly nonKeyOnly: number
  readonly residualOnly: number
  readonly keyAndNonKey: number
  readonly keyAndResidual: number
  readonly nonKeyAndResidual: number
}

/** Key frequencies of a model's logits: the energies, the key set, the loss decomposition and the ablations. */
export interface KeyFrequencyAnalysis {
  /** Energy of each frequency's part, index k−1. */
  readonly energy: Float64Array
  readonly threshold: number
  readonly key: ReadonlyArray<number>
  readonly losses: LossTable
  /** The loss with frequency k's part removed, index k−1. */
  readonly ablated: Float64Array
  /** Frequencies whose removal raises the loss by more than `DEPENDENT_RISE`. */
  readonly dependent: ReadonlyArray<number>
}

/** A frequency is key when its energy is more than this fraction of the largest frequency's. */
export const DEFAULT_KEY_THRESHOLD = 0.1
/** A frequency is dependent when removing it raises the loss by more than this. */
export const DEPENDENT_RISE = 1e-9

/** Mean cross-entropy (float64, stable for tiny losses) over the pairs with a label (`labels[pair] ≥ 0`). */
export const meanCrossEntropy = (logits: Float64Array, labels: Int32Array, n: number): number => {
  let total = 0
  let count = 0
  for (let pair = 0; pair < labels.length; pair++) {
    const y = labels[pair]!
    if (y < 0) continue
    const o = pair * n
    const ly = logits[o + y]!
    let m = 0
    for (let j = 0; j < n; j++) if (j !== y && logits[o + j]! - ly > m) m = logits[o + j]! - ly
    let rest = 0
    for (let j = 0; j < n; j++) if (j !== y) rest += Math.exp(logits[o + j]! - ly - m)
    total += m + Math.log1p(Math.expm1(-m) + rest)
    count++
  }
  return total / count
}

/** `Σ_{(i,j) ∈ entries} B[i,a] B[j,b] F[i,j,·]`: the logits of the given 2-D entries of `F = transform2d(logits)` (written into `out` when given). */
export const inverseOf = (F: Float64Array, p: number, n: number, entries: ReadonlyArray<readonly [number, number]>, out: Float64Array = new Float64Array(p * p * n)): Float64Array => {
  const B = sharedBasis(p).matrix.data // [p, p], shared: read only
  out.fill(0)
  for (const [i, j] of entries) {
    const coef = F.subarray((i * p + j) * n, (i * p + j + 1) * n)
    for (let a = 0; a < p; a++) {
      const ba = B[i * p + a]!
      if (ba === 0) continue
      for (let b = 0; b < p; b++) {
        const w = ba * B[j * p + b]!
        const o = (a * p + b) * n
        for (let c = 0; c < n; c++) out[o + c]! += w * coef[c]!
      }
    }
  }
  return out
}

const sum = (...xs: ReadonlyArray<Float64Array>): Float64Array => {
  const out = new Float64Array(xs[0]!.length)
  for (const x of xs) for (let i = 0; i < out.length; i++) out[i]! += x[i]!
  return out
}

/** The `(i, j)` entries of frequency k's part: row and column in `frequencyRows(p, k)`, not both the constant. */
export const frequencyEntries = (p: number, k: number): Array<readonly [number, number]> => {
  const rows = frequencyRows(p, k)
  return rows.flatMap((i) => rows.map((j) => [i, j] as const)).filter(([i, j]) => i !== 0 || j !== 0)
}

/**
 * Key frequencies, the loss decomposition and the ablated losses of logits
 * `L[a, b, c]` (at `(a·p + b)·n + c`) with labels per pair (`-1`: no label).
 */
export const keyFrequencyAnalysis = (logits: Float64Array, labels: Int32Array, p: number, n: number = p, threshold: number = DEFAULT_KEY_THRESHOLD): KeyFrequencyAnalysis => {
  if (labels.length !== p * p) throw new RangeError(`keyFrequencyAnalysis: ${labels.length} labels for ${p * p} pairs`)
  const F = transform2d(logits, p, n)
  const K = Math.floor(p / 2)
  const constant = inverseOf(F, p, n, [[0, 0]])
  const energy = Float64Array.from({ length: K }, (_, i) =>
    frequencyEntries(p, i + 1).reduce((s, [a, b]) => s + F.subarray((a * p + b) * n, (a * p + b + 1) * n).reduce((t, x) => t + x * x, 0), 0),
  )
  const max = Math.max(0, ...energy)
  const key = Array.from({ length: K }, (_, i) => i + 1).filter((k) => max > 0 && energy[k - 1]! / max > threshold)
  // One frequency's part at a time (memory: a few arrays of p²·n, not K of them): added to
  // the key or the non-key sum, then turned in place into the logits without it.
  const keyPart = new Float64Array(p * p * n)
  const nonKeyPart = new Float64Array(p * p * n)
  const part = new Float64Array(p * p * n)
  const ablated = new Float64Array(K)
  for (let k = 1; k <= K; k++) {
    inverseOf(F, p, n, frequencyEntries(p, k), part)
    const into = key.includes(k) ? keyPart : nonKeyPart
    for (let i = 0; i < part.length; i++) {
      into[i]! += part[i]!
      part[i] = logits[i]! - part[i]!
    }
    ablated[k - 1] = meanCrossEntropy(part, labels, n)
  }
  const residual = new Float64Array(logits.length)
  for (let i = 0; i < residual.length; i++) residual[i] = logits[i]! - constant[i]! - keyPart[i]! - nonKeyPart[i]!
  const ce = (...xs: Float64Array[]) => meanCrossEntropy(sum(constant, ...xs), labels, n)
  const all = meanCrossEntropy(logits, labels, n)
  return {
    energy,
    threshold,
    key,
    losses: {
      all,
      keyOnly: ce(keyPart),
      nonKeyOnly: ce(nonKeyPart),
      residualOnly: ce(residual),
      keyAndNonKey: ce(keyPart, nonKeyPart),
      keyAndResidual: ce(keyPart, residual),
      nonKeyAndResidual: ce(nonKeyPart, residual),
    },
    ablated,
    dependent: Array.from(ablated, (l, i) => [i + 1, l - all] as const)
      .filter(([, rise]) => rise > DEPENDENT_RISE)
      .map(([k]) => k),
  }
}

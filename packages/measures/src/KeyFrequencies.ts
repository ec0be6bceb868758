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
 * Rules for the key frequencies (`KeyRule`):
 * - `auto` (the default, factor 2): rank the frequencies by the energy of their part
 *   that the softmax sees (`‖part k‖²` after removing its mean over the output `c`,
 *   which no loss can notice), then take the shortest prefix of that ranking —
 *   possibly empty — whose restricted loss (constant + prefix) is at most `factor` ×
 *   the reference loss: the lower of the full loss and the loss of the constant with
 *   every frequency's part (no residual). If no prefix gets there, the prefix with the
 *   lowest restricted loss.
 *   Why: the set is meant to carry the model's answer, and this asks that of it
 *   directly, with no threshold on energies. A fixed energy cut depends on how the
 *   energy is shared: at p = 97 a grokked model (fast recipe) had its third frequency
 *   at 0.04 of the first's, below a 0.1 cut, and the restricted loss of the other two
 *   was 45× the full loss; a ratio of losses means the same at any p. Why the energy
 *   less its mean over `c`: a term in `cos(ωk·a)` alone, the same for every class, has
 *   energy but no effect on any loss, and must not push frequency k up the ranking.
 *   Factor 2: a restricted loss at most twice the full loss says the set does the
 *   model's job (Nanda et al. find the restricted loss even below the full loss once
 *   grokked: the other parts are noise), and the loss without one of the frequencies
 *   the model uses rises far more than that (e^margin-fold once it answers confidently).
 *   Why the lower of the two losses: the residual can cost more than it brings. At
 *   p = 23 (fast recipe, r = 0.5, test accuracy 0.89) the full loss was 0.28, the
 *   frequencies 6 and 1 alone already had 0.24 (within 2× of the full loss), yet adding
 *   9 (a W_E peak and the dominant frequency of a third of the neurons) brought it to
 *   2.6e-5 and every frequency together to 1.7e-3: measured against the full loss
 *   alone, a model that errs through its residual would lose a frequency it uses.
 *   When the rule succeeds the restricted loss is within the factor of the full loss too.
 *   A prefix, not the best subset: one pass in energy order costs one part and one loss
 *   per frequency added (a few at most once grokked), not 2^K subsets.
 * - `energy`: `k` is key when `‖part k‖²` is more than `threshold` (0.1 was the only
 *   rule before `auto`) of the largest frequency's.
 * - `list`: the frequencies given.
 *
 * Whatever the rule, `restrictedExcess` says when the restricted loss is more than
 * `KEY_WARN_FACTOR` (for `auto`: its factor) × the full loss: the key set does not
 * carry the model's answer.
 *
 * @example
 * import { keyFrequencies, keyFrequencyAnalysis, keyWarning, plantedLogits } from '@grokscope/measures'
 * // The logits of a circuit of a+b mod 23 with frequencies 1 and 6 on all pairs, and their labels
 * const { logits, labels } = plantedLogits(23, { ks: [1, 6], alpha: [1, 1.5], margin: 16, distractors: [], noise: 0, seed: 1 })
 * const k = keyFrequencies(logits, labels, 23)  // the key set alone (what --measure-every records)
 * k.key  // => [1, 6]
 * // the restricted loss of the constant alone, then with one more frequency each
 * k.prefixLosses.length  // => 3
 * k.restricted <= 2 * k.full  // => true
 * keyWarning(k)  // => null
 * const r = keyFrequencyAnalysis(logits, labels, 23)
 * // restricted loss: constant + key frequencies
 * r.losses.keyOnly === k.restricted  // => true
 * // the frequencies whose removal raises the loss by more than 1e-9
 * r.dependent  // => [1, 6]
 * // the old rule
 * keyFrequencyAnalysis(logits, labels, 23, 23, { kind: 'energy', threshold: 0.1 }).key  // => [1, 6]
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

/** How the key frequencies are chosen (see the module's comment). */
export type KeyRule =
  | { readonly kind: 'auto'; readonly factor: number }
  | { readonly kind: 'energy'; readonly threshold: number }
  | { readonly kind: 'list'; readonly frequencies: ReadonlyArray<number> }

/** The key frequencies a rule chooses from a model's logits, with the energies it ranks by and the restricted and full losses. */
export interface KeySelection {
  /** Energy of each frequency's part, index k−1. */
  readonly energy: Float64Array
  /** Energy of each frequency's part without its mean over the output `c` (what the softmax sees), index k−1: the `auto` rule's ranking. */
  readonly softmaxEnergy: Float64Array
  readonly rule: KeyRule
  /** In increasing order. */
  readonly key: ReadonlyArray<number>
  /**
   * `auto`: the restricted loss of each prefix tried (the constant alone first, then one more frequency each); empty
   * for the other rules.
   */
  readonly prefixLosses: ReadonlyArray<number>
  /** The loss of the logits restricted to the constant and the key frequencies' parts. */
  readonly restricted: number
  /** The loss of the logits. */
  readonly full: number
  /** The loss of the constant and every frequency's part (the logits less the residual). */
  readonly allFrequencies: number
  /** The factor over the full loss above which the restricted loss is an excess (`auto`: its factor; else `KEY_WARN_FACTOR`). */
  readonly warnFactor: number
  /** The restricted loss is more than `warnFactor` × the full loss: the key set does not carry the model's answer. */
  readonly restrictedExcess: boolean
}

/** Key frequencies of a model's logits: the selection, the loss decomposition and the ablations. */
export interface KeyFrequencyAnalysis extends KeySelection {
  /** `keyOnly` is the selection's `restricted`, `all` its `full`. */
  readonly losses: LossTable
  /** The loss with frequency k's part removed, index k−1. */
  readonly ablated: Float64Array
  /** Frequencies whose removal raises the loss by more than `DEPENDENT_RISE`. */
  readonly dependent: ReadonlyArray<number>
}

/** The `energy` rule's usual threshold (the only rule before `auto`): a fraction of the largest frequency's energy. */
export const DEFAULT_KEY_THRESHOLD = 0.1
/**
 * The `auto` rule's factor: the restricted loss of the key set is at most this × the lower of the full loss and the
 * loss of every frequency's part.
 */
export const DEFAULT_KEY_FACTOR = 2
/** The default rule: `auto` with factor 2. */
export const DEFAULT_KEY_RULE: KeyRule = { kind: 'auto', factor: DEFAULT_KEY_FACTOR }
/** For the `energy` and `list` rules: a restricted loss above this × the full loss is an excess. */
export const KEY_WARN_FACTOR = 2
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

/**
 * `Σ_{(i,j) ∈ entries} B[i,a] B[j,b] F[i,j,·]`: the logits of the given 2-D entries of `F = transform2d(logits)`
 * (written into `out` when given).
 */
export const inverseOf = (
  F: Float64Array,
  p: number,
  n: number,
  entries: ReadonlyArray<readonly [number, number]>,
  out: Float64Array = new Float64Array(p * p * n),
): Float64Array => {
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

/** The rule as `analyze --key-freqs` spells it: `auto:2`, `energy:0.1`, `6,29,42`. */
export const showKeyRule = (r: KeyRule): string =>
  r.kind === 'auto' ? `auto:${r.factor}` : r.kind === 'energy' ? `energy:${r.threshold}` : r.frequencies.join(',')

/** The rule in words, for a summary: how the key set was chosen. */
export const describeKeyRule = (r: KeyRule): string =>
  r.kind === 'auto'
    ? `the fewest by energy whose restricted loss is within ${r.factor}× the lower of the full loss and that of all frequencies`
    : r.kind === 'energy'
      ? `energy > ${r.threshold} of the largest`
      : 'as given'

/** One line on a key set whose restricted loss is an excess (`restrictedExcess`), else `null`. */
export const keyWarning = (kf: KeySelection): string | null => {
  if (!kf.restrictedExcess) return null
  const ratio = kf.full > 0 ? `${(kf.restricted / kf.full).toPrecision(3)}×` : 'infinitely many times'
  return (
    `the restricted loss ${kf.restricted.toPrecision(3)} of the key frequencies {${kf.key.join(', ')}} is ${ratio} the full loss ` +
    `${kf.full.toPrecision(3)} (more than ${kf.warnFactor}×): they do not carry the model's answer`
  )
}

/** `‖part k‖²` over the part's entries of `F`, less `n·(mean over c)²` per entry when `centred`. */
const partEnergy = (F: Float64Array, p: number, n: number, k: number, centred: boolean): number =>
  frequencyEntries(p, k).reduce((s, [a, b]) => {
    const x = F.subarray((a * p + b) * n, (a * p + b + 1) * n)
    const sq = x.reduce((t, v) => t + v * v, 0)
    const mean = x.reduce((t, v) => t + v, 0) / n
    return s + (centred ? sq - n * mean * mean : sq)
  }, 0)

/**
 * The constant part plus the parts of `ks` one by one, with the loss after each
 * (`losses[m]`: the constant and the first `m`), until `stop(loss)` holds.
 */
const addParts = (
  F: Float64Array,
  labels: Int32Array,
  p: number,
  n: number,
  ks: ReadonlyArray<number>,
  stop: (loss: number) => boolean,
): ReadonlyArray<number> => {
  const restricted = inverseOf(F, p, n, [[0, 0]])
  const part = new Float64Array(restricted.length)
  const losses = [meanCrossEntropy(restricted, labels, n)]
  for (const k of ks) {
    if (stop(losses.at(-1)!)) break
    inverseOf(F, p, n, frequencyEntries(p, k), part)
    for (let i = 0; i < part.length; i++) restricted[i]! += part[i]!
    losses.push(meanCrossEntropy(restricted, labels, n))
  }
  return losses
}

const checkInputs = (name: string, labels: Int32Array, p: number, rule: KeyRule): void => {
  if (labels.length !== p * p) throw new RangeError(`${name}: ${labels.length} labels for ${p * p} pairs`)
  const K = Math.floor(p / 2)
  if (rule.kind === 'list' && rule.frequencies.some((k) => !Number.isInteger(k) || k < 1 || k > K)) {
    throw new RangeError(`${name}: the frequencies ${rule.frequencies.join(',')} are not all in 1..${K}`)
  }
}

/** `keyFrequencies` on the 2-D transform `F` of the logits. */
const select = (F: Float64Array, logits: Float64Array, labels: Int32Array, p: number, n: number, rule: KeyRule): KeySelection => {
  const K = Math.floor(p / 2)
  const energy = Float64Array.from({ length: K }, (_, i) => partEnergy(F, p, n, i + 1, false))
  const softmaxEnergy = Float64Array.from({ length: K }, (_, i) => partEnergy(F, p, n, i + 1, true))
  const full = meanCrossEntropy(logits, labels, n)
  const allEntries = Array.from({ length: K }, (_, i) => frequencyEntries(p, i + 1)).flat()
  const allFrequencies = meanCrossEntropy(inverseOf(F, p, n, [[0, 0], ...allEntries]), labels, n)
  const warnFactor = rule.kind === 'auto' ? rule.factor : KEY_WARN_FACTOR
  const ranked = Array.from({ length: K }, (_, i) => i + 1).sort((x, y) => softmaxEnergy[y - 1]! - softmaxEnergy[x - 1]! || x - y)
  const chosen = (): { key: ReadonlyArray<number>; prefixLosses: ReadonlyArray<number>; restricted: number } => {
    if (rule.kind === 'auto') {
      const bar = rule.factor * Math.min(full, allFrequencies)
      const losses = addParts(F, labels, p, n, ranked, (l) => l <= bar)
      const within = losses.findIndex((l) => l <= bar)
      const size = within >= 0 ? within : losses.indexOf(Math.min(...losses))
      return { key: ranked.slice(0, size), prefixLosses: losses, restricted: losses[size]! }
    }
    const max = Math.max(0, ...energy)
    const key =
      rule.kind === 'list' ? [...new Set(rule.frequencies)] : ranked.filter((k) => max > 0 && energy[k - 1]! / max > rule.threshold)
    return { key, prefixLosses: [], restricted: addParts(F, labels, p, n, key, () => false).at(-1)! }
  }
  const { key, prefixLosses, restricted } = chosen()
  return {
    energy,
    softmaxEnergy,
    rule,
    key: [...key].sort((x, y) => x - y),
    prefixLosses,
    restricted,
    full,
    allFrequencies,
    warnFactor,
    restrictedExcess: restricted > warnFactor * full,
  }
}

/**
 * The key frequencies of logits `L[a, b, c]` (at `(a·p + b)·n + c`) with labels per
 * pair (`-1`: no label) by `rule` (default `auto` with factor 2), with the restricted
 * and full losses; without `keyFrequencyAnalysis`'s decomposition and ablations. A
 * `list` rule's frequencies must be in `1..⌊p/2⌋`.
 */
export const keyFrequencies = (
  logits: Float64Array,
  labels: Int32Array,
  p: number,
  n: number = p,
  rule: KeyRule = DEFAULT_KEY_RULE,
): KeySelection => {
  checkInputs('keyFrequencies', labels, p, rule)
  return select(transform2d(logits, p, n), logits, labels, p, n, rule)
}

/**
 * Key frequencies (`keyFrequencies`), the loss decomposition and the ablated losses of
 * logits `L[a, b, c]` (at `(a·p + b)·n + c`) with labels per pair (`-1`: no label).
 */
export const keyFrequencyAnalysis = (
  logits: Float64Array,
  labels: Int32Array,
  p: number,
  n: number = p,
  rule: KeyRule = DEFAULT_KEY_RULE,
): KeyFrequencyAnalysis => {
  checkInputs('keyFrequencyAnalysis', labels, p, rule)
  const F = transform2d(logits, p, n)
  const K = Math.floor(p / 2)
  const selection = select(F, logits, labels, p, n, rule)
  const { key } = selection
  const constant = inverseOf(F, p, n, [[0, 0]])
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
  const all = selection.full
  return {
    ...selection,
    losses: {
      all,
      keyOnly: selection.restricted,
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

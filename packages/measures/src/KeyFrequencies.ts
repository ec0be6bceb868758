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
import { partRows } from './internal/parts.js'
import { type PairSpectra, type RowSink, entryOf, feedRows, pairSpectraSink } from './PairSpectra.js'

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

/**
 * A running sum of cross-entropies over pairs, in the order they are added.
 *
 * @since 0.5.0
 */
export interface LossSum {
  total: number
  count: number
}

/**
 * Adds the cross-entropy of `pairs` rows of `logits` (`n` each, from index 0), labelled `labels[first + q]` (skipped when < 0).
 *
 * @since 0.5.0
 */
export const addCrossEntropy = (sum: LossSum, logits: Float64Array, labels: Int32Array, first: number, pairs: number, n: number): void => {
  for (let q = 0; q < pairs; q++) {
    const y = labels[first + q]!
    if (y < 0) continue
    const o = q * n
    const ly = logits[o + y]!
    let m = 0
    for (let j = 0; j < n; j++) if (j !== y && logits[o + j]! - ly > m) m = logits[o + j]! - ly
    let rest = 0
    for (let j = 0; j < n; j++) if (j !== y) rest += Math.exp(logits[o + j]! - ly - m)
    sum.total += m + Math.log1p(Math.expm1(-m) + rest)
    sum.count++
  }
}

/** Mean cross-entropy (float64, stable for tiny losses) over the pairs with a label (`labels[pair] ≥ 0`). */
export const meanCrossEntropy = (logits: Float64Array, labels: Int32Array, n: number): number => {
  const sum = { total: 0, count: 0 }
  addCrossEntropy(sum, logits, labels, 0, labels.length, n)
  return sum.total / sum.count
}

/**
 * A sink of the rows of the logits (`RowSink`) whose `mean()` is their `meanCrossEntropy` with `labels` (per pair `a·p + b`).
 *
 * @since 0.5.0
 */
export const crossEntropySink = (labels: Int32Array, p: number, n: number): RowSink & { readonly mean: () => number } => {
  const sum = { total: 0, count: 0 }
  return { addRow: (a, row) => addCrossEntropy(sum, row, labels, a * p, p, n), mean: () => sum.total / sum.count }
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
const partEnergy = (s: PairSpectra, k: number, centred: boolean): number =>
  frequencyEntries(s.p, k).reduce((sum, [i, j]) => {
    const x = entryOf(s, i, j)
    const sq = x.reduce((t, v) => t + v * v, 0)
    const mean = x.reduce((t, v) => t + v, 0) / s.n
    return sum + (centred ? sq - s.n * mean * mean : sq)
  }, 0)

/**
 * The restricted loss of the constant with the parts of `ks` added one by one (`losses[m]`: the constant and the first
 * `m`), computed until the first `m` whose loss meets `stop`, or for every `m`. Each row `a` is rebuilt from the
 * spectra; the prefixes are evaluated in rounds (4, then twice as many each round) so that a rule that stops early does
 * not pay for the long prefixes, and a round adds one part per prefix, never rebuilding one from scratch.
 */
const prefixLosses = (
  s: PairSpectra,
  labels: Int32Array,
  ks: ReadonlyArray<number>,
  stop: (loss: number) => boolean,
): ReadonlyArray<number> => {
  const { p, n } = s
  const row = new Float64Array(p * n)
  const losses: number[] = []
  for (let from = 0, size = 4; from <= ks.length; from += size, size *= 2) {
    const to = Math.min(ks.length + 1, from + size)
    const sums = Array.from({ length: to - from }, () => ({ total: 0, count: 0 }))
    for (let a = 0; a < p; a++) {
      const parts = partRows(s, a)
      parts.constant(row)
      for (let m = 0; m < from; m++) parts.add(ks[m]!, row)
      for (let m = from; m < to; m++) {
        if (m > from) parts.add(ks[m - 1]!, row)
        addCrossEntropy(sums[m - from]!, row, labels, a * p, p, n)
      }
    }
    for (const sum of sums) {
      losses.push(sum.total / sum.count)
      if (stop(losses.at(-1)!)) return losses
    }
  }
  return losses
}

/** The loss of the constant with the parts of every frequency in `ks` (one loss per pair, not one per prefix). */
const restrictedLoss = (s: PairSpectra, labels: Int32Array, ks: ReadonlyArray<number>): number => {
  const { p, n } = s
  const row = new Float64Array(p * n)
  const sum = { total: 0, count: 0 }
  for (let a = 0; a < p; a++) {
    const parts = partRows(s, a)
    parts.constant(row)
    for (const k of ks) parts.add(k, row)
    addCrossEntropy(sum, row, labels, a * p, p, n)
  }
  return sum.total / sum.count
}

/** The loss of the logits less their residual: the constant with every frequency's part. */
const allFrequenciesLoss = (s: PairSpectra, labels: Int32Array): number => {
  const { p, n } = s
  const row = new Float64Array(p * n)
  const sum = { total: 0, count: 0 }
  for (let a = 0; a < p; a++) {
    partRows(s, a).all(row)
    addCrossEntropy(sum, row, labels, a * p, p, n)
  }
  return sum.total / sum.count
}

const checkInputs = (name: string, labels: Int32Array, p: number, rule: KeyRule): void => {
  if (labels.length !== p * p) throw new RangeError(`${name}: ${labels.length} labels for ${p * p} pairs`)
  const K = Math.floor(p / 2)
  if (rule.kind === 'list' && rule.frequencies.some((k) => !Number.isInteger(k) || k < 1 || k > K)) {
    throw new RangeError(`${name}: the frequencies ${rule.frequencies.join(',')} are not all in 1..${K}`)
  }
}

/**
 * The key frequencies by `rule` from the `PairSpectra` of the logits (`pairSpectraSink` fed their rows) and their full
 * loss (`crossEntropySink`): what `keyFrequencies` returns, without the logits themselves. A `list` rule's
 * frequencies must be in `1..⌊p/2⌋`.
 *
 * @since 0.5.0
 */
export const keySelection = (s: PairSpectra, labels: Int32Array, full: number, rule: KeyRule = DEFAULT_KEY_RULE): KeySelection => {
  const { p } = s
  checkInputs('keySelection', labels, p, rule)
  const K = Math.floor(p / 2)
  const frequencies = Array.from({ length: K }, (_, i) => i + 1)
  const energy = Float64Array.from(frequencies, (k) => partEnergy(s, k, false))
  const softmaxEnergy = Float64Array.from(frequencies, (k) => partEnergy(s, k, true))
  const allFrequencies = allFrequenciesLoss(s, labels)
  const warnFactor = rule.kind === 'auto' ? rule.factor : KEY_WARN_FACTOR
  const ranked = [...frequencies].sort((x, y) => softmaxEnergy[y - 1]! - softmaxEnergy[x - 1]! || x - y)
  const chosen = (): { key: ReadonlyArray<number>; prefixLosses: ReadonlyArray<number>; restricted: number } => {
    if (rule.kind === 'auto') {
      const bar = rule.factor * Math.min(full, allFrequencies)
      const losses = prefixLosses(s, labels, ranked, (l) => l <= bar)
      const within = losses.findIndex((l) => l <= bar)
      const size = within >= 0 ? within : losses.indexOf(Math.min(...losses))
      return { key: ranked.slice(0, size), prefixLosses: losses, restricted: losses[size]! }
    }
    const max = Math.max(0, ...energy)
    const key =
      rule.kind === 'list' ? [...new Set(rule.frequencies)] : ranked.filter((k) => max > 0 && energy[k - 1]! / max > rule.threshold)
    return { key, prefixLosses: [], restricted: restrictedLoss(s, labels, key) }
  }
  const { key, prefixLosses: tried, restricted } = chosen()
  return {
    energy,
    softmaxEnergy,
    rule,
    key: [...key].sort((x, y) => x - y),
    prefixLosses: tried,
    restricted,
    full,
    allFrequencies,
    warnFactor,
    restrictedExcess: restricted > warnFactor * full,
  }
}

/**
 * A sink of the rows of the logits (`RowSink`, the rows `PairSpectra` `s` was made of, fed again) whose `analysis()` is
 * `keyFrequencyAnalysis` of them: the selection with the loss decomposition and the ablated losses, accumulated row by
 * row (memory: a few rows of p·n).
 *
 * @since 0.5.0
 */
export const keyLossesSink = (
  s: PairSpectra,
  selection: KeySelection,
  labels: Int32Array,
): RowSink & { readonly analysis: () => KeyFrequencyAnalysis } => {
  const { p, n } = s
  const K = Math.floor(p / 2)
  const isKey = new Set(selection.key)
  const rowOf = () => new Float64Array(p * n)
  const [constant, keyPart, nonKeyPart, part, residual, tmp] = [rowOf(), rowOf(), rowOf(), rowOf(), rowOf(), rowOf()]
  const sumOf = () => ({ total: 0, count: 0 })
  const ablated = Array.from({ length: K }, sumOf)
  const combos = { nonKeyOnly: sumOf(), residualOnly: sumOf(), keyAndNonKey: sumOf(), keyAndResidual: sumOf(), nonKeyAndResidual: sumOf() }
  const ce = (sum: LossSum, a: number, ...xs: ReadonlyArray<Float64Array>): void => {
    tmp.fill(0)
    for (const x of [constant, ...xs]) for (let i = 0; i < tmp.length; i++) tmp[i]! += x[i]!
    addCrossEntropy(sum, tmp, labels, a * p, p, n)
  }
  let added = 0
  return {
    addRow: (a, logits) => {
      if (a !== added) throw new RangeError(`keyLossesSink: row ${a} after ${added} rows (the rows go in order)`)
      added++
      const parts = partRows(s, a)
      parts.constant(constant)
      keyPart.fill(0)
      nonKeyPart.fill(0)
      for (let k = 1; k <= K; k++) {
        parts.split(k, logits, isKey.has(k) ? keyPart : nonKeyPart, part)
        addCrossEntropy(ablated[k - 1]!, part, labels, a * p, p, n)
      }
      for (let i = 0; i < residual.length; i++) residual[i] = logits[i]! - constant[i]! - keyPart[i]! - nonKeyPart[i]!
      ce(combos.nonKeyOnly, a, nonKeyPart)
      ce(combos.residualOnly, a, residual)
      ce(combos.keyAndNonKey, a, keyPart, nonKeyPart)
      ce(combos.keyAndResidual, a, keyPart, residual)
      ce(combos.nonKeyAndResidual, a, nonKeyPart, residual)
    },
    analysis: () => {
      if (added !== p) throw new RangeError(`keyLossesSink: ${added} of ${p} rows added`)
      const mean = (x: LossSum): number => x.total / x.count
      const all = selection.full
      const ablatedLosses = Float64Array.from(ablated, mean)
      return {
        ...selection,
        losses: {
          all,
          keyOnly: selection.restricted,
          nonKeyOnly: mean(combos.nonKeyOnly),
          residualOnly: mean(combos.residualOnly),
          keyAndNonKey: mean(combos.keyAndNonKey),
          keyAndResidual: mean(combos.keyAndResidual),
          nonKeyAndResidual: mean(combos.nonKeyAndResidual),
        },
        ablated: ablatedLosses,
        dependent: Array.from(ablatedLosses, (l, i) => [i + 1, l - all] as const)
          .filter(([, rise]) => rise > DEPENDENT_RISE)
          .map(([k]) => k),
      }
    },
  }
}

/** The `PairSpectra` and the full loss of whole logits `L[a, b, c]` (at `(a·p + b)·n + c`). */
const spectraAndLoss = (logits: Float64Array, labels: Int32Array, p: number, n: number): { s: PairSpectra; full: number } => {
  const sink = pairSpectraSink(p, n)
  const loss = crossEntropySink(labels, p, n)
  feedRows(logits, p, n, sink, loss)
  return { s: sink.spectra(), full: loss.mean() }
}

/**
 * The key frequencies of logits `L[a, b, c]` (at `(a·p + b)·n + c`) with labels per
 * pair (`-1`: no label) by `rule` (default `auto` with factor 2), with the restricted
 * and full losses; without `keyFrequencyAnalysis`'s decomposition and ablations. A
 * `list` rule's frequencies must be in `1..⌊p/2⌋`. (On logits too large to hold, feed
 * their rows to `pairSpectraSink` and `crossEntropySink`, then `keySelection`.)
 */
export const keyFrequencies = (
  logits: Float64Array,
  labels: Int32Array,
  p: number,
  n: number = p,
  rule: KeyRule = DEFAULT_KEY_RULE,
): KeySelection => {
  checkInputs('keyFrequencies', labels, p, rule)
  const { s, full } = spectraAndLoss(logits, labels, p, n)
  return keySelection(s, labels, full, rule)
}

/**
 * Key frequencies (`keyFrequencies`), the loss decomposition and the ablated losses of
 * logits `L[a, b, c]` (at `(a·p + b)·n + c`) with labels per pair (`-1`: no label).
 * (On logits too large to hold: `keySelection`, then their rows fed again to `keyLossesSink`.)
 */
export const keyFrequencyAnalysis = (
  logits: Float64Array,
  labels: Int32Array,
  p: number,
  n: number = p,
  rule: KeyRule = DEFAULT_KEY_RULE,
): KeyFrequencyAnalysis => {
  checkInputs('keyFrequencyAnalysis', labels, p, rule)
  const { s, full } = spectraAndLoss(logits, labels, p, n)
  const sink = keyLossesSink(s, keySelection(s, labels, full, rule), labels)
  feedRows(logits, p, n, sink)
  return sink.analysis()
}

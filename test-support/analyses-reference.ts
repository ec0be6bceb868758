// THE REFERENCE (test oracle only): the whole-array all-pairs analyses as they were before they were
// streamed by rows (grokscope 0.4.0, packages/measures/src/{KeyFrequencies,Neurons,Logits}.ts at 4855ca0), copied
// unchanged but for the names (`reference…`) and the imports. They hold several p³ float64 arrays and re-evaluate the
// loss of every prefix on all pairs: the streamed analyses of @grokscope/measures and @grokscope/analysis are tested
// equal to these within float summation order (1e-9 relative). Never used outside tests.
import {
  DEFAULT_KEY_RULE,
  DEPENDENT_RISE,
  KEY_WARN_FACTOR,
  type KeyFrequencyAnalysis,
  type KeyRule,
  type KeySelection,
  type Matrix,
  type NeuronFrequencies,
  frequencyEntries,
  frequencyRows,
  inverseOf,
  meanCrossEntropy,
  transform2d,
} from '@grokscope/measures'

const sum = (...xs: ReadonlyArray<Float64Array>): Float64Array => {
  const out = new Float64Array(xs[0]!.length)
  for (const x of xs) for (let i = 0; i < out.length; i++) out[i]! += x[i]!
  return out
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

/** Today's `keyFrequencyAnalysis`: several p³ arrays, the loss of every prefix on all pairs. */
export const referenceKeyFrequencyAnalysis = (
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

/** Today's `neuronFrequencies` (on the whole 2-D transform). */
export const referenceNeuronFrequencies = (acts: Float64Array, p: number, n: number): NeuronFrequencies => {
  const F = transform2d(acts, p, n)
  const K = Math.floor(p / 2)
  const frequency = new Int32Array(n)
  const fraction = new Float64Array(n)
  const counts = new Int32Array(K + 1)
  const at = (i: number, j: number, m: number) => F[(i * p + j) * n + m]! ** 2
  for (let m = 0; m < n; m++) {
    let total = 0
    for (let ij = 1; ij < p * p; ij++) total += F[ij * n + m]! ** 2
    let best = 0
    let bestEnergy = 0
    for (let k = 1; k <= K; k++) {
      const rows = frequencyRows(p, k)
      let e = -at(0, 0, m)
      for (const i of rows) for (const j of rows) e += at(i, j, m)
      if (e > bestEnergy) [best, bestEnergy] = [k, e]
    }
    // Below 1e-12 of the neuron's energy, the variance is rounding: a constant neuron.
    const varies = total > 1e-12 * (total + at(0, 0, m))
    frequency[m] = varies ? best : 0
    fraction[m] = varies ? bestEnergy / total : 0
    counts[frequency[m]!]!++
  }
  return { frequency, fraction, counts }
}

/** Today's `logitsFourierMap` (on the whole 2-D transform). */
export const referenceLogitsFourierMap = (logits: Float64Array, p: number, n: number = p): Matrix => {
  const F = transform2d(logits, p, n)
  const out = new Float64Array(p * p)
  for (let ij = 0; ij < p * p; ij++) {
    let s = 0
    for (let c = 0; c < n; c++) s += F[ij * n + c]! ** 2
    out[ij] = Math.sqrt(s)
  }
  return { rows: p, cols: p, data: out }
}


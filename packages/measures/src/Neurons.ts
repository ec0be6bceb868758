/**
 * MLP neurons in the 2-D Fourier basis: each neuron's dominant frequency over all
 * `(a, b)` and the fraction of its variance that frequency explains (after Nanda
 * et al. 2023), and how many neurons each frequency has.
 *
 * @example
 * import { neuronFrequencies } from '@grokscope/measures'
 * // Two neurons over all pairs of ℤ_7: cos(2π·2(a + b)/7), and a constant
 * const p = 7
 * const acts = new Float64Array(p * p * 2)  // acts[(a·p + b)·2 + m]: hook_post at the last position
 * for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) acts.set([Math.cos((4 * Math.PI * (a + b)) / p), 3], (a * p + b) * 2)
 * const r = neuronFrequencies(acts, p, 2)
 * Array.from(r.frequency)  // => [2, 0]
 * Array.from(r.counts)     // => [1, 0, 1, 0]
 *
 * @since 0.1.0
 */
import { frequencyRows } from './Fourier.js'
import { type PairSpectra, entryOf, feedRows, pairSpectraSink } from './PairSpectra.js'

/** Per neuron: dominant frequency (0: no variance, below 1e-12 of its energy), the fraction it explains; per frequency: the count. */
export interface NeuronFrequencies {
  readonly frequency: Int32Array // [n]
  readonly fraction: Float64Array // [n]
  /** `counts[k]` neurons have dominant frequency `k`; `counts[0]` have no variance. */
  readonly counts: Int32Array // [⌊p/2⌋ + 1]
}

/**
 * For neuron `m` with 2-D coefficients `F[i, j, m]`, the variance is the energy off
 * the constant–constant entry, and frequency `k` explains the energy on the
 * entries whose rows and columns are both in `{const, cos k, sin k}` (not both const).
 * (On activations too large to hold, feed their rows to `pairSpectraSink`, then `neuronFrequenciesOf`.)
 */
export const neuronFrequencies = (acts: Float64Array, p: number, n: number): NeuronFrequencies => {
  const sink = pairSpectraSink(p, n)
  feedRows(acts, p, n, sink)
  return neuronFrequenciesOf(sink.spectra())
}

/**
 * `neuronFrequencies` from the `PairSpectra` of the activations (`pairSpectraSink` fed their rows).
 *
 * @since 0.5.0
 */
export const neuronFrequenciesOf = (s: PairSpectra): NeuronFrequencies => {
  const { p, n } = s
  const K = Math.floor(p / 2)
  const frequency = new Int32Array(n)
  const fraction = new Float64Array(n)
  const counts = new Int32Array(K + 1)
  const at = (i: number, j: number, m: number) => entryOf(s, i, j)[m]! ** 2
  for (let m = 0; m < n; m++) {
    const total = s.off[m]!
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

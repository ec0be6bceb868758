/**
 * Nanda et al.'s (2023) excluded loss: the loss on the training pairs of the
 * logits with a frequency's part removed (the part as `keyFrequencyAnalysis`
 * defines it). While the model memorises it equals the full loss; as the Fourier
 * circuit forms, removing a key frequency hurts more and more, and the excluded
 * loss rises while the training loss stays low.
 *
 * @example
 * import { excludedLosses, plantedLogits } from '@grokscope/measures'
 * // A circuit of a+b mod 23 with frequencies 1 and 6; labels -1 leave pairs out (the test pairs, for the excluded loss)
 * const { logits, labels } = plantedLogits(23, { ks: [1, 6], alpha: [1, 1.5], margin: 16, distractors: [], noise: 0, seed: 1 })
 * const r = excludedLosses(logits, labels, 23, [1, 6])
 * // r.perFrequency: the loss without frequency 1, without 6; r.allKey: without both
 * r.perFrequency.every((loss) => loss > r.full)  // => true
 * r.allKey > Math.max(...r.perFrequency)  // => true
 *
 * @since 0.1.0
 */
import { partRows } from './internal/parts.js'
import { type LossSum, addCrossEntropy } from './KeyFrequencies.js'
import { type PairSpectra, type RowSink, feedRows, pairSpectraSink } from './PairSpectra.js'

/** The excluded losses of some frequencies on the labelled pairs, and the full loss there. */
export interface ExcludedLosses {
  /** The loss with all of the pairs' logits kept. */
  readonly full: number
  /** The loss without each frequency's part, in the order given. */
  readonly perFrequency: ReadonlyArray<number>
  /** The loss without the parts of every given frequency together. */
  readonly allKey: number
}

/**
 * Logits `L[a, b, c]` (at `(a·p + b)·n + c`) and labels per pair, `-1` for the pairs
 * left out (for the excluded loss: every pair outside the training set).
 */
export const excludedLosses = (
  logits: Float64Array,
  labels: Int32Array,
  p: number,
  ks: ReadonlyArray<number>,
  n: number = p,
): ExcludedLosses => {
  if (labels.length !== p * p) throw new RangeError(`excludedLosses: ${labels.length} labels for ${p * p} pairs`)
  const spectra = pairSpectraSink(p, n)
  feedRows(logits, p, n, spectra)
  const sink = excludedLossesSink(spectra.spectra(), ks, labels)
  feedRows(logits, p, n, sink)
  return sink.losses()
}

/**
 * A sink of the rows of the logits (`RowSink`; `s`: their `PairSpectra`, from a first pass over them) whose `losses()`
 * are `excludedLosses` of them: memory a few rows of p·n.
 *
 * @since 0.5.0
 */
export const excludedLossesSink = (
  s: PairSpectra,
  ks: ReadonlyArray<number>,
  labels: Int32Array,
): RowSink & { readonly losses: () => ExcludedLosses } => {
  const { p, n } = s
  if (labels.length !== p * p) throw new RangeError(`excludedLossesSink: ${labels.length} labels for ${p * p} pairs`)
  const sumOf = (): LossSum => ({ total: 0, count: 0 })
  const [full, allKey] = [sumOf(), sumOf()]
  const perFrequency = ks.map(sumOf)
  const removed = new Float64Array(p * n)
  const without = new Float64Array(p * n)
  return {
    addRow: (a, logits) => {
      const parts = partRows(s, a)
      addCrossEntropy(full, logits, labels, a * p, p, n)
      removed.fill(0)
      ks.forEach((k, t) => {
        parts.split(k, logits, removed, without)
        addCrossEntropy(perFrequency[t]!, without, labels, a * p, p, n)
      })
      for (let i = 0; i < without.length; i++) without[i] = logits[i]! - removed[i]!
      addCrossEntropy(allKey, without, labels, a * p, p, n)
    },
    losses: () => {
      const mean = (x: LossSum): number => x.total / x.count
      return { full: mean(full), perFrequency: perFrequency.map(mean), allKey: mean(allKey) }
    },
  }
}

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
import { frequencyEntries, inverseOf, meanCrossEntropy } from './KeyFrequencies.js'
import { transform2d } from './Logits.js'

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
  const F = transform2d(logits, p, n)
  const parts = ks.map((k) => inverseOf(F, p, n, frequencyEntries(p, k)))
  const without = (...xs: ReadonlyArray<Float64Array>): number => {
    const out = Float64Array.from(logits)
    for (const x of xs) for (let i = 0; i < out.length; i++) out[i]! -= x[i]!
    return meanCrossEntropy(out, labels, n)
  }
  return { full: meanCrossEntropy(logits, labels, n), perFrequency: parts.map((x) => without(x)), allKey: without(...parts) }
}

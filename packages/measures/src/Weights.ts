/**
 * The matrices the paper analyses, from a model's weights (TransformerLens layout).
 *
 * @example
 * import { type Matrix, weightMeasures } from '@grokscope/measures'
 * declare const W_E: Matrix, W_out: Matrix, W_U: Matrix  // a model's: [d_vocab, d_model], [d_mlp, d_model], [d_model, n_out]
 * const m = weightMeasures(97, W_E, W_out, W_U)  // { W_E: { spectrum, eta, ffd, fcr }, W_L: { … } }
 *
 * @since 0.1.0
 */
import { type Spectrum, spectrum } from './Fourier.js'
import { type Matrix, mul, sliceRows, transpose } from './Matrix.js'
import { DEFAULT_ETA, fcr, ffd } from './Progress.js'

/** A matrix's spectrum with its FFD (at η) and FCR. */
export interface MatrixMeasures {
  readonly spectrum: Spectrum
  readonly eta: number
  readonly ffd: number
  readonly fcr: number
}

/** `W_E[0..p-1]`: the residue tokens' rows; the operation tokens are left out. */
export const embeddingMatrix = (W_E: Matrix, p: number): Matrix => sliceRows(W_E, 0, p)

/** The neuron-logit map `W_L = (W_out · W_U)ᵀ`, `[p, d_mlp]`: rows are output residues. */
export const neuronLogitMap = (W_out: Matrix, W_U: Matrix): Matrix => transpose(mul(W_out, W_U))

/** Spectrum, FFD and FCR of a `[p, n]` matrix. */
export const measureMatrix = (w: Matrix, eta: number = DEFAULT_ETA): MatrixMeasures => {
  const s = spectrum(w)
  return { spectrum: s, eta, ffd: ffd(s, eta), fcr: fcr(s) }
}

/** The measures of `W_E` and `W_L` of a model (the last block's `W_out`). */
export const weightMeasures = (
  p: number,
  W_E: Matrix,
  W_out: Matrix,
  W_U: Matrix,
  eta: number = DEFAULT_ETA,
): { readonly W_E: MatrixMeasures; readonly W_L: MatrixMeasures } => ({
  W_E: measureMatrix(embeddingMatrix(W_E, p), eta),
  W_L: measureMatrix(neuronLogitMap(W_out, W_U), eta),
})

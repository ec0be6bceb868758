/**
 * The paper's measures of a model's weights, on host copies: FFD/FCR and spectra
 * of `W_E[0:p]` and `W_L = (W_out · W_U)ᵀ` in the additive and the multiplicative
 * Fourier basis, and the weight norms.
 *
 * @example
 * import { fourierMeasures } from '@grokscope/analysis'
 * import { type ModelConfig, type Params, toHost } from '@grokscope/model'
 * declare const config: ModelConfig, params: Params  // a model of a task mod 97
 * const m = fourierMeasures(config, toHost(params), 97)  // m.W_E.ffd, m.W_L.fcr, …
 *
 * @since 0.1.0
 */
import {
  type Matrix,
  type MatrixMeasures,
  type Spectrum,
  DEFAULT_ETA,
  embeddingMatrix,
  fcr,
  ffd,
  matrix,
  multiplicativeSpectrum,
  neuronLogitMap,
  primitiveRoot,
  weightMeasures,
  weightNorms,
} from '@grokscope/measures'
import { type HostParams, type HostTensor, type ModelConfig, blockName } from '@grokscope/model'

/** The measures of `W_E` and `W_L` in one basis. */
export interface WeightFourierMeasures {
  readonly W_E: MatrixMeasures
  readonly W_L: MatrixMeasures
}

/** A spectrum in the multiplicative basis with its FFD and FCR. */
export interface MultiplicativeMeasure {
  readonly spectrum: Spectrum
  readonly ffd: number
  readonly fcr: number
}

/** `W_E` and `W_L` in the multiplicative basis of generator `g`. */
export interface MultiplicativeMeasures {
  readonly generator: number
  readonly W_E: MultiplicativeMeasure
  readonly W_L: MultiplicativeMeasure
}

/** Frobenius norm of each weight (by TransformerLens name) and of all together. */
export interface WeightNorms {
  readonly perMatrix: Readonly<Record<string, number>>
  readonly total: number
}

/** A 2-D host weight as a float64 matrix. */
export const asMatrix = (w: HostTensor): Matrix => matrix(w.shape[0]!, w.shape[1]!, w.data)

const weight = (host: HostParams, name: string): HostTensor => {
  const w = host[name]
  if (w === undefined) throw new RangeError(`weights: ${name} is missing`)
  return w
}

/** `W_E`, the last block's `W_out` and `W_U` as matrices. */
const analysedWeights = (c: ModelConfig, host: HostParams): { W_E: Matrix; W_out: Matrix; W_U: Matrix } => ({
  W_E: asMatrix(weight(host, 'embed.W_E')),
  W_out: asMatrix(weight(host, blockName(c.nLayers - 1, 'W_out'))),
  W_U: asMatrix(weight(host, 'unembed.W_U')),
})

/** FFD/FCR and spectra of `W_E[0:p]` and `W_L = (W_out · W_U)ᵀ` (the last block's `W_out`) in the additive basis. */
export const fourierMeasures = (c: ModelConfig, host: HostParams, p: number, eta: number = DEFAULT_ETA): WeightFourierMeasures => {
  const w = analysedWeights(c, host)
  return weightMeasures(p, w.W_E, w.W_out, w.W_U, eta)
}

/**
 * The same in the multiplicative basis (the Fourier basis of ℤ_{p−1} over `W[g^i]`);
 * `null` for p = 3, whose group has no frequency with both a cosine and a sine.
 */
export const multiplicativeMeasures = (
  c: ModelConfig,
  host: HostParams,
  p: number,
  eta: number = DEFAULT_ETA,
): MultiplicativeMeasures | null => {
  if (p < 5) return null
  const g = primitiveRoot(p)
  const one = (m: Matrix): MultiplicativeMeasure => {
    const s = multiplicativeSpectrum(m, g)
    return { spectrum: s, ffd: ffd(s, eta), fcr: fcr(s) }
  }
  const w = analysedWeights(c, host)
  return { generator: g, W_E: one(embeddingMatrix(w.W_E, p)), W_L: one(neuronLogitMap(w.W_out, w.W_U)) }
}

/** Frobenius norms of every weight and in total. */
export const hostWeightNorms = (host: HostParams): WeightNorms =>
  weightNorms(Object.fromEntries(Object.entries(host).map(([k, w]) => [k, w.data])))

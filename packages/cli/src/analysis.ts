// The paper's analyses of a model, and grokscope's additions: spectra and FFD/FCR of
// W_E and W_L in the additive and multiplicative bases, weight norms, and per operation
// the logits in the 2-D Fourier basis (map, asymmetry, key frequencies, restricted and
// ablated losses) and the MLP neurons' frequencies. Each analysis is timed.
import * as tf from '@tensorflow/tfjs-core'
import { type Operation, labelTable } from '@grokscope/data'
import {
  type KeyFrequencyAnalysis,
  type MatrixMeasures,
  type NeuronFrequencies,
  DEFAULT_KEY_THRESHOLD,
  asymmetry,
  embeddingMatrix,
  fcr,
  ffd,
  fourierBasis,
  keyFrequencyAnalysis,
  logitsFourierMap,
  type Matrix,
  multiplicativeSpectrum,
  neuronFrequencies,
  neuronLogitMap,
  primitiveRoot,
  weightNorms,
} from '@grokscope/measures'
import { type HostParams, type ModelConfig, disposeInputs, disposeParams, forwardWithMlp, fromHost, prepareInputs } from '@grokscope/model'
import { asMatrix, measureModel } from './measure.js'

export interface OpAnalysis {
  readonly op: string
  /** `p × p` logit norms in the 2-D basis (rows basis_a, columns basis_b). */
  readonly logitsMap: Float64Array
  readonly asymmetry: number
  /** `null` when the operation's labels are unknown (an id that does not resolve). */
  readonly keyFrequencies: KeyFrequencyAnalysis | null
  readonly neurons: NeuronFrequencies
}

export interface ModelAnalysis {
  readonly p: number
  readonly additive: { readonly W_E: MatrixMeasures; readonly W_L: MatrixMeasures }
  readonly multiplicative: ReturnType<typeof multiplicativeMeasures>
  readonly weightNorms: ReturnType<typeof weightNorms>
  readonly perOp: ReadonlyArray<OpAnalysis>
  readonly timingsMs: Readonly<Record<string, number>>
}

/** The logits and last-block MLP activations on all `p²` pairs `[a, p + op, b]`, in float64. */
export const allPairsOutputs = (c: ModelConfig, host: HostParams, p: number, opIndex: number): { logits: Float64Array; acts: Float64Array } => {
  const params = fromHost(c, host)
  const tokens = Int32Array.from({ length: 3 * p * p }, (_, i) => {
    const pair = Math.floor(i / 3)
    return [Math.floor(pair / p), p + opIndex, pair % p][i % 3]!
  })
  const inputs = prepareInputs(c, tokens)
  const out = forwardWithMlp(c, params, inputs)
  const result = { logits: Float64Array.from(out.logits.dataSync()), acts: Float64Array.from(out.mlpPost.dataSync()) }
  tf.dispose([out.logits, out.mlpPost])
  disposeInputs(inputs)
  disposeParams(params)
  return result
}

/** FFD/FCR and spectra of `W_E` and `W_L` in the multiplicative basis (generator `g`); `null` for p = 3, whose group has no frequency with both a cosine and a sine. */
export const multiplicativeMeasures = (c: ModelConfig, host: HostParams, p: number, eta: number) => {
  if (p < 5) return null
  const g = primitiveRoot(p)
  const one = (w: Matrix) => {
    const s = multiplicativeSpectrum(w, g)
    return { ffd: ffd(s, eta), fcr: fcr(s), cos: s.cos, sin: s.sin }
  }
  return {
    generator: g,
    W_E: one(embeddingMatrix(asMatrix(host['embed.W_E']!), p)),
    W_L: one(neuronLogitMap(asMatrix(host[`blocks.${c.nLayers - 1}.mlp.W_out`]!), asMatrix(host['unembed.W_U']!))),
  }
}

/** Frobenius norms of every weight and in total. */
export const hostWeightNorms = (host: HostParams) => weightNorms(Object.fromEntries(Object.entries(host).map(([k, w]) => [k, w.data])))

/** The logit measures tracked over training (`--measure-every`): asymmetry, key frequencies, restricted and full loss on all pairs. */
export const logitMeasures = (c: ModelConfig, host: HostParams, p: number, opIndex: number, op: Operation, seed: number) => {
  const { logits } = allPairsOutputs(c, host, p, opIndex)
  const kf = keyFrequencyAnalysis(logits, labelTable(op, p, seed), p)
  return { asymmetry: asymmetry(logitsFourierMap(logits, p)), key: kf.key, n_key: kf.key.length, restricted_loss: kf.losses.keyOnly, full_loss: kf.losses.all }
}

/** Every analysis of a model trained on `ops` (token `p + i` for `ops[i]`; `null`: unknown operation). */
export const analyzeModel = (
  c: ModelConfig,
  host: HostParams,
  p: number,
  ops: ReadonlyArray<{ readonly id: string; readonly op: Operation | null }>,
  o: { readonly eta: number; readonly seed: number; readonly keyThreshold?: number },
): ModelAnalysis => {
  const timingsMs: Record<string, number> = {}
  const timed = <A>(name: string, f: () => A): A => {
    const t0 = performance.now()
    const r = f()
    timingsMs[name] = (timingsMs[name] ?? 0) + performance.now() - t0
    return r
  }
  const additive = timed('ffd_fcr_additive', () => measureModel(c, host, p, o.eta))
  const multiplicative = timed('ffd_fcr_multiplicative', () => multiplicativeMeasures(c, host, p, o.eta))
  const norms = timed('weight_norms', () => hostWeightNorms(host))
  const perOp = ops.map(({ id, op }, i) => {
    const { logits, acts } = timed('forward_all_pairs', () => allPairsOutputs(c, host, p, i))
    const map = timed('logits_map', () => logitsFourierMap(logits, p))
    const labels = op === null ? null : labelTable(op, p, o.seed)
    return {
      op: id,
      logitsMap: map.data,
      asymmetry: asymmetry(map),
      keyFrequencies: labels === null ? null : timed('key_frequencies', () => keyFrequencyAnalysis(logits, labels, p, p, o.keyThreshold ?? DEFAULT_KEY_THRESHOLD)),
      neurons: timed('neurons', () => neuronFrequencies(acts, p, c.dMlp)),
    }
  })
  return { p, additive, multiplicative, weightNorms: norms, perOp, timingsMs }
}

/** Row and column names of the logits map. */
export const basisNames = (p: number): ReadonlyArray<string> => fourierBasis(p).names

/**
 * A model's outputs on every pair `(a, b)`: the input of the all-pairs analyses
 * (logits in the 2-D Fourier basis, key frequencies, neurons).
 *
 * @example
 * import { allPairsOutputs } from '@grokscope/analysis'
 * const { logits, acts } = allPairsOutputs(config, host, 97, 0)  // [p·p·p], [p·p·d_mlp]
 *
 * @since 0.1.0
 */
import * as tf from '@tensorflow/tfjs-core'
import { type HostParams, type ModelConfig, disposeInputs, disposeParams, forwardWithMlp, fromHost, prepareInputs } from '@grokscope/model'

/** Float64 copies of the logits and the last block's MLP activations at the last position. */
export interface AllPairsOutputs {
  readonly logits: Float64Array // [(a·p + b)·n_out + c]
  readonly acts: Float64Array // [(a·p + b)·d_mlp + m]
}

/** The token rows `[a, p + opIndex, b]` of all `p²` pairs, `a` major. */
export const allPairsTokens = (p: number, opIndex: number): Int32Array =>
  Int32Array.from({ length: 3 * p * p }, (_, i) => {
    const pair = Math.floor(i / 3)
    return [Math.floor(pair / p), p + opIndex, pair % p][i % 3]!
  })

/** The logits and last-block MLP activations on all `p²` pairs `[a, p + op, b]`, in float64. Leaves no tensor behind. */
export const allPairsOutputs = (c: ModelConfig, host: HostParams, p: number, opIndex: number): AllPairsOutputs => {
  const params = fromHost(c, host)
  const inputs = prepareInputs(c, allPairsTokens(p, opIndex))
  const out = forwardWithMlp(c, params, inputs)
  const result = { logits: Float64Array.from(out.logits.dataSync()), acts: Float64Array.from(out.mlpPost.dataSync()) }
  tf.dispose([out.logits, out.mlpPost])
  disposeInputs(inputs)
  disposeParams(params)
  return result
}

/**
 * A model's outputs on every pair `(a, b)`: the input of the all-pairs analyses
 * (logits in the 2-D Fourier basis, key frequencies, neurons).
 *
 * @example
 * import { allPairsOutputs } from '@grokscope/analysis'
 * import { initParams, paperConfig, toHost } from '@grokscope/model'
 * const config = paperConfig({ dVocab: 32, nOut: 31 })
 * const host = toHost(initParams(config, 0))
 * const { logits, acts } = allPairsOutputs(config, host, 31, 0)  // of operation token p + 0: [p·p·p], [p·p·d_mlp]
 * logits.length  // => 31 * 31 * 31
 * acts.length  // => 31 * 31 * 512
 * allPairsOutputs(config, host, 31, 0, 256)  // the same, forward in chunks of 256 pairs
 *
 * @since 0.1.0
 */
import * as tf from '@tensorflow/tfjs-core'
import {
  type HostParams,
  type ModelConfig,
  chunkRanges,
  disposeInputs,
  disposeParams,
  forwardWithMlp,
  fromHost,
  prepareInputs,
} from '@grokscope/model'

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

/**
 * Calls `visit(a, logits, acts)` for each row `a = 0 … p − 1` of the pairs `[a, p + op, b]`, in order, with float64
 * copies of the row's logits (`[b·n_out + c]`) and last-block MLP activations (`[b·d_mlp + m]`), from forward passes
 * over chunks of at most `chunk` pairs (by default one pass): host memory is two rows and one chunk, whatever p. The
 * row arrays are reused: `visit` must not keep them. Leaves no tensor behind.
 *
 * @since 0.5.0
 */
export const forEachPairRow = (
  c: ModelConfig,
  host: HostParams,
  p: number,
  opIndex: number,
  chunk: number,
  visit: (a: number, logits: Float64Array, acts: Float64Array) => void,
): void => {
  const params = fromHost(c, host)
  const tokens = allPairsTokens(p, opIndex)
  const n = p * p
  const logits = new Float64Array(p * c.nOut) // [b, n_out]
  const acts = new Float64Array(p * c.dMlp) // [b, d_mlp]
  try {
    for (const [start, end] of chunkRanges(n, Math.max(1, Math.min(Math.floor(chunk), n)))) {
      const inputs = prepareInputs(c, tokens.subarray(3 * start, 3 * end))
      const out = forwardWithMlp(c, params, inputs)
      const chunkLogits = out.logits.dataSync() // [pair − start, n_out]
      const chunkActs = out.mlpPost.dataSync() // [pair − start, d_mlp]
      tf.dispose([out.logits, out.mlpPost])
      disposeInputs(inputs)
      for (let pair = start; pair < end; ) {
        const b = pair % p
        const upTo = Math.min(end, pair - b + p) // the end of this row, or of the chunk
        logits.set(chunkLogits.subarray((pair - start) * c.nOut, (upTo - start) * c.nOut), b * c.nOut)
        acts.set(chunkActs.subarray((pair - start) * c.dMlp, (upTo - start) * c.dMlp), b * c.dMlp)
        if (upTo % p === 0) visit(upTo / p - 1, logits, acts)
        pair = upTo
      }
    }
  } finally {
    disposeParams(params)
  }
}

/**
 * The logits and last-block MLP activations on all `p²` pairs `[a, p + op, b]`, in
 * float64, from forward passes over chunks of at most `chunk` pairs (backend memory
 * scales with the chunk; by default one pass). Leaves no tensor behind. Holds p²·(n_out + d_mlp) values: the analyses
 * stream the rows instead (`forEachPairRow`).
 */
export const allPairsOutputs = (
  c: ModelConfig,
  host: HostParams,
  p: number,
  opIndex: number,
  chunk: number = Infinity,
): AllPairsOutputs => {
  const logits = new Float64Array(p * p * c.nOut)
  const acts = new Float64Array(p * p * c.dMlp)
  forEachPairRow(c, host, p, opIndex, chunk, (a, rowLogits, rowActs) => {
    logits.set(rowLogits, a * p * c.nOut)
    acts.set(rowActs, a * p * c.dMlp)
  })
  return { logits, acts }
}

/**
 * `allPairsOutputs` read back asynchronously (`data()`): the same values on any backend, and what WebGPU needs (its
 * synchronous read is slow, and gives zeros on headless Chromium's software adapter). Leaves no tensor behind.
 *
 * @since 0.5.0
 */
export const allPairsOutputsAsync = async (
  c: ModelConfig,
  host: HostParams,
  p: number,
  opIndex: number,
  chunk: number = Infinity,
): Promise<AllPairsOutputs> => {
  const params = fromHost(c, host)
  const tokens = allPairsTokens(p, opIndex)
  const n = p * p
  const logits = new Float64Array(n * c.nOut)
  const acts = new Float64Array(n * c.dMlp)
  try {
    for (const [start, end] of chunkRanges(n, Math.max(1, Math.min(Math.floor(chunk), n)))) {
      const inputs = prepareInputs(c, tokens.subarray(3 * start, 3 * end))
      const out = forwardWithMlp(c, params, inputs)
      disposeInputs(inputs)
      try {
        const [l, m] = await Promise.all([out.logits.data(), out.mlpPost.data()])
        logits.set(l, start * c.nOut)
        acts.set(m, start * c.dMlp)
      } finally {
        tf.dispose([out.logits, out.mlpPost])
      }
    }
  } finally {
    disposeParams(params)
  }
  return { logits, acts }
}

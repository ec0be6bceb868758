/**
 * The Transformer's training and evaluation passes: the logits at the last
 * position and the gradient of the loss with respect to every weight.
 *
 * The backward pass is written out (no `tf.grad`): tfjs-core's Node entry
 * registers no gradients, and writing it out lets every product avoid the
 * slow transposed WASM `matMul`, and lets the last layer compute its queries
 * and MLP at the last position only — the only one the logits read. Two exact
 * paths share this interface: the paper's one-block model through vocabulary
 * tables (`internal/tables.ts`) and any other model (`internal/general.ts`).
 * Tests check both against a float64 reference, its finite differences, and
 * the readable every-position pass `runWithCache` (`ActivationCache.ts`).
 *
 * @example
 * import { forward, initParams, lossAndGradsChunked, paperConfig, prepareChunked, prepareInputs } from '@grokscope/model'
 * const config = paperConfig({ dVocab: 32, nOut: 31 })
 * const params = initParams(config, 0)
 * const tokens = Int32Array.from([0, 31, 1, 2, 31, 3])  // [a, op, b] twice
 * // [batch, n_out]
 * forward(config, params, prepareInputs(config, tokens)).shape  // => [2, 31]
 *
 * // The full-batch loss and gradients of a set too large for one batch, chunk by chunk:
 * const { loss, grads } = lossAndGradsChunked(config, params, prepareChunked(config, tokens, Int32Array.from([1, 5]), 4096))
 * loss.shape  // => []
 * Object.keys(grads).length === Object.keys(params).length  // => true
 *
 * @since 0.1.0
 */
import * as tf from '@tensorflow/tfjs-core'
import { type ModelConfig, usesVocabularyTables } from './Config.js'
import { type Batch, type ChunkedBatch, type Inputs, disposeInputs, forEachChunk, isChunked, prepareBatch } from './Inputs.js'
import { crossEntropy, crossEntropyGrad, crossEntropyPerExample } from './Loss.js'
import { type Params, disposeParams } from './Params.js'
import { generalPass } from './internal/general.js'
import type { Pass } from './internal/mlp.js'
import { mmt, tmm } from './internal/products.js'
import { tablePass } from './internal/tables.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** Loss, logits and the gradient of every weight. */
export interface LossAndGrads {
  readonly loss: tf.Scalar
  readonly logits: tf.Tensor2D // [batch, n_out]
  readonly grads: Params
}

/** What one chunk of examples costs on the backend: `fixedBytes + examples · bytesPerExample` at the peak. */
export interface Footprint {
  readonly fixedBytes: number
  readonly bytesPerExample: number
}

// ─────────────────────────────────────────────────────────────────────────────
// pass selection
// ─────────────────────────────────────────────────────────────────────────────

const pass = (c: ModelConfig, params: Params, x: Inputs): Pass => (usesVocabularyTables(c) ? tablePass : generalPass)(c, params, x)

// ─────────────────────────────────────────────────────────────────────────────
// forward and backward
// ─────────────────────────────────────────────────────────────────────────────

/** The logits at the last position, `[batch, n_out]`. */
export const forward = (c: ModelConfig, params: Params, x: Inputs): tf.Tensor2D => tf.tidy(() => pass(c, params, x).logits)

/**
 * The logits and the last block's MLP activations at the last position
 * (TransformerLens `blocks.{L-1}.mlp.hook_post`, `[batch, d_mlp]`).
 */
export const forwardWithMlp = (
  c: ModelConfig,
  params: Params,
  x: Inputs,
): { readonly logits: tf.Tensor2D; readonly mlpPost: tf.Tensor2D } =>
  tf.tidy(() => {
    const run = pass(c, params, x)
    return { logits: run.logits, mlpPost: run.mlpPost }
  })

/** The mean cross-entropy on a batch, the logits, and the gradient of every weight. */
export const lossAndGrads = (c: ModelConfig, params: Params, batch: Batch): LossAndGrads =>
  tf.tidy(() => {
    const run = pass(c, params, batch)
    const loss = crossEntropy(run.logits, batch.labelsOneHot)
    const dLogits = crossEntropyGrad(run.logits, batch.labelsOneHot)
    const grads = run.backward(mmt(dLogits, params['unembed.W_U'] as tf.Tensor2D), batch)
    return { loss, logits: run.logits, grads: { ...grads, 'unembed.W_U': tmm(run.final, dLogits) } }
  })

/** Sees a chunk's logits (`[chunk, n_out]`, freed after the call) with the chunk and its first example's index in the set. */
export type LogitsSink = (logits: tf.Tensor2D, chunk: Batch, start: number) => void

/**
 * The mean cross-entropy over every example of a set and its gradient, accumulated
 * chunk by chunk: each chunk's mean loss and gradients weighted by its share of the
 * examples, summed. Equal to `lossAndGrads` on the whole set as one batch up to float32
 * summation order; on a set of one chunk it is `lossAndGrads` itself. Backend memory
 * scales with the chunk, not the set. `onLogits` (since 0.5.0) sees each chunk's logits,
 * the forward pass's own: e.g. to evaluate the set at these weights without a second pass.
 */
export const lossAndGradsChunked = (
  c: ModelConfig,
  params: Params,
  x: Batch | ChunkedBatch,
  onLogits?: LogitsSink,
): { readonly loss: tf.Scalar; readonly grads: Params } => {
  if (!isChunked(x) || x.resident !== null) {
    const batch = isChunked(x) ? x.resident! : x
    const r = lossAndGrads(c, params, batch)
    onLogits?.(r.logits, batch, 0)
    r.logits.dispose()
    return { loss: r.loss, grads: r.grads }
  }
  const acc: { loss: tf.Scalar | null; grads: Params | null } = { loss: null, grads: null }
  forEachChunk(c, x, (chunk, start, end) => {
    const w = (end - start) / x.size
    const r = lossAndGrads(c, params, chunk)
    onLogits?.(r.logits, chunk, start)
    const { loss, grads } = acc
    const next = tf.tidy(() => ({
      loss: loss === null ? tf.mul<tf.Scalar>(r.loss, w) : tf.add<tf.Scalar>(loss, tf.mul(r.loss, w)),
      grads: Object.fromEntries(
        Object.entries(r.grads).map(([name, g]) => [name, grads === null ? tf.mul(g, w) : tf.add(grads[name]!, tf.mul(g, w))]),
      ),
    }))
    tf.dispose([r.loss, r.logits, ...Object.values(r.grads)])
    if (loss !== null) loss.dispose()
    if (grads !== null) disposeParams(grads)
    acc.loss = next.loss
    acc.grads = next.grads
  })
  if (acc.loss === null || acc.grads === null) throw new RangeError('lossAndGradsChunked: the set has no example')
  return { loss: acc.loss, grads: acc.grads }
}

// ─────────────────────────────────────────────────────────────────────────────
// memory
// ─────────────────────────────────────────────────────────────────────────────

/** `n` probe examples with valid tokens and labels. */
const probe = (c: ModelConfig, n: number): { tokens: Int32Array; labels: Int32Array } => ({
  tokens: Int32Array.from({ length: n * c.nCtx }, (_, i) => (i * 7919 + 13) % c.dVocab),
  labels: Int32Array.from({ length: n }, (_, i) => (i * 104_729 + 7) % c.nOut),
})

/** The backend's peak bytes for `f` on batches of 16 and 32 probe examples: the intercept and slope. */
const footprintOf = async (c: ModelConfig, params: Params, f: (b: Batch) => tf.TensorContainer): Promise<Footprint> => {
  const peak = async (n: number): Promise<number> => {
    const { tokens, labels } = probe(c, n)
    const info = await tf.profile(() => {
      const b = prepareBatch(c, tokens, labels)
      tf.dispose(f(b))
      disposeInputs(b)
    })
    return info.peakBytes - info.newBytes
  }
  const [small, large] = [await peak(16), await peak(32)]
  const bytesPerExample = Math.max(0, (large - small) / 16)
  return { fixedBytes: Math.max(0, small - 16 * bytesPerExample), bytesPerExample }
}

/**
 * The backend memory (tensor bytes at the peak, inputs included) of one training chunk
 * (`lossAndGrads`) and of one evaluation chunk (`forward` and the per-example loss), as
 * `fixedBytes + examples · bytesPerExample`, measured with `tf.profile` on two small
 * probe batches (exact: every tensor of a pass is either per-example or per-model).
 */
export const measureFootprint = async (
  c: ModelConfig,
  params: Params,
): Promise<{ readonly step: Footprint; readonly evaluation: Footprint }> => ({
  step: await footprintOf(c, params, (b) => {
    const r = lossAndGrads(c, params, b)
    return [r.loss, r.logits, ...Object.values(r.grads)]
  }),
  evaluation: await footprintOf(c, params, (b) => tf.tidy(() => crossEntropyPerExample(forward(c, params, b), b.labelsOneHot))),
})

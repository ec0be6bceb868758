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
 * import { forward, prepareInputs } from '@grokscope/model'
 * const logits = forward(config, params, prepareInputs(config, tokens))  // [batch, n_out]
 *
 * @since 0.1.0
 */
import * as tf from '@tensorflow/tfjs-core'
import { type ModelConfig, usesVocabularyTables } from './Config.js'
import type { Batch, Inputs } from './Inputs.js'
import { crossEntropy, crossEntropyGrad } from './Loss.js'
import type { Params } from './Params.js'
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
export const forwardWithMlp = (c: ModelConfig, params: Params, x: Inputs): { readonly logits: tf.Tensor2D; readonly mlpPost: tf.Tensor2D } =>
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

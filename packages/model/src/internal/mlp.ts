/**
 * The MLP with its residual, forward and backward, shared by both passes; and
 * the shape of a pass that the backward step can be run on. Internal.
 *
 * @since 0.1.0
 */
import * as tf from '@tensorflow/tfjs-core'
import type { ModelConfig } from '../Config.js'
import type { Batch } from '../Inputs.js'
import { type Params, blockName } from '../Params.js'
import { activation, activationGrad, mmt, tmm } from './products.js'

/** What the MLP's backward step reads. */
export interface MlpCache {
  readonly Y2: tf.Tensor2D // [N, d_model], the MLP's input
  readonly pre: tf.Tensor2D // [N, d_mlp]
  readonly post: tf.Tensor2D // [N, d_mlp]
}

/** A forward pass that can be run backward from the gradient of the final stream (`[B, d_model]`). */
export interface Pass {
  readonly logits: tf.Tensor2D // [B, n_out]
  readonly final: tf.Tensor2D // [B, d_model], the stream at the last position
  readonly mlpPost: tf.Tensor2D // [B, d_mlp], the last block's MLP activations at the last position
  readonly backward: (dFinal: tf.Tensor2D, batch: Batch) => Record<string, tf.Tensor>
}

/** `Y + act(Y·W_in)·W_out`. */
export const mlpForward = (c: ModelConfig, params: Params, layer: number, Y2: tf.Tensor2D): [tf.Tensor2D, MlpCache] => {
  const pre = tf.matMul<tf.Tensor2D>(Y2, params[blockName(layer, 'W_in')]!) // [N, d_mlp]
  const post = activation(c, pre)
  return [tf.add<tf.Tensor2D>(Y2, tf.matMul(post, params[blockName(layer, 'W_out')]!)), { Y2, pre, post }]
}

/** The MLP's weight gradients and the gradient into its input (residual included). */
export const mlpBackward = (
  c: ModelConfig,
  params: Params,
  layer: number,
  k: MlpCache,
  dOut: tf.Tensor2D,
): [Record<string, tf.Tensor>, tf.Tensor2D] => {
  const dPre = activationGrad(c, k.pre, mmt(dOut, params[blockName(layer, 'W_out')] as tf.Tensor2D))
  const grads = { [blockName(layer, 'W_in')]: tmm(k.Y2, dPre), [blockName(layer, 'W_out')]: tmm(k.post, dOut) }
  return [grads, tf.add<tf.Tensor2D>(dOut, mmt(dPre, params[blockName(layer, 'W_in')] as tf.Tensor2D))]
}

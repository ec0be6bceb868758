/**
 * Building blocks shared by the passes: products that avoid WASM's transposed
 * `matMul` kernels, the heads' reshapes, the MLP activation and its gradient, and
 * the causal mask. Internal: not exported from the package.
 *
 * @since 0.1.0
 */
import * as tf from '@tensorflow/tfjs-core'
import type { ModelConfig } from '../Config.js'

/** `aᵀ · b` with an explicit transpose (WASM's transposeA path is ~15× slower). */
export const tmm = (a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D => tf.matMul(tf.transpose(a), b)

/** `a · bᵀ` with an explicit transpose. */
export const mmt = (a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D => tf.matMul(a, tf.transpose(b))

/** `[H, d_model, d_head]` → `[d_model, H·d_head]`, the heads side by side. */
export const headsToFlat = (w: tf.Tensor, c: ModelConfig): tf.Tensor2D =>
  tf.reshape<tf.Rank.R2>(tf.transpose(w, [1, 0, 2]), [c.dModel, c.nHeads * c.dHead])

/** `[d_model, H·d_head]` → `[H, d_model, d_head]`. */
export const flatToHeads = (g: tf.Tensor2D, c: ModelConfig): tf.Tensor =>
  tf.transpose(tf.reshape(g, [c.dModel, c.nHeads, c.dHead]), [1, 0, 2])

/** The heads' column blocks of a `[n, H·d_head]` matrix: `H × [n, d_head]`. */
export const splitHeads = (c: ModelConfig, x: tf.Tensor2D): tf.Tensor2D[] => tf.split<tf.Tensor2D>(x, c.nHeads, 1)

/** The MLP's activation, elementwise: ReLU, or the exact GELU `x·Φ(x)`. */
export const activation = <T extends tf.Tensor>(c: ModelConfig, pre: T): T =>
  c.act === 'relu' ? tf.relu(pre) : tf.mul<T>(tf.mul(pre, 0.5), tf.add(1, tf.erf(tf.mul(pre, Math.SQRT1_2))))

/** `dPost · act′(pre)`. */
export const activationGrad = (c: ModelConfig, pre: tf.Tensor2D, dPost: tf.Tensor2D): tf.Tensor2D => {
  if (c.act === 'relu') return tf.mul(dPost, tf.step(pre, 0))
  const cdf = tf.mul(tf.add(1, tf.erf(tf.mul(pre, Math.SQRT1_2))), 0.5)
  const pdf = tf.mul(tf.exp(tf.mul(tf.square(pre), -0.5)), 1 / Math.sqrt(2 * Math.PI))
  return tf.mul(dPost, tf.add(cdf, tf.mul(pre, pdf)))
}

/** Additive causal mask for queries at `qPos` over all `n_ctx` keys: `[Tq, T, 1, 1]`, `-1e9` above the diagonal. */
export const causalMask = (c: ModelConfig, qPos: ReadonlyArray<number>): tf.Tensor =>
  tf.tensor4d(
    qPos.flatMap((i) => Array.from({ length: c.nCtx }, (_, j) => (j > i ? -1e9 : 0))),
    [qPos.length, c.nCtx, 1, 1],
  )

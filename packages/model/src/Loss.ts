/**
 * Cross-entropy on the logits and its gradient, accurate in float32 down to the
 * smallest losses a grokked model reaches (~1e-8).
 *
 * @example
 * import * as tf from '@tensorflow/tfjs-core'
 * import { crossEntropy } from '@grokscope/model'
 * const loss = crossEntropy(tf.tensor2d([[30, 0, 0]]), tf.tensor2d([[1, 0, 0]])).arraySync()
 * // log(1 + 2·e^−30) = 2·e^−30 ≈ 1.87e-13, not 0
 * Math.abs(loss - 2 * Math.exp(-30)) < 1e-18  // => true
 *
 * @since 0.1.0
 */
import * as tf from '@tensorflow/tfjs-core'

/**
 * `log(1 + x)`, accurate for tiny `x` (WASM's `Log1p` kernel is `log(1 + x)`, which
 * is 0 below 6e-8): `x · log(u) / (u − 1)` with `u = 1 + x` rounded (Goldberg), `x` where `u = 1`.
 */
const log1p = (x: tf.Tensor): tf.Tensor =>
  tf.tidy(() => {
    const u = tf.add(1, x)
    const d = tf.sub(u, 1)
    return tf.where(tf.equal(d, 0), x, tf.mul(x, tf.div(tf.log(u), d)))
  })

/**
 * Per-example cross-entropy, `[batch]`, accurate in float32 down to the smallest
 * losses: with `z_j = logit_j − logit_y` and `m = max(0, max_{j≠y} z_j)`,
 * `loss = m + log1p(expm1(−m) + Σ_{j≠y} exp(z_j − m))`. For a confident correct
 * prediction this is `log1p(Σ_{j≠y} exp(z_j))`, with no `1 − p` cancellation:
 * `lse(logits) − logit_y` in float32 is quantised near 1e-7 (docs/SCIENCE.md §3 asks for a smooth curve).
 */
export const crossEntropyPerExample = (logits: tf.Tensor2D, labelsOneHot: tf.Tensor2D): tf.Tensor1D =>
  tf.tidy(() => {
    const others = tf.sub(1, labelsOneHot)
    const z = tf.sub(logits, tf.sum(tf.mul(logits, labelsOneHot), 1, true)) // [B, n]: logit_j − logit_y
    const m = tf.relu(tf.max(tf.add(z, tf.mul(labelsOneHot, -1e30)), 1, true)) // [B, 1]
    const rest = tf.sum(tf.mul(tf.exp(tf.sub(z, m)), others), 1, true)
    return tf.reshape<tf.Rank.R1>(tf.add(m, log1p(tf.add(tf.expm1(tf.neg(m)), rest))), [-1])
  })

/** Mean cross-entropy (see `crossEntropyPerExample`). */
export const crossEntropy = (logits: tf.Tensor2D, labelsOneHot: tf.Tensor2D): tf.Scalar =>
  tf.tidy(() => tf.mean<tf.Scalar>(crossEntropyPerExample(logits, labelsOneHot)))

// gradient (not exported from the package)

/**
 * `∂loss/∂logits = (softmax − onehot) / B`, with the correct class's entry formed
 * as `−Σ_{j≠y} p_j` rather than `p_y − 1`, which float32 rounds to multiples of 6e-8
 * once the loss is small — noise that AdamW's normalisation would amplify.
 */
export const crossEntropyGrad = (logits: tf.Tensor2D, labelsOneHot: tf.Tensor2D): tf.Tensor2D =>
  tf.tidy(() => {
    const pOthers = tf.mul(tf.softmax(logits), tf.sub(1, labelsOneHot))
    return tf.div<tf.Tensor2D>(tf.sub(pOthers, tf.mul(labelsOneHot, tf.sum(pOthers, 1, true))), logits.shape[0])
  })

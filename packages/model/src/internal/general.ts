/**
 * The general path: any number of blocks, with or without positional embedding.
 * Forward on the position-major stream `[T, B, d_model]`; the last block computes
 * its queries, attention output and MLP at the last position only (the logits read
 * no other). The backward pass is written out, every product without a transposed
 * WASM kernel. Internal.
 *
 * @since 0.1.0
 */
import * as tf from '@tensorflow/tfjs-core'
import type { ModelConfig } from '../Config.js'
import type { Inputs } from '../Inputs.js'
import { type Params, blockName } from '../Params.js'
import { type MlpCache, type Pass, mlpBackward, mlpForward } from './mlp.js'
import { causalMask, flatToHeads, headsToFlat, mmt, tmm } from './products.js'

// ─────────────────────────────────────────────────────────────────────────────
// one block, forward and backward
// ─────────────────────────────────────────────────────────────────────────────

interface BlockCache {
  readonly last: boolean
  readonly X2: tf.Tensor2D // [T·B, d_model]
  readonly Xq2: tf.Tensor2D // [Tq·B, d_model]
  readonly WQ: tf.Tensor2D // [d_model, H·d_head]
  readonly WK: tf.Tensor2D
  readonly WV: tf.Tensor2D
  readonly WO: tf.Tensor2D // [H·d_head, d_model]
  readonly Q: tf.Tensor // [Tq, B, H, d_head]
  readonly K: tf.Tensor // [T, B, H, d_head]
  readonly V: tf.Tensor // [T, B, H, d_head]
  readonly A: tf.Tensor // [Tq, T, B, H]
  readonly Z2: tf.Tensor2D // [Tq·B, H·d_head]
  readonly mlp: MlpCache
}

/**
 * One block on the residual stream `X` (`[T, B, d_model]`). The last block
 * computes queries, attention output and MLP at the last position only.
 * Returns the new stream: `[T, B, d_model]`, or `[1, B, d_model]` for the last block.
 */
const blockForward = (c: ModelConfig, params: Params, layer: number, X: tf.Tensor3D, last: boolean): [tf.Tensor3D, BlockCache] => {
  const [T, B] = [c.nCtx, X.shape[1]]
  const [H, dh, d] = [c.nHeads, c.dHead, c.dModel]
  const qPos = last ? [T - 1] : Array.from({ length: T }, (_, i) => i)
  const Tq = qPos.length
  const X2 = tf.reshape<tf.Rank.R2>(X, [T * B, d])
  const Xq2 = last ? tf.reshape<tf.Rank.R2>(tf.slice(X, [T - 1, 0, 0], [1, B, d]), [B, d]) : X2
  const WQ = headsToFlat(params[blockName(layer, 'W_Q')]!, c)
  const WK = headsToFlat(params[blockName(layer, 'W_K')]!, c)
  const WV = headsToFlat(params[blockName(layer, 'W_V')]!, c)
  const WO = tf.reshape<tf.Rank.R2>(params[blockName(layer, 'W_O')]!, [H * dh, d])
  const Q = tf.reshape(tf.matMul(Xq2, WQ), [Tq, B, H, dh])
  const K = tf.reshape(tf.matMul(X2, WK), [T, B, H, dh])
  const V = tf.reshape(tf.matMul(X2, WV), [T, B, H, dh])
  const scores = tf.add(
    tf.mul(tf.sum(tf.mul(tf.expandDims(Q, 1), tf.expandDims(K, 0)), 4), 1 / Math.sqrt(dh)),
    causalMask(c, qPos),
  ) // [Tq, T, B, H]
  const E = tf.exp(tf.sub(scores, tf.max(scores, 1, true)))
  const A = tf.div(E, tf.sum(E, 1, true)) // [Tq, T, B, H]
  const Z2 = tf.reshape<tf.Rank.R2>(tf.sum(tf.mul(tf.expandDims(A, 4), tf.expandDims(V, 0)), 1), [Tq * B, H * dh])
  const Y2 = tf.add<tf.Tensor2D>(Xq2, tf.matMul(Z2, WO)) // [Tq·B, d_model]
  const [out, mlp] = mlpForward(c, params, layer, Y2)
  return [tf.reshape<tf.Rank.R3>(out, [Tq, B, d]), { last, X2, Xq2, WQ, WK, WV, WO, Q, K, V, A, Z2, mlp }]
}

/** Backward through one block: given `dOut` (`[Tq·B, d_model]`), the weight gradients and `dX` (`[T, B, d_model]`). */
const blockBackward = (
  c: ModelConfig,
  params: Params,
  layer: number,
  k: BlockCache,
  dOut: tf.Tensor2D,
): [Record<string, tf.Tensor>, tf.Tensor3D] => {
  const T = c.nCtx
  const B = k.X2.shape[0] / T
  const [H, dh, d] = [c.nHeads, c.dHead, c.dModel]
  const Tq = k.last ? 1 : T
  const scale = 1 / Math.sqrt(dh)
  const [mlpGrads, dY2] = mlpBackward(c, params, layer, k.mlp, dOut)
  // attention output
  const dW_O = tmm(k.Z2, dY2)
  const dZ = tf.reshape(mmt(dY2, k.WO), [Tq, B, H, dh])
  const dA = tf.sum(tf.mul(tf.expandDims(dZ, 1), tf.expandDims(k.V, 0)), 4) // [Tq, T, B, H]
  const dV = tf.sum(tf.mul(tf.expandDims(k.A, 4), tf.expandDims(dZ, 1)), 0) // [T, B, H, dh]
  const dS = tf.mul(k.A, tf.sub(dA, tf.sum(tf.mul(k.A, dA), 1, true)))
  const dQ2 = tf.reshape<tf.Rank.R2>(tf.mul(tf.sum(tf.mul(tf.expandDims(dS, 4), tf.expandDims(k.K, 0)), 1), scale), [Tq * B, H * dh])
  const dK2 = tf.reshape<tf.Rank.R2>(tf.mul(tf.sum(tf.mul(tf.expandDims(dS, 4), tf.expandDims(k.Q, 1)), 0), scale), [T * B, H * dh])
  const dV2 = tf.reshape<tf.Rank.R2>(dV, [T * B, H * dh])
  // into the stream: keys and values read every position, queries and the residual the query positions
  const dXq = tf.reshape(tf.add(dY2, mmt(dQ2, k.WQ)), [Tq, B, d])
  const dXkv = tf.reshape(tf.add(mmt(dK2, k.WK), mmt(dV2, k.WV)), [T, B, d])
  const dX = tf.add<tf.Tensor3D>(dXkv, k.last ? tf.pad(dXq, [[T - 1, 0], [0, 0], [0, 0]]) : dXq)
  const grads = {
    [blockName(layer, 'W_Q')]: flatToHeads(tmm(k.Xq2, dQ2), c),
    [blockName(layer, 'W_K')]: flatToHeads(tmm(k.X2, dK2), c),
    [blockName(layer, 'W_V')]: flatToHeads(tmm(k.X2, dV2), c),
    [blockName(layer, 'W_O')]: tf.reshape(dW_O, [H, dh, d]),
    ...mlpGrads,
  }
  return [grads, dX]
}

// ─────────────────────────────────────────────────────────────────────────────
// the pass
// ─────────────────────────────────────────────────────────────────────────────

/** Embedding, every block, unembedding; its backward adds the embeddings' gradients. */
export const generalPass = (c: ModelConfig, params: Params, x: Inputs): Pass => {
  const T = c.nCtx
  const embedded = tf.reshape<tf.Rank.R3>(tf.matMul(x.oneHot, params['embed.W_E']!), [T, x.size, c.dModel]) // [T, B, d_model]
  let X: tf.Tensor3D = c.positionalEmbedding ? tf.add(embedded, tf.reshape(params['pos_embed.W_pos']!, [T, 1, c.dModel])) : embedded
  const blocks: BlockCache[] = []
  for (let l = 0; l < c.nLayers; l++) {
    const [next, cache] = blockForward(c, params, l, X, l === c.nLayers - 1)
    blocks.push(cache)
    X = next
  }
  const final = tf.reshape<tf.Rank.R2>(X, [x.size, c.dModel])
  return {
    logits: tf.matMul(final, params['unembed.W_U']!),
    final,
    mlpPost: blocks[c.nLayers - 1]!.mlp.post,
    backward: (dFinal, batch) => {
      const grads: Record<string, tf.Tensor> = {}
      let d = dFinal // [Tq·B, d_model]
      let dX: tf.Tensor3D | null = null // [T, B, d_model]; set by the first (nLayers ≥ 1) iteration
      for (let l = c.nLayers - 1; l >= 0; l--) {
        const [g, dIn] = blockBackward(c, params, l, blocks[l]!, d)
        Object.assign(grads, g)
        dX = dIn
        d = tf.reshape<tf.Rank.R2>(dIn, [T * x.size, c.dModel])
      }
      if (dX === null) throw new RangeError('the model has no block')
      // A batch prepared for the table path has no oneHotT: the same product, transposed here.
      const oneHotT = batch.oneHotT ?? tf.transpose(batch.oneHot) // [d_vocab, T·B]
      grads['embed.W_E'] = tf.matMul(oneHotT, tf.reshape(dX, [T * x.size, c.dModel]))
      if (c.positionalEmbedding) grads['pos_embed.W_pos'] = tf.sum(dX, 1)
      return grads
    },
  }
}

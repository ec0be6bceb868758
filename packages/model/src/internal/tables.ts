/**
 * The paper's one-block model (no positional embedding) through vocabulary tables.
 * Every query, key and value is a row of a per-token table (`W_E·W_Q`, `W_E·W_K`,
 * `W_E·W_V`, `[d_vocab, H·d_head]`), formed once per step. Scores against every
 * vocabulary entry are one product per head; each position then picks its token's
 * column with its one-hot row. Exact algebra, far fewer products than projecting
 * `3·batch` embedded rows. Internal.
 *
 * @since 0.1.0
 */
import * as tf from '@tensorflow/tfjs-core'
import type { ModelConfig } from '../Config.js'
import type { Inputs } from '../Inputs.js'
import { type Params, blockName } from '../Params.js'
import { type MlpCache, type Pass, mlpBackward, mlpForward } from './mlp.js'
import { flatToHeads, headsToFlat, mmt, splitHeads, tmm } from './products.js'

interface TableCache {
  readonly oneHot: ReadonlyArray<tf.Tensor2D> // per position [B, V]
  readonly WQ: tf.Tensor2D // [d_model, H·d_head]
  readonly WK: tf.Tensor2D
  readonly WV: tf.Tensor2D
  readonly WO: tf.Tensor2D // [H·d_head, d_model]
  readonly q: ReadonlyArray<tf.Tensor2D> // per head [B, d_head]
  readonly kTab: ReadonlyArray<tf.Tensor2D> // per head [V, d_head]
  readonly vTab: ReadonlyArray<tf.Tensor2D> // per head [V, d_head]
  readonly A: ReadonlyArray<ReadonlyArray<tf.Tensor1D>> // per head, per key position [B]
  readonly P: ReadonlyArray<tf.Tensor2D> // per head [B, V], attention weights gathered onto the vocabulary
  readonly Z2: tf.Tensor2D // [B, H·d_head], the attention output before W_O
  readonly mlp: MlpCache
}

// Products shared by all heads are single 2-D products on `[·, H·d_head]`; only the
// products that differ per head are per head, as 2-D products (WASM's batched
// matMul is ~5× slower than the same work as separate 2-D products).
const tableForward = (c: ModelConfig, params: Params, x: Inputs): [tf.Tensor2D, TableCache] => {
  const [T, B, V] = [c.nCtx, x.size, c.dVocab]
  const W_E = params['embed.W_E'] as tf.Tensor2D
  const WQ = headsToFlat(params[blockName(0, 'W_Q')]!, c)
  const WK = headsToFlat(params[blockName(0, 'W_K')]!, c)
  const WV = headsToFlat(params[blockName(0, 'W_V')]!, c)
  const WO = tf.reshape<tf.Rank.R2>(params[blockName(0, 'W_O')]!, [c.nHeads * c.dHead, c.dModel])
  const oneHot = Array.from({ length: T }, (_, t) => tf.slice(x.oneHot, [t * B, 0], [B, V]))
  const last = oneHot[T - 1]!
  const scale = 1 / Math.sqrt(c.dHead)
  const q = splitHeads(c, tf.matMul(last, tf.matMul(W_E, WQ))) // per head [B, dh]
  const kTab = splitHeads(c, tf.matMul(W_E, WK)) // per head [V, dh]
  const vTab = splitHeads(c, tf.matMul(W_E, WV))
  const A = q.map((qh, h) => {
    const byToken = mmt(qh, kTab[h]!) // [B, V]: the query against every token's key
    // The last position attends to every position: no mask is needed.
    const scores = tf.mul(tf.stack(oneHot.map((oh) => tf.sum(tf.mul(byToken, oh), 1))), scale) // [T, B]
    const E = tf.exp(tf.sub(scores, tf.max(scores, 0, true)))
    return tf.unstack(tf.div(E, tf.sum(E, 0, true))) as tf.Tensor1D[]
  })
  const P = A.map((a) => tf.addN(oneHot.map((oh, j) => tf.mul<tf.Tensor2D>(tf.expandDims(a[j]!, 1), oh))))
  const Z2 = tf.concat(P.map((ph, h) => tf.matMul<tf.Tensor2D>(ph, vTab[h]!)), 1) // [B, H·dh]
  const Y2 = tf.add<tf.Tensor2D>(tf.matMul(last, W_E), tf.matMul(Z2, WO)) // [B, d_model]
  const [out, mlp] = mlpForward(c, params, 0, Y2)
  return [out, { oneHot, WQ, WK, WV, WO, q, kTab, vTab, A, P, Z2, mlp }]
}

const tableBackward = (c: ModelConfig, params: Params, k: TableCache, dOut: tf.Tensor2D): Record<string, tf.Tensor> => {
  const T = c.nCtx
  const W_E = params['embed.W_E'] as tf.Tensor2D
  const scale = 1 / Math.sqrt(c.dHead)
  const [mlpGrads, dY2] = mlpBackward(c, params, 0, k.mlp, dOut)
  const last = k.oneHot[T - 1]!
  const dZ = splitHeads(c, mmt(dY2, k.WO)) // per head [B, dh]
  const perHead = k.q.map((qh, h) => {
    const dP = mmt(dZ[h]!, k.vTab[h]!) // [B, V]
    const a = k.A[h]!
    const dA = k.oneHot.map((oh) => tf.sum(tf.mul(dP, oh), 1)) // T × [B]
    const inner = tf.addN(a.map((aj, j) => tf.mul(aj, dA[j]!)))
    const dByToken = tf.mul<tf.Tensor2D>(
      tf.addN(k.oneHot.map((oh, j) => tf.mul(tf.expandDims(tf.mul(a[j]!, tf.sub(dA[j]!, inner)), 1), oh))),
      scale,
    ) // [B, V]
    return { dq: tf.matMul<tf.Tensor2D>(dByToken, k.kTab[h]!), dKTab: tmm(dByToken, qh), dVTab: tmm(k.P[h]!, dZ[h]!) }
  })
  const dTabQ = tmm(last, tf.concat(perHead.map((g) => g.dq), 1)) // [V, H·dh]
  const dTabK = tf.concat(perHead.map((g) => g.dKTab), 1)
  const dTabV = tf.concat(perHead.map((g) => g.dVTab), 1)
  // tab = W_E·W  ⇒  dW = W_Eᵀ·dTab and dW_E += dTab·Wᵀ; the residual adds the last position's gradient.
  const dW_E = tf.addN([tmm(last, dY2), mmt(dTabQ, k.WQ), mmt(dTabK, k.WK), mmt(dTabV, k.WV)])
  return {
    'embed.W_E': dW_E,
    [blockName(0, 'W_Q')]: flatToHeads(tmm(W_E, dTabQ), c),
    [blockName(0, 'W_K')]: flatToHeads(tmm(W_E, dTabK), c),
    [blockName(0, 'W_V')]: flatToHeads(tmm(W_E, dTabV), c),
    [blockName(0, 'W_O')]: tf.reshape(tmm(k.Z2, dY2), [c.nHeads, c.dHead, c.dModel]),
    ...mlpGrads,
  }
}

/** The one-block pass through vocabulary tables (only for `usesVocabularyTables(c)`). */
export const tablePass = (c: ModelConfig, params: Params, x: Inputs): Pass => {
  const [final, cache] = tableForward(c, params, x)
  return {
    logits: tf.matMul(final, params['unembed.W_U']!),
    final,
    mlpPost: cache.mlp.post,
    backward: (dFinal) => tableBackward(c, params, cache, dFinal),
  }
}

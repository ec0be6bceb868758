/**
 * The Transformer's forward pass and its hand-derived backward pass.
 *
 * The backward pass is written out (no `tf.grad`): tfjs-core's Node entry
 * registers no gradients, and writing it out lets every product avoid the
 * slow transposed WASM `matMul`, and lets the last layer compute its queries
 * and MLP at the last position only — the only one the logits read. A test
 * checks these gradients against finite differences of a float64 reference.
 *
 * @example
 * import { forward, prepareInputs } from '@grokscope/model'
 * const logits = forward(config, params, prepareInputs(config, tokens))  // [batch, n_out]
 *
 * @since 0.1.0
 */
import * as tf from '@tensorflow/tfjs-core'
import type { ModelConfig } from './Config.js'
import { type Params, blockName } from './Params.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/**
 * Token inputs on the backend as one-hot rows, position-major: row `t * size + i`
 * is token `t` of example `i`. The embedding is a product with it (WASM's
 * gather is slower than this product, and has no gradient kernel).
 */
export interface Inputs {
  readonly size: number
  readonly oneHot: tf.Tensor2D // [n_ctx * batch, d_vocab]
}

/** Inputs with labels and what the backward pass needs, prepared once per data set. */
export interface Batch extends Inputs {
  readonly labels: tf.Tensor1D // int32 [batch]
  readonly labelsOneHot: tf.Tensor2D // [batch, n_out]
  /** `oneHotT[v, t*size + i] = 1` where token `t` of example `i` is `v`; the embedding gradient is a plain product with it. */
  readonly oneHotT: tf.Tensor2D // [d_vocab, n_ctx * batch]
}

/** Loss, logits and the gradient of every weight. */
export interface LossAndGrads {
  readonly loss: tf.Scalar
  readonly logits: tf.Tensor2D // [batch, n_out]
  readonly grads: Params
}

// ─────────────────────────────────────────────────────────────────────────────
// constructors
// ─────────────────────────────────────────────────────────────────────────────

const checkTokens = (c: ModelConfig, tokens: Int32Array): number => {
  if (tokens.length % c.nCtx !== 0) throw new RangeError(`inputs: ${tokens.length} tokens are not whole rows of n_ctx = ${c.nCtx}`)
  for (const t of tokens) if (!(t >= 0 && t < c.dVocab)) throw new RangeError(`inputs: token ${t} is outside the vocabulary [0, ${c.dVocab})`)
  return tokens.length / c.nCtx
}

const positionMajor = (c: ModelConfig, tokens: Int32Array, size: number): Int32Array => {
  const out = new Int32Array(tokens.length)
  for (let i = 0; i < size; i++) for (let t = 0; t < c.nCtx; t++) out[t * size + i] = tokens[i * c.nCtx + t]!
  return out
}

const oneHotRows = (c: ModelConfig, positionMajorTokens: Int32Array): tf.Tensor2D => {
  const data = new Float32Array(positionMajorTokens.length * c.dVocab)
  positionMajorTokens.forEach((v, j) => (data[j * c.dVocab + v] = 1))
  return tf.tensor2d(data, [positionMajorTokens.length, c.dVocab])
}

/** Uploads token rows (`[batch, n_ctx]` row-major, e.g. `[a, op, b]`). */
export const prepareInputs = (c: ModelConfig, tokens: Int32Array): Inputs => {
  const size = checkTokens(c, tokens)
  return { size, oneHot: oneHotRows(c, positionMajor(c, tokens, size)) }
}

/** Uploads token rows and their labels for training or evaluation. */
export const prepareBatch = (c: ModelConfig, tokens: Int32Array, labels: Int32Array): Batch => {
  const size = checkTokens(c, tokens)
  if (labels.length !== size) throw new RangeError(`batch: ${labels.length} labels for ${size} examples`)
  for (const y of labels) if (!(y >= 0 && y < c.nOut)) throw new RangeError(`batch: label ${y} is outside [0, ${c.nOut})`)
  const pm = positionMajor(c, tokens, size)
  const oneHotT = new Float32Array(c.dVocab * pm.length)
  pm.forEach((v, j) => (oneHotT[v * pm.length + j] = 1))
  const oneHot = new Float32Array(size * c.nOut)
  labels.forEach((y, i) => (oneHot[i * c.nOut + y] = 1))
  return {
    size,
    oneHot: oneHotRows(c, pm),
    labels: tf.tensor1d(labels, 'int32'),
    labelsOneHot: tf.tensor2d(oneHot, [size, c.nOut]),
    oneHotT: tf.tensor2d(oneHotT, [c.dVocab, pm.length]),
  }
}

/** Frees the tensors of prepared inputs or a batch. */
export const disposeInputs = (x: Inputs | Batch): void => {
  for (const t of Object.values(x)) if (t instanceof tf.Tensor) t.dispose()
}

// ─────────────────────────────────────────────────────────────────────────────
// internals: products without transposed WASM kernels
// ─────────────────────────────────────────────────────────────────────────────

/** `aᵀ · b` with an explicit transpose (WASM's transposeA path is ~15× slower). */
const tmm = (a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D => tf.matMul(tf.transpose(a), b)
/** `a · bᵀ` with an explicit transpose. */
const mmt = (a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D => tf.matMul(a, tf.transpose(b))

/** `[H, d_model, d_head]` → `[d_model, H·d_head]`, the heads side by side. */
const headsToFlat = (w: tf.Tensor, c: ModelConfig): tf.Tensor2D =>
  tf.reshape(tf.transpose(w, [1, 0, 2]), [c.dModel, c.nHeads * c.dHead])
/** `[d_model, H·d_head]` → `[H, d_model, d_head]`. */
const flatToHeads = (g: tf.Tensor2D, c: ModelConfig): tf.Tensor =>
  tf.transpose(tf.reshape(g, [c.dModel, c.nHeads, c.dHead]), [1, 0, 2])

const activation = (c: ModelConfig, pre: tf.Tensor2D): tf.Tensor2D =>
  c.act === 'relu' ? tf.relu(pre) : (tf.mul(tf.mul(pre, 0.5), tf.add(1, tf.erf(tf.mul(pre, Math.SQRT1_2)))) as tf.Tensor2D)

const activationGrad = (c: ModelConfig, pre: tf.Tensor2D, dPost: tf.Tensor2D): tf.Tensor2D => {
  if (c.act === 'relu') return tf.mul(dPost, tf.step(pre, 0))
  const cdf = tf.mul(tf.add(1, tf.erf(tf.mul(pre, Math.SQRT1_2))), 0.5)
  const pdf = tf.mul(tf.exp(tf.mul(tf.square(pre), -0.5)), 1 / Math.sqrt(2 * Math.PI))
  return tf.mul(dPost, tf.add(cdf, tf.mul(pre, pdf)))
}

/** Additive causal mask for queries at `qPos` over all `n_ctx` keys: `[Tq, T, 1, 1]`. */
const causalMask = (c: ModelConfig, qPos: ReadonlyArray<number>): tf.Tensor =>
  tf.tensor4d(
    qPos.flatMap((i) => Array.from({ length: c.nCtx }, (_, j) => (j > i ? -1e9 : 0))),
    [qPos.length, c.nCtx, 1, 1],
  )

// ─────────────────────────────────────────────────────────────────────────────
// internals: the MLP with its residual, forward and backward
// ─────────────────────────────────────────────────────────────────────────────

interface MlpCache {
  readonly Y2: tf.Tensor2D // [N, d_model], the MLP's input
  readonly pre: tf.Tensor2D // [N, d_mlp]
  readonly post: tf.Tensor2D // [N, d_mlp]
}

/** `Y + act(Y·W_in)·W_out`. */
const mlpForward = (c: ModelConfig, params: Params, layer: number, Y2: tf.Tensor2D): [tf.Tensor2D, MlpCache] => {
  const pre = tf.matMul(Y2, params[blockName(layer, 'W_in')] as tf.Tensor2D) as tf.Tensor2D // [N, d_mlp]
  const post = activation(c, pre)
  return [tf.add(Y2, tf.matMul(post, params[blockName(layer, 'W_out')] as tf.Tensor2D)) as tf.Tensor2D, { Y2, pre, post }]
}

/** The MLP's weight gradients and the gradient into its input (residual included). */
const mlpBackward = (c: ModelConfig, params: Params, layer: number, k: MlpCache, dOut: tf.Tensor2D): [Record<string, tf.Tensor>, tf.Tensor2D] => {
  const dPre = activationGrad(c, k.pre, mmt(dOut, params[blockName(layer, 'W_out')] as tf.Tensor2D))
  const grads = { [blockName(layer, 'W_in')]: tmm(k.Y2, dPre), [blockName(layer, 'W_out')]: tmm(k.post, dOut) }
  return [grads, tf.add(dOut, mmt(dPre, params[blockName(layer, 'W_in')] as tf.Tensor2D)) as tf.Tensor2D]
}

// ─────────────────────────────────────────────────────────────────────────────
// internals: one block, forward and backward
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
  const X2 = tf.reshape(X, [T * B, d]) as tf.Tensor2D
  const Xq2 = last ? (tf.reshape(tf.slice(X, [T - 1, 0, 0], [1, B, d]), [B, d]) as tf.Tensor2D) : X2
  const WQ = headsToFlat(params[blockName(layer, 'W_Q')]!, c)
  const WK = headsToFlat(params[blockName(layer, 'W_K')]!, c)
  const WV = headsToFlat(params[blockName(layer, 'W_V')]!, c)
  const WO = tf.reshape(params[blockName(layer, 'W_O')]!, [H * dh, d]) as tf.Tensor2D
  const Q = tf.reshape(tf.matMul(Xq2, WQ), [Tq, B, H, dh])
  const K = tf.reshape(tf.matMul(X2, WK), [T, B, H, dh])
  const V = tf.reshape(tf.matMul(X2, WV), [T, B, H, dh])
  const scores = tf.add(tf.mul(tf.sum(tf.mul(tf.expandDims(Q, 1), tf.expandDims(K, 0)), 4), 1 / Math.sqrt(dh)), causalMask(c, qPos)) // [Tq, T, B, H]
  const E = tf.exp(tf.sub(scores, tf.max(scores, 1, true)))
  const A = tf.div(E, tf.sum(E, 1, true)) // [Tq, T, B, H]
  const Z2 = tf.reshape(tf.sum(tf.mul(tf.expandDims(A, 4), tf.expandDims(V, 0)), 1), [Tq * B, H * dh]) as tf.Tensor2D
  const Y2 = tf.add(Xq2, tf.matMul(Z2, WO)) as tf.Tensor2D // [Tq·B, d_model]
  const [out, mlp] = mlpForward(c, params, layer, Y2)
  return [tf.reshape(out, [Tq, B, d]) as tf.Tensor3D, { last, X2, Xq2, WQ, WK, WV, WO, Q, K, V, A, Z2, mlp }]
}

/** Backward through one block: given `dOut` (`[Tq·B, d_model]`), the weight gradients and `dX` (`[T, B, d_model]`). */
const blockBackward = (c: ModelConfig, params: Params, layer: number, k: BlockCache, dOut: tf.Tensor2D): [Record<string, tf.Tensor>, tf.Tensor3D] => {
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
  const dQ2 = tf.reshape(tf.mul(tf.sum(tf.mul(tf.expandDims(dS, 4), tf.expandDims(k.K, 0)), 1), scale), [Tq * B, H * dh]) as tf.Tensor2D
  const dK2 = tf.reshape(tf.mul(tf.sum(tf.mul(tf.expandDims(dS, 4), tf.expandDims(k.Q, 1)), 0), scale), [T * B, H * dh]) as tf.Tensor2D
  const dV2 = tf.reshape(dV, [T * B, H * dh]) as tf.Tensor2D
  // into the stream: keys and values read every position, queries and the residual the query positions
  const dXq = tf.reshape(tf.add(dY2, mmt(dQ2, k.WQ)), [Tq, B, d])
  const dXkv = tf.reshape(tf.add(mmt(dK2, k.WK), mmt(dV2, k.WV)), [T, B, d])
  const dX = tf.add(dXkv, k.last ? tf.pad(dXq, [[T - 1, 0], [0, 0], [0, 0]]) : dXq) as tf.Tensor3D
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
// internals: the paper's one-block model through vocabulary tables
// ─────────────────────────────────────────────────────────────────────────────

/**
 * With one block and no positional embedding, every query, key and value is a
 * row of a per-token table (`W_E·W_Q`, `W_E·W_K`, `W_E·W_V`, `[d_vocab, H·d_head]`),
 * formed once per step. Scores against every vocabulary entry are one product per
 * head; each position then picks its token's column with its one-hot row. Exact
 * algebra, far fewer products than projecting `3·batch` embedded rows.
 */
export const usesVocabularyTables = (c: ModelConfig): boolean => c.nLayers === 1 && !c.positionalEmbedding

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

/** The heads' column blocks of a `[n, H·d_head]` matrix. */
const splitHeads = (c: ModelConfig, x: tf.Tensor2D): tf.Tensor2D[] => tf.split(x, c.nHeads, 1) as tf.Tensor2D[]

// Products shared by all heads are single 2-D products on `[·, H·d_head]`; only the
// products that differ per head are per head, as 2-D products (WASM's batched
// matMul is ~5× slower than the same work as separate 2-D products).
const tableForward = (c: ModelConfig, params: Params, x: Inputs): [tf.Tensor2D, TableCache] => {
  const [T, B, V] = [c.nCtx, x.size, c.dVocab]
  const W_E = params['embed.W_E'] as tf.Tensor2D
  const WQ = headsToFlat(params[blockName(0, 'W_Q')]!, c)
  const WK = headsToFlat(params[blockName(0, 'W_K')]!, c)
  const WV = headsToFlat(params[blockName(0, 'W_V')]!, c)
  const WO = tf.reshape(params[blockName(0, 'W_O')]!, [c.nHeads * c.dHead, c.dModel]) as tf.Tensor2D
  const oneHot = Array.from({ length: T }, (_, t) => tf.slice(x.oneHot, [t * B, 0], [B, V]) as tf.Tensor2D)
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
  const P = A.map((a) => tf.addN(oneHot.map((oh, j) => tf.mul(tf.expandDims(a[j]!, 1), oh))) as tf.Tensor2D)
  const Z2 = tf.concat(P.map((ph, h) => tf.matMul(ph, vTab[h]!)), 1) as tf.Tensor2D // [B, H·dh]
  const Y2 = tf.add(tf.matMul(last, W_E), tf.matMul(Z2, WO)) as tf.Tensor2D // [B, d_model]
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
    const dByToken = tf.mul(tf.addN(k.oneHot.map((oh, j) => tf.mul(tf.expandDims(tf.mul(a[j]!, tf.sub(dA[j]!, inner)), 1), oh))), scale) as tf.Tensor2D // [B, V]
    return { dq: tf.matMul(dByToken, k.kTab[h]!), dKTab: tmm(dByToken, qh), dVTab: tmm(k.P[h]!, dZ[h]!) }
  })
  const dTabQ = tmm(last, tf.concat(perHead.map((g) => g.dq), 1) as tf.Tensor2D) // [V, H·dh]
  const dTabK = tf.concat(perHead.map((g) => g.dKTab), 1) as tf.Tensor2D
  const dTabV = tf.concat(perHead.map((g) => g.dVTab), 1) as tf.Tensor2D
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

/** A forward pass that can be run backward from the gradient of the final stream (`[B, d_model]`). */
interface Pass {
  readonly logits: tf.Tensor2D // [B, n_out]
  readonly final: tf.Tensor2D // [B, d_model], the stream at the last position
  readonly mlpPost: tf.Tensor2D // [B, d_mlp], the last block's MLP activations at the last position
  readonly backward: (dFinal: tf.Tensor2D, batch: Batch) => Record<string, tf.Tensor>
}

const tablePass = (c: ModelConfig, params: Params, x: Inputs): Pass => {
  const [final, cache] = tableForward(c, params, x)
  return {
    logits: tf.matMul(final, params['unembed.W_U'] as tf.Tensor2D),
    final,
    mlpPost: cache.mlp.post,
    backward: (dFinal) => tableBackward(c, params, cache, dFinal),
  }
}

const generalPass = (c: ModelConfig, params: Params, x: Inputs): Pass => {
  const T = c.nCtx
  const embedded = tf.reshape(tf.matMul(x.oneHot, params['embed.W_E'] as tf.Tensor2D), [T, x.size, c.dModel])
  let X = (c.positionalEmbedding ? tf.add(embedded, tf.reshape(params['pos_embed.W_pos']!, [T, 1, c.dModel])) : embedded) as tf.Tensor3D
  const blocks: BlockCache[] = []
  for (let l = 0; l < c.nLayers; l++) {
    const [next, cache] = blockForward(c, params, l, X, l === c.nLayers - 1)
    blocks.push(cache)
    X = next
  }
  const final = tf.reshape(X, [x.size, c.dModel]) as tf.Tensor2D
  return {
    logits: tf.matMul(final, params['unembed.W_U'] as tf.Tensor2D),
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
        d = tf.reshape(dIn, [T * x.size, c.dModel]) as tf.Tensor2D
      }
      if (dX === null) throw new RangeError('the model has no block')
      grads['embed.W_E'] = tf.matMul(batch.oneHotT, tf.reshape(dX, [T * x.size, c.dModel]) as tf.Tensor2D)
      if (c.positionalEmbedding) grads['pos_embed.W_pos'] = tf.sum(dX, 1)
      return grads
    },
  }
}

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
 * `lse(logits) − logit_y` in float32 is quantised near 1e-7 (SPEC §3 asks for a smooth curve).
 */
export const crossEntropyPerExample = (logits: tf.Tensor2D, labelsOneHot: tf.Tensor2D): tf.Tensor1D =>
  tf.tidy(() => {
    const others = tf.sub(1, labelsOneHot)
    const z = tf.sub(logits, tf.sum(tf.mul(logits, labelsOneHot), 1, true)) // [B, n]: logit_j − logit_y
    const m = tf.relu(tf.max(tf.add(z, tf.mul(labelsOneHot, -1e30)), 1, true)) // [B, 1]
    const rest = tf.sum(tf.mul(tf.exp(tf.sub(z, m)), others), 1, true)
    return tf.reshape(tf.add(m, log1p(tf.add(tf.expm1(tf.neg(m)), rest))), [-1]) as tf.Tensor1D
  })

/** Mean cross-entropy (see `crossEntropyPerExample`). */
export const crossEntropy = (logits: tf.Tensor2D, labelsOneHot: tf.Tensor2D): tf.Scalar =>
  tf.tidy(() => tf.mean(crossEntropyPerExample(logits, labelsOneHot)) as tf.Scalar)

/**
 * `∂loss/∂logits = (softmax − onehot) / B`, with the correct class's entry formed
 * as `−Σ_{j≠y} p_j` rather than `p_y − 1`, which float32 rounds to multiples of 6e-8
 * once the loss is small — noise that AdamW's normalisation would amplify.
 */
const crossEntropyGrad = (logits: tf.Tensor2D, labelsOneHot: tf.Tensor2D): tf.Tensor2D =>
  tf.tidy(() => {
    const pOthers = tf.mul(tf.softmax(logits), tf.sub(1, labelsOneHot))
    return tf.div(tf.sub(pOthers, tf.mul(labelsOneHot, tf.sum(pOthers, 1, true))), logits.shape[0]) as tf.Tensor2D
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

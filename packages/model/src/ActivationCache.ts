/**
 * The readable forward pass: every activation of every example at every position,
 * under TransformerLens's hook names (`HookedTransformer.run_with_cache`). One
 * plain pass in the nanoGPT spirit — `resid_mid = resid_pre + attn(resid_pre)`,
 * `resid_post = resid_mid + mlp(resid_mid)` — batch-major as TransformerLens is,
 * with no shortcut: it is the reference that the fast paths of `Transformer.ts`
 * are tested against, and what analyses of named activations hang off.
 *
 * @example
 * import { disposeCache, disposeInputs, initParams, paperConfig, prepareInputs, runWithCache } from '@grokscope/model'
 * const config = paperConfig({ dVocab: 32, nOut: 31 })
 * const inputs = prepareInputs(config, Int32Array.from([0, 31, 1, 2, 31, 3]))  // [a, op, b] twice
 * const { logits, cache } = runWithCache(config, initParams(config, 0), inputs)
 * // [batch, n_ctx, n_out]; the model's logits are the last position's
 * logits.shape  // => [2, 3, 31]
 * // [batch, n_heads, n_ctx, n_ctx]
 * cache['blocks.0.attn.hook_pattern']?.shape  // => [2, 4, 3, 3]
 * disposeCache(cache); logits.dispose(); disposeInputs(inputs)
 *
 * @since 0.1.0
 */
import * as tf from '@tensorflow/tfjs-core'
import type { ModelConfig } from './Config.js'
import type { Inputs } from './Inputs.js'
import { type Params, blockName } from './Params.js'
import { activation, headsToFlat } from './internal/products.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** Activations by TransformerLens hook name (`hook_embed`, `blocks.0.attn.hook_pattern`, …). */
export type ActivationCache = Readonly<Record<string, tf.Tensor>>

/** A forward pass with its activations; the caller owns (and disposes) every tensor. */
export interface CachedRun {
  readonly logits: tf.Tensor3D // [batch, pos, n_out]
  readonly cache: ActivationCache
}

// ─────────────────────────────────────────────────────────────────────────────
// names and shapes
// ─────────────────────────────────────────────────────────────────────────────

/**
 * Every hook's name and shape for a batch, in the order the pass reaches them
 * (TransformerLens's cache order):
 *
 * | hook | shape |
 * |---|---|
 * | `hook_embed`, `hook_pos_embed` (with positional embedding only) | `[batch, pos, d_model]` |
 * | `blocks.{l}.hook_resid_pre` | `[batch, pos, d_model]` |
 * | `blocks.{l}.attn.hook_q`, `hook_k`, `hook_v` | `[batch, pos, head_index, d_head]` |
 * | `blocks.{l}.attn.hook_attn_scores` (scaled by `1/√d_head`, `-Infinity` where `key_pos > query_pos`) | `[batch, head_index, query_pos, key_pos]` |
 * | `blocks.{l}.attn.hook_pattern` (0 where masked) | `[batch, head_index, query_pos, key_pos]` |
 * | `blocks.{l}.attn.hook_z` | `[batch, pos, head_index, d_head]` |
 * | `blocks.{l}.hook_attn_out`, `hook_resid_mid` | `[batch, pos, d_model]` |
 * | `blocks.{l}.mlp.hook_pre`, `hook_post` | `[batch, pos, d_mlp]` |
 * | `blocks.{l}.hook_mlp_out`, `hook_resid_post` | `[batch, pos, d_model]` |
 */
export const hookShapes = (c: ModelConfig, batch: number): ReadonlyArray<readonly [string, ReadonlyArray<number>]> => {
  const [B, T, d] = [batch, c.nCtx, c.dModel]
  const stream = [B, T, d]
  const heads = [B, T, c.nHeads, c.dHead]
  const attention = [B, c.nHeads, T, T]
  return [
    ['hook_embed', stream],
    ...(c.positionalEmbedding ? [['hook_pos_embed', stream] as const] : []),
    ...Array.from({ length: c.nLayers }, (_, l) => [
      [`blocks.${l}.hook_resid_pre`, stream] as const,
      [`blocks.${l}.attn.hook_q`, heads] as const,
      [`blocks.${l}.attn.hook_k`, heads] as const,
      [`blocks.${l}.attn.hook_v`, heads] as const,
      [`blocks.${l}.attn.hook_attn_scores`, attention] as const,
      [`blocks.${l}.attn.hook_pattern`, attention] as const,
      [`blocks.${l}.attn.hook_z`, heads] as const,
      [`blocks.${l}.hook_attn_out`, stream] as const,
      [`blocks.${l}.hook_resid_mid`, stream] as const,
      [`blocks.${l}.mlp.hook_pre`, [B, T, c.dMlp]] as const,
      [`blocks.${l}.mlp.hook_post`, [B, T, c.dMlp]] as const,
      [`blocks.${l}.hook_mlp_out`, stream] as const,
      [`blocks.${l}.hook_resid_post`, stream] as const,
    ]).flat(),
  ]
}

/** The names `runWithCache` returns for a config, in pass order (see `hookShapes`). */
export const hookNames = (c: ModelConfig): ReadonlyArray<string> => hookShapes(c, 1).map(([name]) => name)

// ─────────────────────────────────────────────────────────────────────────────
// the pass
// ─────────────────────────────────────────────────────────────────────────────

type Hook = <T extends tf.Tensor>(name: string, t: T) => T

/** `x · w` on the last axis of `x` (`[batch, pos, n]` · `[n, m]` → `[batch, pos, m]`). */
const linear = (x: tf.Tensor3D, w: tf.Tensor): tf.Tensor3D => {
  const [B, T, n] = x.shape
  return tf.reshape<tf.Rank.R3>(tf.matMul(tf.reshape(x, [B * T, n]), w), [B, T, w.shape[1]!])
}

/** `0` on and below the diagonal, `-Infinity` above it (a query never reads a later key): `[query_pos, key_pos]`. */
const causal = (T: number): tf.Tensor2D =>
  tf.tensor2d(Array.from({ length: T * T }, (_, i) => (i % T > Math.floor(i / T) ? -Infinity : 0)), [T, T])

/** Multi-head causal self-attention on the stream `[batch, pos, d_model]`. */
const attention = (c: ModelConfig, params: Params, l: number, x: tf.Tensor3D, hook: Hook): tf.Tensor3D => {
  const [B, T] = x.shape
  const [H, dh] = [c.nHeads, c.dHead]
  const W = (w: 'W_Q' | 'W_K' | 'W_V' | 'W_O'): tf.Tensor => params[blockName(l, w)]!
  const project = (w: 'W_Q' | 'W_K' | 'W_V'): tf.Tensor4D => tf.reshape<tf.Rank.R4>(linear(x, headsToFlat(W(w), c)), [B, T, H, dh])
  const q = hook(`blocks.${l}.attn.hook_q`, project('W_Q')) // [batch, pos, head_index, d_head]
  const k = hook(`blocks.${l}.attn.hook_k`, project('W_K'))
  const v = hook(`blocks.${l}.attn.hook_v`, project('W_V'))
  const qByHead = tf.transpose(q, [0, 2, 1, 3]) // [batch, head_index, query_pos, d_head]
  const kByHeadT = tf.transpose(k, [0, 2, 3, 1]) // [batch, head_index, d_head, key_pos]
  const vByHead = tf.transpose(v, [0, 2, 1, 3]) // [batch, head_index, key_pos, d_head]
  const scores = hook(
    `blocks.${l}.attn.hook_attn_scores`,
    tf.add<tf.Tensor4D>(tf.div(tf.matMul(qByHead, kByHeadT), Math.sqrt(dh)), causal(T)),
  ) // [batch, head_index, query_pos, key_pos]
  const pattern = hook(`blocks.${l}.attn.hook_pattern`, tf.softmax(scores)) // softmax over key_pos
  const z = hook(
    `blocks.${l}.attn.hook_z`,
    tf.transpose(tf.matMul<tf.Tensor4D>(pattern, vByHead), [0, 2, 1, 3]),
  ) // [batch, pos, head_index, d_head]
  return linear(tf.reshape<tf.Rank.R3>(z, [B, T, H * dh]), tf.reshape(W('W_O'), [H * dh, c.dModel])) // [batch, pos, d_model]
}

/** One block: `resid_mid = resid_pre + attn(resid_pre)`, `resid_post = resid_mid + mlp(resid_mid)`. */
const block = (c: ModelConfig, params: Params, l: number, residPre: tf.Tensor3D, hook: Hook): tf.Tensor3D => {
  const attnOut = hook(`blocks.${l}.hook_attn_out`, attention(c, params, l, residPre, hook)) // [batch, pos, d_model]
  const residMid = hook(`blocks.${l}.hook_resid_mid`, tf.add<tf.Tensor3D>(residPre, attnOut))
  const pre = hook(`blocks.${l}.mlp.hook_pre`, linear(residMid, params[blockName(l, 'W_in')]!)) // [batch, pos, d_mlp]
  const post = hook(`blocks.${l}.mlp.hook_post`, activation(c, pre))
  const mlpOut = hook(`blocks.${l}.hook_mlp_out`, linear(post, params[blockName(l, 'W_out')]!)) // [batch, pos, d_model]
  return hook(`blocks.${l}.hook_resid_post`, tf.add<tf.Tensor3D>(residMid, mlpOut))
}

/**
 * The forward pass at every position with every activation by hook name (exactly
 * `hookNames(c)`, shapes as `hookShapes(c, batch)`). The logits are `[batch, pos, n_out]`;
 * `forward`'s are the last position's. Every cached tensor is its own tensor (disposing
 * one leaves the others); the caller disposes the logits and the cache (`disposeCache`).
 */
export const runWithCache = (c: ModelConfig, params: Params, x: Inputs): CachedRun =>
  tf.tidy(() => {
    const [B, T, d] = [x.size, c.nCtx, c.dModel]
    const cache: Record<string, tf.Tensor> = {}
    const hook: Hook = (name, t) => {
      cache[name] = Object.values(cache).includes(t) ? tf.clone(t) : t
      return t
    }
    // The inputs are position-major one-hot rows `[pos·batch, d_vocab]`.
    const embed = hook(
      'hook_embed',
      tf.transpose(tf.reshape<tf.Rank.R3>(tf.matMul(x.oneHot, params['embed.W_E']!), [T, B, d]), [1, 0, 2]),
    ) // [batch, pos, d_model]
    let resid = c.positionalEmbedding
      ? tf.add<tf.Tensor3D>(embed, hook('hook_pos_embed', tf.broadcastTo(params['pos_embed.W_pos']!, [B, T, d])))
      : embed
    for (let l = 0; l < c.nLayers; l++) resid = block(c, params, l, hook(`blocks.${l}.hook_resid_pre`, resid), hook)
    return { logits: linear(resid, params['unembed.W_U']!), cache } // [batch, pos, n_out]
  })

// ─────────────────────────────────────────────────────────────────────────────
// utils
// ─────────────────────────────────────────────────────────────────────────────

/** Disposes every tensor of a cache (the logits of a `CachedRun` are the caller's to dispose too). */
export const disposeCache = (cache: ActivationCache): void => {
  for (const t of Object.values(cache)) t.dispose()
}

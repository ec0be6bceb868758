/**
 * The model's weights under TransformerLens names and layouts, seeded
 * initialisation, and conversion between tensors and host arrays.
 *
 * @example
 * import { initParams, paperConfig } from '@grokscope/model'
 * const params = initParams(paperConfig({ dVocab: 32, nOut: 31 }), 0)
 * params['blocks.0.attn.W_Q']?.shape  // => [4, 128, 32]
 *
 * @since 0.1.0
 */
import * as tf from '@tensorflow/tfjs-core'
import type { ModelConfig } from './Config.js'

/** Weights by TransformerLens name (`embed.W_E`, `blocks.0.attn.W_Q`, …, `unembed.W_U`). */
export type Params = Readonly<Record<string, tf.Tensor>>

/** A weight on the host: shape and row-major values. */
export interface HostTensor {
  readonly shape: ReadonlyArray<number>
  readonly data: Float32Array
}

/** Weights on the host, by TransformerLens name. */
export type HostParams = Readonly<Record<string, HostTensor>>

/** The name of a block's weight: `blocks.{l}.attn.W_Q`, `blocks.{l}.mlp.W_in`, … */
export const blockName = (layer: number, w: 'W_Q' | 'W_K' | 'W_V' | 'W_O' | 'W_in' | 'W_out'): string =>
  `blocks.${layer}.${w === 'W_in' || w === 'W_out' ? 'mlp' : 'attn'}.${w}`

/** Every weight's name and shape, in a fixed order. */
export const paramShapes = (c: ModelConfig): ReadonlyArray<readonly [string, ReadonlyArray<number>]> => [
  ['embed.W_E', [c.dVocab, c.dModel]],
  ...(c.positionalEmbedding ? [['pos_embed.W_pos', [c.nCtx, c.dModel]] as const] : []),
  ...Array.from({ length: c.nLayers }, (_, l) => [
    [blockName(l, 'W_Q'), [c.nHeads, c.dModel, c.dHead]] as const,
    [blockName(l, 'W_K'), [c.nHeads, c.dModel, c.dHead]] as const,
    [blockName(l, 'W_V'), [c.nHeads, c.dModel, c.dHead]] as const,
    [blockName(l, 'W_O'), [c.nHeads, c.dHead, c.dModel]] as const,
    [blockName(l, 'W_in'), [c.dModel, c.dMlp]] as const,
    [blockName(l, 'W_out'), [c.dMlp, c.dModel]] as const,
  ]).flat(),
  ['unembed.W_U', [c.dModel, c.nOut]],
]

/**
 * Seeded zero-mean Gaussian init: std `1/√d_vocab` for `W_E`, `1/√d_model`
 * for the others (docs/SCIENCE.md §2). The same seed gives the same weights. Weight `i` (in
 * `paramShapes` order) draws from tfjs's seeded generator with seed `1009·seed + i + 1`
 * (never 0, which tfjs takes as "unseeded").
 */
export const initParams = (c: ModelConfig, seed: number): Params =>
  Object.fromEntries(
    paramShapes(c).map(([name, shape], i) => {
      const std = name === 'embed.W_E' ? 1 / Math.sqrt(c.dVocab) : 1 / Math.sqrt(c.dModel)
      return [name, tf.randomNormal([...shape], 0, std, 'float32', seed * 1009 + i + 1)]
    }),
  )

/**
 * Tensors from host arrays. Its input is already decoded (`decodeWeightsFile`) or made by
 * the program (`toHost`), so a missing weight or a shape or length that differs from the
 * config's is a programming error: it throws an `Error` whose message starts `weights:`
 * (unlike `decodeWeightsFile`, which returns what a user's file got wrong).
 */
export const fromHost = (c: ModelConfig, host: HostParams): Params => {
  // Every weight is checked before any tensor is made, so a throw leaks none.
  const checked = paramShapes(c).map(([name, shape]) => {
    const w = host[name]
    if (w === undefined) throw new Error(`weights: ${name} is missing`)
    if (w.shape.join(',') !== shape.join(',')) {
      throw new Error(`weights: ${name} has shape [${w.shape.join(',')}], the config needs [${shape.join(',')}]`)
    }
    const size = shape.reduce((a, b) => a * b, 1)
    if (w.data.length !== size) {
      throw new Error(`weights: ${name} has ${w.data.length} values, its shape [${shape.join(',')}] needs ${size}`)
    }
    return [name, shape, w.data] as const
  })
  return Object.fromEntries(checked.map(([name, shape, data]) => [name, tf.tensor(data, [...shape], 'float32')]))
}

/** Host copies of the weights (reads the backend synchronously). */
export const toHost = (params: Params): HostParams =>
  Object.fromEntries(Object.entries(params).map(([k, t]) => [k, { shape: [...t.shape], data: t.dataSync() as Float32Array }]))

/**
 * Host copies of the weights read asynchronously (`data()`): the same values as `toHost` on any backend, and what
 * WebGPU needs (its synchronous read is slow, and gives zeros on headless Chromium's software adapter).
 *
 * @since 0.5.0
 */
export const readHost = async (params: Params): Promise<HostParams> => {
  const entries = Object.entries(params)
  const data = await Promise.all(entries.map(([, t]) => t.data()))
  return Object.fromEntries(entries.map(([k, t], i) => [k, { shape: [...t.shape], data: data[i] as Float32Array }]))
}

/** Disposes every tensor of a record. */
export const disposeParams = (params: Params): void => {
  for (const t of Object.values(params)) t.dispose()
}

/** Applies `f` to every weight under the same name. */
export const mapParams = (params: Params, f: (t: tf.Tensor, name: string) => tf.Tensor): Params =>
  Object.fromEntries(Object.entries(params).map(([k, t]) => [k, f(t, k)]))

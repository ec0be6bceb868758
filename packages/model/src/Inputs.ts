/**
 * Token rows and labels uploaded to the backend, once per data set: one-hot
 * rows, position-major, which the embedding multiplies (WASM's gather is slower
 * than this product, and has no gradient kernel).
 *
 * @example
 * import { disposeInputs, forEachChunk, paperConfig, prepareBatch, prepareChunked } from '@grokscope/model'
 * const config = paperConfig({ dVocab: 32, nOut: 31 })
 * const batch = prepareBatch(config, Int32Array.from([0, 31, 1, 2, 31, 3]), Int32Array.from([1, 5]))
 * // n_ctx · batch rows, a column per token
 * batch.oneHot.shape  // => [6, 32]
 * disposeInputs(batch)
 *
 * // A large set stays on the host as int arrays; each chunk is uploaded when it is used.
 * const tokens = Int32Array.from({ length: 30 }, (_, i) => (i % 3 === 1 ? 31 : Math.floor(i / 3)))  // [a, op, a], a = 0..9
 * const set = prepareChunked(config, tokens, Int32Array.from({ length: 10 }, (_, a) => 2 * a), 4)
 * const chunks: Array<readonly [number, number]> = []
 * // chunk: a Batch of examples [start, end), freed after the call
 * forEachChunk(config, set, (chunk, start, end) => chunks.push([start, end]))
 * chunks  // => [[0, 4], [4, 8], [8, 10]]
 * disposeInputs(set)
 *
 * @since 0.1.0
 */
import * as tf from '@tensorflow/tfjs-core'
import { type ModelConfig, usesVocabularyTables } from './Config.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/**
 * Token inputs on the backend as one-hot rows, position-major: row `t * size + i`
 * is token `t` of example `i`.
 */
export interface Inputs {
  readonly size: number
  readonly oneHot: tf.Tensor2D // [n_ctx * batch, d_vocab]
}

/** Inputs with labels and what the backward pass needs, prepared once per data set. */
export interface Batch extends Inputs {
  readonly labels: tf.Tensor1D // int32 [batch]
  readonly labelsOneHot: tf.Tensor2D // [batch, n_out]
  /**
   * `oneHotT[v, t*size + i] = 1` where token `t` of example `i` is `v`: the general path's
   * embedding gradient is a plain product with it. Built only for a config that takes the
   * general path (`!usesVocabularyTables(c)`); without it that path transposes `oneHot` per step.
   */
  readonly oneHotT?: tf.Tensor2D // [d_vocab, n_ctx * batch]
}

/**
 * A labelled set held on the host as token rows and labels, used a chunk of at most
 * `chunkSize` examples at a time: memory on the backend scales with the chunk, not the
 * set. A set of one chunk is uploaded once (`resident`) and reused.
 */
export interface ChunkedBatch {
  readonly _tag: 'ChunkedBatch'
  readonly size: number
  readonly chunkSize: number
  readonly tokens: Int32Array // [size · n_ctx], row-major
  readonly labels: Int32Array // [size]
  readonly resident: Batch | null
}

// ─────────────────────────────────────────────────────────────────────────────
// constructors
// ─────────────────────────────────────────────────────────────────────────────

const checkTokens = (c: ModelConfig, tokens: Int32Array): number => {
  if (tokens.length % c.nCtx !== 0) throw new RangeError(`inputs: ${tokens.length} tokens are not whole rows of n_ctx = ${c.nCtx}`)
  for (const t of tokens) {
    if (!(t >= 0 && t < c.dVocab)) throw new RangeError(`inputs: token ${t} is outside the vocabulary [0, ${c.dVocab})`)
  }
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

const oneHotColumns = (c: ModelConfig, positionMajorTokens: Int32Array): tf.Tensor2D => {
  const n = positionMajorTokens.length
  const data = new Float32Array(c.dVocab * n)
  positionMajorTokens.forEach((v, j) => (data[v * n + j] = 1))
  return tf.tensor2d(data, [c.dVocab, n])
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
  const labelsOneHot = new Float32Array(size * c.nOut)
  labels.forEach((y, i) => (labelsOneHot[i * c.nOut + y] = 1))
  return {
    size,
    oneHot: oneHotRows(c, pm),
    labels: tf.tensor1d(labels, 'int32'),
    labelsOneHot: tf.tensor2d(labelsOneHot, [size, c.nOut]),
    ...(usesVocabularyTables(c) ? {} : { oneHotT: oneHotColumns(c, pm) }),
  }
}

/**
 * A chunked set of labelled examples (see `ChunkedBatch`); a `chunkSize` of at least
 * the set's size (e.g. `Infinity`) makes one resident chunk. Checks every token and label now.
 */
export const prepareChunked = (c: ModelConfig, tokens: Int32Array, labels: Int32Array, chunkSize: number): ChunkedBatch => {
  if (!(chunkSize >= 1)) throw new RangeError(`chunked batch: the chunk size must be at least 1, got ${chunkSize}`)
  const size = checkTokens(c, tokens)
  if (labels.length !== size) throw new RangeError(`batch: ${labels.length} labels for ${size} examples`)
  for (const y of labels) if (!(y >= 0 && y < c.nOut)) throw new RangeError(`batch: label ${y} is outside [0, ${c.nOut})`)
  const chunk = Math.min(Math.floor(chunkSize), Math.max(size, 1))
  return { _tag: 'ChunkedBatch', size, chunkSize: chunk, tokens, labels, resident: size <= chunk ? prepareBatch(c, tokens, labels) : null }
}

// ─────────────────────────────────────────────────────────────────────────────
// chunks
// ─────────────────────────────────────────────────────────────────────────────

/** Whether a set is a `ChunkedBatch` (else a `Batch` on the backend, one chunk). */
export const isChunked = (x: Batch | ChunkedBatch): x is ChunkedBatch => '_tag' in x && x._tag === 'ChunkedBatch'

/** The `[start, end)` ranges of consecutive chunks of at most `chunkSize` of `n` examples (none for `n = 0`). */
export const chunkRanges = (n: number, chunkSize: number): ReadonlyArray<readonly [number, number]> =>
  Array.from({ length: Math.ceil(n / chunkSize) }, (_, i) => [i * chunkSize, Math.min(n, (i + 1) * chunkSize)] as const)

/**
 * Calls `f` on each chunk of a set in order, with its range of examples: a `Batch` is
 * one chunk; a `ChunkedBatch`'s chunks are uploaded one at a time and freed after `f`
 * (the resident chunk is kept).
 */
export const forEachChunk = (c: ModelConfig, x: Batch | ChunkedBatch, f: (chunk: Batch, start: number, end: number) => void): void => {
  if (!isChunked(x)) return f(x, 0, x.size)
  if (x.resident !== null) return f(x.resident, 0, x.size)
  for (const [start, end] of chunkRanges(x.size, x.chunkSize)) {
    const chunk = prepareBatch(c, x.tokens.subarray(start * c.nCtx, end * c.nCtx), x.labels.subarray(start, end))
    try {
      f(chunk, start, end)
    } finally {
      disposeInputs(chunk)
    }
  }
}

// ─────────────────────────────────────────────────────────────────────────────
// utils
// ─────────────────────────────────────────────────────────────────────────────

/** Frees the tensors of prepared inputs, a batch, or a chunked batch's resident chunk. */
export const disposeInputs = (x: Inputs | Batch | ChunkedBatch): void => {
  if ('_tag' in x) {
    if (x.resident !== null) disposeInputs(x.resident)
    return
  }
  for (const t of Object.values(x)) if (t instanceof tf.Tensor) t.dispose()
}

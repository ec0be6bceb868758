/**
 * A pure full-batch training step and the evaluation of a model on a batch, or
 * chunk by chunk on a set held on the host (`ChunkedBatch`, same results up to
 * float32 summation order, backend memory bounded by the chunk).
 *
 * @example
 * import type { Batch, ModelConfig } from '@grokscope/model'
 * import { type TrainState, PAPER_ADAMW, trainStep } from '@grokscope/train'
 * declare const config: ModelConfig, state: TrainState, batch: Batch
 * const { state: next, loss } = trainStep(config, PAPER_ADAMW, state, batch)
 * // dispose `state` when done with it; `loss` is a scalar tensor
 *
 * @since 0.1.0
 */
import * as tf from '@tensorflow/tfjs-core'
import {
  type Batch,
  type ChunkedBatch,
  type ModelConfig,
  type Params,
  crossEntropyPerExample,
  forEachChunk,
  forward,
  lossAndGradsChunked,
} from '@grokscope/model'
import { type OptimizerOptions, type TrainState, optimizerStep } from './Optimizer.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** Loss and accuracy over a set of examples. */
export interface Metrics {
  readonly loss: number
  readonly accuracy: number
}

/** Metrics over all examples, and per operation of a mixture. */
export interface Evaluation extends Metrics {
  readonly perOp: ReadonlyArray<Metrics>
}

/** Each example's cross-entropy and whether the model's argmax is its label (1) or not (0), in the set's order. */
export interface PerExample {
  readonly losses: Float32Array
  readonly correct: Uint8Array
}

/**
 * Where an evaluation's per-example results over the train and test sets come from
 * when they are not computed here: e.g. split over worker threads.
 */
export interface EvaluationSource {
  readonly perExample: (params: Params) => Promise<{ readonly train: PerExample; readonly test: PerExample }>
}

/**
 * Where a step's full-batch loss and gradients come from when they are not
 * computed here on one batch: e.g. split over worker threads. The loss and the
 * gradients are those of the mean over every training example.
 */
export interface GradientSource {
  readonly lossAndGrads: (params: Params) => Promise<{ readonly loss: tf.Scalar; readonly grads: Params }>
}

// ─────────────────────────────────────────────────────────────────────────────
// step
// ─────────────────────────────────────────────────────────────────────────────

/** Forward, backward and the optimiser on the whole batch (a chunked one chunk by chunk). Leaves `state` and `batch` as they are. */
export const trainStep = (
  c: ModelConfig,
  o: OptimizerOptions,
  state: TrainState,
  batch: Batch | ChunkedBatch,
): { state: TrainState; loss: tf.Scalar } => {
  const { loss, grads } = lossAndGradsChunked(c, state.params, batch)
  const next = optimizerStep(o, state, grads)
  tf.dispose(Object.values(grads))
  return { state: next, loss }
}

/** A training step whose gradients come from a `GradientSource`. Leaves `state` as it is. */
export const trainStepWith = async (
  o: OptimizerOptions,
  state: TrainState,
  source: GradientSource,
): Promise<{ state: TrainState; loss: tf.Scalar }> => {
  const { loss, grads } = await source.lossAndGrads(state.params)
  const next = optimizerStep(o, state, grads)
  tf.dispose(Object.values(grads))
  return { state: next, loss }
}

// ─────────────────────────────────────────────────────────────────────────────
// evaluation
// ─────────────────────────────────────────────────────────────────────────────

/** A chunk's per-example cross-entropy `[chunk]` and whether the argmax is the label (bool `[chunk]`). */
const perExampleTensors = (c: ModelConfig, params: Params, chunk: Batch): { losses: tf.Tensor1D; correct: tf.Tensor } =>
  tf.tidy(() => {
    const logits = forward(c, params, chunk) // [chunk, p]
    return { losses: crossEntropyPerExample(logits, chunk.labelsOneHot), correct: tf.equal(tf.argMax(logits, 1), chunk.labels) }
  })

/** Each example's cross-entropy and whether the model gets it right, chunk by chunk (nothing to compute for an empty set). */
export const evaluatePerExample = (c: ModelConfig, params: Params, batch: Batch | ChunkedBatch): PerExample => {
  const losses = new Float32Array(batch.size)
  const correct = new Uint8Array(batch.size)
  if (batch.size === 0) return { losses, correct }
  forEachChunk(c, batch, (chunk, start) => {
    const r = perExampleTensors(c, params, chunk)
    losses.set(r.losses.dataSync(), start)
    correct.set(r.correct.dataSync(), start)
    tf.dispose([r.losses, r.correct])
  })
  return { losses, correct }
}

/**
 * `evaluatePerExample` read back asynchronously (`data()`, after every chunk's forward pass): the same results on any
 * backend, and what WebGPU needs (its synchronous read is slow, and gives zeros on headless Chromium's software adapter).
 *
 * @since 0.5.0
 */
export const evaluatePerExampleAsync = async (c: ModelConfig, params: Params, batch: Batch | ChunkedBatch): Promise<PerExample> => {
  const losses = new Float32Array(batch.size)
  const correct = new Uint8Array(batch.size)
  if (batch.size === 0) return { losses, correct }
  const chunks: Array<{ readonly start: number; readonly losses: tf.Tensor1D; readonly correct: tf.Tensor }> = []
  forEachChunk(c, batch, (chunk, start) => {
    chunks.push({ start, ...perExampleTensors(c, params, chunk) })
  })
  try {
    for (const r of chunks) {
      const [l, ok] = await Promise.all([r.losses.data(), r.correct.data()])
      losses.set(l, r.start)
      correct.set(ok, r.start)
    }
  } finally {
    tf.dispose(chunks.flatMap((r) => [r.losses, r.correct]))
  }
  return { losses, correct }
}

/**
 * The train and test sets' evaluations computed here and read back asynchronously (`evaluatePerExampleAsync`): the
 * loop's own evaluation, for a backend that cannot read synchronously (WebGPU).
 *
 * @since 0.5.0
 */
export const asyncEvaluations = (
  c: ModelConfig,
  data: { readonly train: Batch | ChunkedBatch; readonly test: Batch | ChunkedBatch },
): EvaluationSource => ({
  perExample: async (params) => ({
    train: await evaluatePerExampleAsync(c, params, data.train),
    test: await evaluatePerExampleAsync(c, params, data.test),
  }),
})

/**
 * Mean cross-entropy and accuracy of per-example results; per operation too, given
 * each example's operation index (`opIndex`) and the number of operations (NaN for an
 * operation without examples). Sums in the examples' order.
 */
export const summarize = (r: PerExample, opIndex: Int32Array, nOps: number): Evaluation => {
  const sums = Array.from({ length: nOps }, () => ({ n: 0, loss: 0, correct: 0 }))
  for (let i = 0; i < r.losses.length; i++) {
    const s = sums[opIndex[i]!]!
    s.n++
    s.loss += r.losses[i]!
    s.correct += r.correct[i]!
  }
  const n = r.losses.length
  const total = sums.reduce((a, s) => ({ loss: a.loss + s.loss, correct: a.correct + s.correct }), { loss: 0, correct: 0 })
  return {
    loss: total.loss / n,
    accuracy: total.correct / n,
    perOp: sums.map((s) => ({ loss: s.n === 0 ? NaN : s.loss / s.n, accuracy: s.n === 0 ? NaN : s.correct / s.n })),
  }
}

/**
 * Mean cross-entropy and accuracy of the model on a batch; per operation too, given
 * each example's operation index (`opIndex`) and the number of operations.
 */
export const evaluate = (c: ModelConfig, params: Params, batch: Batch | ChunkedBatch, opIndex: Int32Array, nOps: number): Evaluation =>
  summarize(evaluatePerExample(c, params, batch), opIndex, nOps)

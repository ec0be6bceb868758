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
  disposeInputs,
  forEachChunk,
  forward,
  lossAndGradsChunked,
  prepareBatch,
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
  /**
   * One set's per-example results alone: for a loop that takes the training set's from the next step's pass
   * (`GradientSource.lossGradsAndExamples`) and evaluates the test set on its own. With `maxWrong`, the evaluation
   * may stop as soon as more than `maxWrong` examples of the set are found wrong (`evaluateUntil`).
   *
   * @since 0.5.0
   */
  readonly perExampleOf?: (params: Params, set: 'train' | 'test', maxWrong?: number) => Promise<PartialResults>
}

/**
 * Per-example results of an evaluation that may have stopped early: `complete` is false when it did, and the examples
 * it did not reach have loss NaN and correctness 0.
 *
 * @since 0.5.0
 */
export interface PartialResults extends PerExample {
  readonly complete: boolean
}

/**
 * Where a step's full-batch loss and gradients come from when they are not
 * computed here on one batch: e.g. split over worker threads. The loss and the
 * gradients are those of the mean over every training example.
 */
export interface GradientSource {
  readonly lossAndGrads: (params: Params) => Promise<{ readonly loss: tf.Scalar; readonly grads: Params }>
  /**
   * The same pass, with each training example's cross-entropy and correctness at these weights from its forward
   * pass: what an evaluation of the training set at these weights gives, without a second pass.
   *
   * @since 0.5.0
   */
  readonly lossGradsAndExamples?: (params: Params) => Promise<LossGradsAndExamples>
}

/**
 * A step's loss and gradients, and the per-example results of its forward pass over the training set.
 *
 * @since 0.5.0
 */
export interface LossGradsAndExamples {
  readonly loss: tf.Scalar
  readonly grads: Params
  readonly train: PerExample
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
/** Each example's cross-entropy `[batch]` and whether the argmax of its logits is the label (bool `[batch]`). */
const resultTensors = (logits: tf.Tensor2D, batch: Batch): { losses: tf.Tensor1D; correct: tf.Tensor } => ({
  losses: crossEntropyPerExample(logits, batch.labelsOneHot),
  correct: tf.equal(tf.argMax(logits, 1), batch.labels),
})

/** A chunk's per-example results as tensors, from its forward pass. */
const perExampleTensors = (c: ModelConfig, params: Params, chunk: Batch): { losses: tf.Tensor1D; correct: tf.Tensor } =>
  tf.tidy(() => resultTensors(forward(c, params, chunk), chunk))

/**
 * Each example's cross-entropy and correctness from a batch's logits (`[batch, n_out]`), as an evaluation computes them.
 *
 * @since 0.5.0
 */
export const resultsOfLogits = (logits: tf.Tensor2D, batch: Batch): PerExample => {
  const r = tf.tidy(() => resultTensors(logits, batch))
  const out = { losses: Float32Array.from(r.losses.dataSync()), correct: Uint8Array.from(r.correct.dataSync()) }
  tf.dispose([r.losses, r.correct])
  return out
}

/** Writes a chunk's per-example results, from its logits, into `out` from position `start`. */
const writeChunk = (logits: tf.Tensor2D, chunk: Batch, start: number, out: PerExample): void => {
  const r = resultsOfLogits(logits, chunk)
  out.losses.set(r.losses, start)
  out.correct.set(r.correct, start)
}

const emptyResults = (n: number): PerExample => ({ losses: new Float32Array(n), correct: new Uint8Array(n) })

/** Each example's cross-entropy and whether the model gets it right, chunk by chunk (nothing to compute for an empty set). */
export const evaluatePerExample = (c: ModelConfig, params: Params, batch: Batch | ChunkedBatch): PerExample => {
  const out = emptyResults(batch.size)
  if (batch.size === 0) return out
  forEachChunk(c, batch, (chunk, start) => {
    const logits = forward(c, params, chunk) // [chunk, p]
    writeChunk(logits, chunk, start, out)
    logits.dispose()
  })
  return out
}

/**
 * The full-batch loss and gradients (`lossAndGradsChunked`) and each example's results from the same forward pass:
 * the per-example results equal `evaluatePerExample` at these weights (the same logits when the chunks are the same).
 *
 * @since 0.5.0
 */
export const lossGradsAndExamples = (c: ModelConfig, params: Params, batch: Batch | ChunkedBatch): LossGradsAndExamples => {
  const train = emptyResults(batch.size)
  const { loss, grads } = lossAndGradsChunked(c, params, batch, (logits, chunk, start) => writeChunk(logits, chunk, start, train))
  return { loss, grads, train }
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

// ─────────────────────────────────────────────────────────────────────────────
// evaluation that stops early
// ─────────────────────────────────────────────────────────────────────────────

/** The first chunk of `evaluateUntil`, in examples; each next chunk is twice as large (up to its `maxChunk`). */
export const FIRST_UNTIL_CHUNK = 128

/**
 * The most wrong examples out of `n` with accuracy (`(n − wrong) / n`, as `summarize` computes it) still at least
 * `threshold`: more than that proves the accuracy below it.
 *
 * @example
 * import { maxWrongAbove } from '@grokscope/train'
 * maxWrongAbove(6587, 0.99)  // => 65
 *
 * @since 0.5.0
 */
export const maxWrongAbove = (n: number, threshold: number): number => {
  let wrong = Math.max(0, Math.floor(n * (1 - threshold)) - 1)
  while (wrong < n && (n - (wrong + 1)) / n >= threshold) wrong++
  return wrong
}

/**
 * Each example's results, in chunks of `FIRST_UNTIL_CHUNK` examples doubling up to `maxChunk`, stopping after a chunk
 * when `enough(wrong)` (told each chunk's number of wrong examples, the last one's too) says so: e.g. once the set's
 * accuracy is certainly below a threshold. The results of the examples evaluated are those `evaluatePerExample` gives.
 *
 * @since 0.5.0
 */
export const evaluateUntil = (
  c: ModelConfig,
  params: Params,
  set: { readonly tokens: Int32Array; readonly labels: Int32Array },
  maxChunk: number,
  enough: (wrong: number) => boolean,
): PartialResults => {
  const n = set.labels.length
  const out = { losses: new Float32Array(n).fill(NaN), correct: new Uint8Array(n) }
  for (let start = 0, size = FIRST_UNTIL_CHUNK; start < n; size *= 2) {
    const end = Math.min(n, start + Math.max(1, Math.min(size, maxChunk)))
    const chunk = prepareBatch(c, set.tokens.subarray(start * c.nCtx, end * c.nCtx), set.labels.subarray(start, end))
    const logits = forward(c, params, chunk)
    writeChunk(logits, chunk, start, out)
    logits.dispose()
    disposeInputs(chunk)
    let wrong = 0
    for (let i = start; i < end; i++) wrong += 1 - out.correct[i]!
    start = end
    if (enough(wrong) && start < n) return { ...out, complete: false }
  }
  return { ...out, complete: true }
}

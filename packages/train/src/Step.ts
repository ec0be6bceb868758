/**
 * A pure full-batch training step and the evaluation of a model on a batch, or
 * chunk by chunk on a set held on the host (`ChunkedBatch`, same results up to
 * float32 summation order, backend memory bounded by the chunk).
 *
 * @example
 * import { trainStep } from '@grokscope/train'
 * const { state: next, loss } = trainStep(config, PAPER_ADAMW, state, batch)
 * // dispose `state` when done with it; `loss` is a scalar tensor
 *
 * @since 0.1.0
 */
import * as tf from '@tensorflow/tfjs-core'
import { type Batch, type ChunkedBatch, type ModelConfig, type Params, crossEntropyPerExample, forEachChunk, forward, lossAndGradsChunked } from '@grokscope/model'
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
export const trainStep = (c: ModelConfig, o: OptimizerOptions, state: TrainState, batch: Batch | ChunkedBatch): { state: TrainState; loss: tf.Scalar } => {
  const { loss, grads } = lossAndGradsChunked(c, state.params, batch)
  const next = optimizerStep(o, state, grads)
  tf.dispose(Object.values(grads))
  return { state: next, loss }
}

/** A training step whose gradients come from a `GradientSource`. Leaves `state` as it is. */
export const trainStepWith = async (o: OptimizerOptions, state: TrainState, source: GradientSource): Promise<{ state: TrainState; loss: tf.Scalar }> => {
  const { loss, grads } = await source.lossAndGrads(state.params)
  const next = optimizerStep(o, state, grads)
  tf.dispose(Object.values(grads))
  return { state: next, loss }
}

// ─────────────────────────────────────────────────────────────────────────────
// evaluation
// ─────────────────────────────────────────────────────────────────────────────

/**
 * Mean cross-entropy and accuracy of the model on a batch; per operation too,
 * given each example's operation index (`opIndex`) and the number of operations.
 */
export const evaluate = (c: ModelConfig, params: Params, batch: Batch | ChunkedBatch, opIndex: Int32Array, nOps: number): Evaluation => {
  const l = new Float32Array(batch.size)
  const ok = new Int32Array(batch.size)
  forEachChunk(c, batch, (chunk, start) => {
    const { losses, correct } = tf.tidy((): { losses: tf.Tensor1D; correct: tf.Tensor } => {
      const logits = forward(c, params, chunk) // [chunk, p]
      return { losses: crossEntropyPerExample(logits, chunk.labelsOneHot), correct: tf.equal(tf.argMax(logits, 1), chunk.labels) }
    })
    l.set(losses.dataSync(), start)
    ok.set(correct.dataSync(), start)
    tf.dispose([losses, correct])
  })
  const sums = Array.from({ length: nOps }, () => ({ n: 0, loss: 0, correct: 0 }))
  for (let i = 0; i < l.length; i++) {
    const s = sums[opIndex[i]!]!
    s.n++
    s.loss += l[i]!
    s.correct += ok[i]!
  }
  const n = l.length
  const total = sums.reduce((a, s) => ({ loss: a.loss + s.loss, correct: a.correct + s.correct }), { loss: 0, correct: 0 })
  return {
    loss: total.loss / n,
    accuracy: total.correct / n,
    perOp: sums.map((s) => ({ loss: s.n === 0 ? NaN : s.loss / s.n, accuracy: s.n === 0 ? NaN : s.correct / s.n })),
  }
}

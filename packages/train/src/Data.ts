/**
 * From a dataset of `@grokscope/data` to tensors on the backend.
 *
 * @since 0.1.0
 */
import type { Dataset } from '@grokscope/data'
import { type ModelConfig, disposeInputs, paperConfig, prepareChunked } from '@grokscope/model'
import type { TrainData } from './Loop.js'

/** The paper's model for a dataset's vocabulary (`d_vocab = p + n_ops`, `n_out = p`), with overrides. */
export const modelConfigFor = (d: Dataset, overrides: Partial<ModelConfig> = {}): ModelConfig =>
  paperConfig({ dVocab: d.vocab.dVocab, nOut: d.task.p, ...overrides })

/**
 * The train and test sets, evaluated in chunks of at most `evalChunk` examples: a set
 * that fits in one chunk is uploaded once; a larger one stays on the host and is
 * uploaded a chunk at a time (by default every set is one chunk).
 */
export const prepareTrainData = (c: ModelConfig, d: Dataset, evalChunk: number = Infinity): TrainData => ({
  train: prepareChunked(c, d.train.tokens, d.train.labels, evalChunk),
  test: prepareChunked(c, d.test.tokens, d.test.labels, evalChunk),
  trainOps: d.train.opIndex,
  testOps: d.test.opIndex,
  nOps: d.task.ops.length,
})

/** Frees the tensors of prepared data. */
export const disposeTrainData = (d: TrainData): void => {
  disposeInputs(d.train)
  disposeInputs(d.test)
}

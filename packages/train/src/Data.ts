/**
 * From a dataset of `@grokscope/data` to tensors on the backend.
 *
 * @since 0.1.0
 */
import type { Dataset } from '@grokscope/data'
import { type ModelConfig, disposeInputs, paperConfig, prepareBatch } from '@grokscope/model'
import type { TrainData } from './Loop.js'

/** The paper's model for a dataset's vocabulary (`d_vocab = p + n_ops`, `n_out = p`), with overrides. */
export const modelConfigFor = (d: Dataset, overrides: Partial<ModelConfig> = {}): ModelConfig =>
  paperConfig({ dVocab: d.vocab.dVocab, nOut: d.task.p, ...overrides })

/** Uploads the train and test sets. */
export const prepareTrainData = (c: ModelConfig, d: Dataset): TrainData => ({
  train: prepareBatch(c, d.train.tokens, d.train.labels),
  test: prepareBatch(c, d.test.tokens, d.test.labels),
  trainOps: d.train.opIndex,
  testOps: d.test.opIndex,
  nOps: d.task.ops.length,
})

/** Frees the tensors of prepared data. */
export const disposeTrainData = (d: TrainData): void => {
  disposeInputs(d.train)
  disposeInputs(d.test)
}

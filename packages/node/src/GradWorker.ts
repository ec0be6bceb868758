// A worker thread of the pool (Pool.ts): its own WASM backend and shards (in chunks). On 'step' it reads
// the weights from shared memory and writes back its weighted gradients and loss ('step-examples': and the
// loss and correctness of each example of its train shard, from the same pass); on 'evaluate', the loss and
// correctness of each example of its train and test shards ('evaluate-train', 'evaluate-test': of one;
// 'evaluate-test-until': stopping once all threads together found enough wrong examples).
import { parentPort, workerData } from 'node:worker_threads'
import * as tf from '@tensorflow/tfjs-core'
import { lossAndGradsChunked, prepareChunked } from '@grokscope/model'
import { evaluatePerExample, resultsOfLogits } from '@grokscope/train'
import { initBackend } from './Backend.js'
import { type WorkerInit, type WorkerRequest, evaluateShardUntil, forEvaluation, layout, weight, writePerExample } from './Pool.js'

const init = workerData as WorkerInit
await initBackend()
const c = init.config
const batch = prepareChunked(c, init.train.tokens, init.train.labels, init.chunks.step)
const evalSets = {
  train: { at: init.train.at, batch: forEvaluation(c, batch, init.chunks.evaluation) },
  test: { at: init.test.at, batch: prepareChunked(c, init.test.tokens, init.test.labels, init.chunks.evaluation) },
}
const { slots, total } = layout(c)
const params = new Float32Array(init.params)
const out = new Float32Array(init.grads)
const losses = new Float32Array(init.losses)
const correct = new Uint8Array(init.correct)
const until = new Int32Array(init.until)

const step = (weights: Record<string, tf.Tensor>, examples: boolean) => {
  const r = examples
    ? lossAndGradsChunked(c, weights, batch, (logits, chunk, start) =>
        writePerExample(resultsOfLogits(logits, chunk), init.train.at + start, losses, correct),
      )
    : lossAndGradsChunked(c, weights, batch)
  for (const { name, offset } of slots) {
    const g = tf.tidy(() => tf.mul(weight(r.grads, name), init.weight))
    out.set(g.dataSync(), offset)
    g.dispose()
  }
  out[total] = r.loss.dataSync()[0]! * init.weight
  tf.dispose([r.loss, ...Object.values(r.grads)])
}

const evaluateSet = (weights: Record<string, tf.Tensor>, set: 'train' | 'test') => {
  const { at, batch } = evalSets[set]
  writePerExample(evaluatePerExample(c, weights, batch), at, losses, correct)
}

parentPort!.on('message', (request: WorkerRequest) => {
  const weights = Object.fromEntries(
    slots.map(({ name, shape, offset, size }) => [name, tf.tensor(params.slice(offset, offset + size), [...shape])]),
  )
  if (request === 'step' || request === 'step-examples') step(weights, request === 'step-examples')
  if (request === 'evaluate' || request === 'evaluate-train') evaluateSet(weights, 'train')
  if (request === 'evaluate' || request === 'evaluate-test') evaluateSet(weights, 'test')
  if (request === 'evaluate-test-until') evaluateShardUntil(c, weights, init.test, init.chunks.evaluation, until, losses, correct)
  tf.dispose(Object.values(weights))
  parentPort!.postMessage('done')
})
parentPort!.postMessage('ready')

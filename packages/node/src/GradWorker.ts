// A worker thread of the pool (Pool.ts): its own WASM backend and shards (in chunks). On 'step' it reads
// the weights from shared memory and writes back its weighted gradients and loss; on 'evaluate', the loss
// and correctness of each example of its train and test shards.
import { parentPort, workerData } from 'node:worker_threads'
import * as tf from '@tensorflow/tfjs-core'
import { lossAndGradsChunked, prepareChunked } from '@grokscope/model'
import { evaluatePerExample } from '@grokscope/train'
import { initBackend } from './Backend.js'
import { type WorkerInit, type WorkerRequest, forEvaluation, layout, weight, writePerExample } from './Pool.js'

const init = workerData as WorkerInit
await initBackend()
const c = init.config
const batch = prepareChunked(c, init.train.tokens, init.train.labels, init.chunks.step)
const evalSets = [
  { at: init.train.at, batch: forEvaluation(c, batch, init.chunks.evaluation) },
  { at: init.test.at, batch: prepareChunked(c, init.test.tokens, init.test.labels, init.chunks.evaluation) },
]
const { slots, total } = layout(c)
const params = new Float32Array(init.params)
const out = new Float32Array(init.grads)
const losses = new Float32Array(init.losses)
const correct = new Uint8Array(init.correct)

const step = (weights: Record<string, tf.Tensor>) => {
  const r = lossAndGradsChunked(c, weights, batch)
  for (const { name, offset } of slots) {
    const g = tf.tidy(() => tf.mul(weight(r.grads, name), init.weight))
    out.set(g.dataSync(), offset)
    g.dispose()
  }
  out[total] = r.loss.dataSync()[0]! * init.weight
  tf.dispose([r.loss, ...Object.values(r.grads)])
}

parentPort!.on('message', (request: WorkerRequest) => {
  const weights = Object.fromEntries(
    slots.map(({ name, shape, offset, size }) => [name, tf.tensor(params.slice(offset, offset + size), [...shape])]),
  )
  if (request === 'step') step(weights)
  else for (const { at, batch } of evalSets) writePerExample(evaluatePerExample(c, weights, batch), at, losses, correct)
  tf.dispose(Object.values(weights))
  parentPort!.postMessage('done')
})
parentPort!.postMessage('ready')

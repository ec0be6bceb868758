// A worker of the gradient pool: its own WASM backend and shard (in chunks); on each 'step'
// it reads the weights from shared memory and writes back its weighted gradients and loss.
import { parentPort, workerData } from 'node:worker_threads'
import * as tf from '@tensorflow/tfjs-core'
import { lossAndGradsChunked, prepareChunked } from '@grokscope/model'
import { initBackend } from './backend.js'
import { type WorkerInit, layout, weight } from './parallel.js'

const init = workerData as WorkerInit
await initBackend()
const c = init.config
const batch = prepareChunked(c, init.tokens, init.labels, init.chunk)
const { slots, total } = layout(c)
const params = new Float32Array(init.params)
const out = new Float32Array(init.grads)

parentPort!.on('message', () => {
  const weights = Object.fromEntries(slots.map(({ name, shape, offset, size }) => [name, tf.tensor(params.slice(offset, offset + size), [...shape])]))
  const r = lossAndGradsChunked(c, weights, batch)
  for (const { name, offset } of slots) {
    const g = tf.tidy(() => tf.mul(weight(r.grads, name), init.weight))
    out.set(g.dataSync(), offset)
    g.dispose()
  }
  out[total] = r.loss.dataSync()[0]! * init.weight
  tf.dispose([r.loss, ...Object.values(r.grads), ...Object.values(weights)])
  parentPort!.postMessage('done')
})
parentPort!.postMessage('ready')

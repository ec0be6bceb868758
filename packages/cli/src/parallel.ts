// Full-batch gradients split over worker threads: the main thread computes one
// shard while each worker computes another on its own WASM instance; weights go
// out and gradients come back through shared memory. Each thread accumulates its
// shard in chunks of at most `chunk` examples (the memory budget's split). The result
// is the gradient of the mean loss over every example, up to float32 summation order.
import { Worker } from 'node:worker_threads'
import * as tf from '@tensorflow/tfjs-core'
import { type ChunkedBatch, type ModelConfig, type Params, disposeInputs, lossAndGradsChunked, paramShapes, prepareChunked } from '@grokscope/model'
import type { GradientSource } from '@grokscope/train'

/** A weight that the layout guarantees is there. */
export const weight = (params: Params, name: string): tf.Tensor => {
  const w = params[name]
  if (w === undefined) throw new Error(`the gradient pool: ${name} is missing`)
  return w
}

/** What a worker is started with. */
export interface WorkerInit {
  readonly config: ModelConfig
  readonly tokens: Int32Array
  readonly labels: Int32Array
  /** Examples per chunk of the shard. */
  readonly chunk: number
  readonly weight: number
  readonly params: SharedArrayBuffer
  readonly grads: SharedArrayBuffer
}

/** Where one weight lives in the flat float32 layout shared with the workers. */
export interface Slot {
  readonly name: string
  readonly shape: ReadonlyArray<number>
  readonly offset: number
  readonly size: number
}

/** Every weight's slot in the shared layout (in `paramShapes` order), and the total number of floats. */
export const layout = (c: ModelConfig): { readonly slots: ReadonlyArray<Slot>; readonly total: number } => {
  const slots: Slot[] = []
  let offset = 0
  for (const [name, shape] of paramShapes(c)) {
    const size = shape.reduce((a, b) => a * b, 1)
    slots.push({ name, shape, offset, size })
    offset += size
  }
  return { slots, total: offset }
}

/** A gradient source over `threads` threads (the main one included), and how to stop it. */
export interface Pool extends GradientSource {
  readonly threads: number
  readonly close: () => Promise<void>
}

/**
 * Splits the training set into `threads` contiguous shards (at most one per
 * example: an empty shard has no mean loss); `threads = 1` computes everything here.
 * Each thread computes its shard in chunks of at most `chunk` examples (default: the whole shard).
 */
export const startPool = async (c: ModelConfig, tokens: Int32Array, labels: Int32Array, requested: number, chunk: number = Infinity): Promise<Pool> => {
  const n = labels.length
  const threads = Math.max(1, Math.min(requested, n))
  const shards = Array.from({ length: threads }, (_, i) => [Math.floor((i * n) / threads), Math.floor(((i + 1) * n) / threads)] as const)
  const [start, end] = shards[0]!
  const main: ChunkedBatch = prepareChunked(c, tokens.slice(3 * start, 3 * end), labels.slice(start, end), chunk)
  const mainWeight = (end - start) / n
  const { slots, total } = layout(c)
  const sharedParams = new SharedArrayBuffer(4 * total)
  const paramView = new Float32Array(sharedParams)
  const workers = shards.slice(1).map(([s, e]) => {
    const grads = new SharedArrayBuffer(4 * (total + 1))
    const init: WorkerInit = { config: c, tokens: tokens.slice(3 * s, 3 * e), labels: labels.slice(s, e), chunk, weight: (e - s) / n, params: sharedParams, grads }
    const worker = new Worker(new URL('./grad-worker.js', import.meta.url), { workerData: init })
    return { worker, view: new Float32Array(grads) }
  })
  await Promise.all(
    workers.map(
      ({ worker }) =>
        new Promise<void>((resolve, reject) => {
          worker.once('message', () => resolve())
          worker.once('error', reject)
        }),
    ),
  )
  const done = (worker: Worker) =>
    new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => reject(e)
      worker.once('error', onError)
      worker.once('message', () => {
        worker.off('error', onError)
        resolve()
      })
    })

  return {
    threads,
    lossAndGrads: async (params: Params) => {
      if (workers.length > 0) {
        for (const { name, offset } of slots) paramView.set(weight(params, name).dataSync(), offset)
        const pending = workers.map(({ worker }) => {
          const p = done(worker)
          worker.postMessage('step')
          return p
        })
        const mine = lossAndGradsChunked(c, params, main)
        await Promise.all(pending)
        return tf.tidy(() => {
          const grads = Object.fromEntries(
            slots.map(({ name, shape, offset, size }) => {
              const parts = workers.map(({ view }) => tf.tensor(view.subarray(offset, offset + size), [...shape]))
              return [name, tf.addN([tf.mul(weight(mine.grads, name), mainWeight), ...parts])]
            }),
          )
          const loss = tf.addN([tf.mul(mine.loss, mainWeight), ...workers.map(({ view }) => tf.scalar(view[total]!))]) as tf.Scalar
          tf.dispose([mine.loss, ...Object.values(mine.grads)])
          return { loss, grads }
        })
      }
      return lossAndGradsChunked(c, params, main)
    },
    close: async () => {
      disposeInputs(main)
      await Promise.all(workers.map(({ worker }) => worker.terminate()))
    },
  }
}

/**
 * Full-batch gradients and evaluations split over worker threads: the main thread
 * computes one shard while each worker computes another on its own WASM instance;
 * weights go out and results come back through shared memory. Each thread accumulates
 * its training shard in chunks of at most `chunks.step` examples and evaluates its train
 * and test shards in chunks of at most `chunks.evaluation` (the memory budget's split).
 * The gradient is that of the mean loss over every example, up to float32 summation
 * order; an evaluation's per-example results are each thread's, in the sets' order.
 *
 * @since 0.2.0
 */
import { Worker } from 'node:worker_threads'
import * as tf from '@tensorflow/tfjs-core'
import {
  type ChunkedBatch,
  type ModelConfig,
  type Params,
  disposeInputs,
  lossAndGradsChunked,
  paramShapes,
  prepareChunked,
} from '@grokscope/model'
import {
  type EvaluationSource,
  type GradientSource,
  type PerExample,
  evaluatePerExample,
  evaluateUntil,
  resultsOfLogits,
} from '@grokscope/train'

/** A weight that the layout guarantees is there. */
export const weight = (params: Params, name: string): tf.Tensor => {
  const w = params[name]
  if (w === undefined) throw new Error(`the gradient pool: ${name} is missing`)
  return w
}

/** A labelled set on the host: token rows (`[n, n_ctx]` row-major) and their labels. */
export interface Examples {
  readonly tokens: Int32Array
  readonly labels: Int32Array
}

/** A thread's contiguous part of a set, and where its results go in the shared evaluation arrays. */
export interface Shard extends Examples {
  readonly at: number
}

/** Examples per chunk of a thread's share: of a training step, of an evaluation. */
export interface PoolChunks {
  readonly step: number
  readonly evaluation: number
}

/** What a worker is started with. */
export interface WorkerInit {
  readonly config: ModelConfig
  readonly train: Shard
  readonly test: Shard
  readonly chunks: PoolChunks
  /** Its training shard's share of the training set (its gradient's weight). */
  readonly weight: number
  readonly params: SharedArrayBuffer
  readonly grads: SharedArrayBuffer
  /** Every example's loss (float32), the training set's then the test set's. */
  readonly losses: SharedArrayBuffer
  /** Every example's correctness (0 or 1), in the same order. */
  readonly correct: SharedArrayBuffer
  /** An evaluation that stops early (`UNTIL` slots, int32): wrong examples found so far, the most allowed, threads stopped early. */
  readonly until: SharedArrayBuffer
}

/** The int32 slots of `WorkerInit.until`. */
export const UNTIL = { wrong: 0, maxWrong: 1, stopped: 2 } as const

/**
 * Evaluates a thread's test shard with `evaluateUntil`, counting its wrong examples in the shared `until` slots with
 * every other thread's: it stops once all threads together found more than the most allowed; writes its results.
 */
export const evaluateShardUntil = (
  c: ModelConfig,
  params: Params,
  shard: Shard,
  chunk: number,
  until: Int32Array,
  losses: Float32Array,
  correct: Uint8Array,
): void => {
  const r = evaluateUntil(c, params, shard, chunk, (w) => Atomics.add(until, UNTIL.wrong, w) + w > Atomics.load(until, UNTIL.maxWrong))
  writePerExample(r, shard.at, losses, correct)
  if (!r.complete) Atomics.add(until, UNTIL.stopped, 1)
}

/**
 * What the main thread asks a worker for: a step's gradients (`step-examples`: and its training shard's per-example
 * results from the same pass), an evaluation of both shards, or of one (`evaluate-test-until`: stopping early, `UNTIL`).
 */
export type WorkerRequest = 'step' | 'step-examples' | 'evaluate' | 'evaluate-train' | 'evaluate-test' | 'evaluate-test-until'

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

/**
 * A gradient and evaluation source over `threads` threads (the main one included), and how to stop it; a step's pass
 * also gives the training set's per-example results (`lossGradsAndExamples`), and a set is evaluated alone (`perExampleOf`).
 */
export interface Pool extends GradientSource, EvaluationSource {
  readonly lossGradsAndExamples: NonNullable<GradientSource['lossGradsAndExamples']>
  readonly perExampleOf: NonNullable<EvaluationSource['perExampleOf']>
  readonly threads: number
  readonly close: () => Promise<void>
}

/** `threads` contiguous `[start, end)` ranges of `n` examples (empty ones when `n < threads`). */
const shardRanges = (n: number, threads: number): ReadonlyArray<readonly [number, number]> =>
  Array.from({ length: threads }, (_, i) => [Math.floor((i * n) / threads), Math.floor(((i + 1) * n) / threads)] as const)

const shardOf = (c: ModelConfig, set: Examples, [start, end]: readonly [number, number], at: number): Shard => ({
  tokens: set.tokens.slice(c.nCtx * start, c.nCtx * end),
  labels: set.labels.slice(start, end),
  at: at + start,
})

/**
 * Splits the training set into `threads` contiguous shards (at most one per example:
 * an empty shard has no mean loss), and the test set likewise; `threads = 1` computes
 * everything here. Each thread computes its training shard in chunks of at most
 * `chunks.step` examples, and evaluates its shards in chunks of at most
 * `chunks.evaluation` (default: a whole shard at once).
 */
export const startPool = async (
  c: ModelConfig,
  sets: { readonly train: Examples; readonly test: Examples },
  requested: number,
  chunks: PoolChunks = { step: Infinity, evaluation: Infinity },
): Promise<Pool> => {
  const [nTrain, nTest] = [sets.train.labels.length, sets.test.labels.length]
  const threads = Math.max(1, Math.min(requested, nTrain))
  const trainShards = shardRanges(nTrain, threads)
  const testShards = shardRanges(nTest, threads)
  const mainTrain = shardOf(c, sets.train, trainShards[0]!, 0)
  const mainTest = shardOf(c, sets.test, testShards[0]!, nTrain)
  const main: ChunkedBatch = prepareChunked(c, mainTrain.tokens, mainTrain.labels, chunks.step)
  const mainEval = {
    train: forEvaluation(c, main, chunks.evaluation),
    test: prepareChunked(c, mainTest.tokens, mainTest.labels, chunks.evaluation),
  }
  const mainWeight = main.size / nTrain
  const { slots, total } = layout(c)
  const sharedParams = new SharedArrayBuffer(4 * total)
  const paramView = new Float32Array(sharedParams)
  const sharedLosses = new SharedArrayBuffer(4 * (nTrain + nTest))
  const sharedCorrect = new SharedArrayBuffer(nTrain + nTest)
  const losses = new Float32Array(sharedLosses)
  const correct = new Uint8Array(sharedCorrect)
  const sharedUntil = new SharedArrayBuffer(4 * 3)
  const until = new Int32Array(sharedUntil)
  const workers = trainShards.slice(1).map((range, i) => {
    const grads = new SharedArrayBuffer(4 * (total + 1))
    const train = shardOf(c, sets.train, range, 0)
    const init: WorkerInit = {
      config: c,
      train,
      test: shardOf(c, sets.test, testShards[i + 1]!, nTrain),
      chunks,
      weight: train.labels.length / nTrain,
      params: sharedParams,
      grads,
      losses: sharedLosses,
      correct: sharedCorrect,
      until: sharedUntil,
    }
    const worker = new Worker(new URL('./GradWorker.js', import.meta.url), { workerData: init })
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
  /** Writes the weights where the workers read them and asks each for `request`. */
  const ask = (params: Params, request: WorkerRequest): Promise<unknown> => {
    for (const { name, offset } of slots) paramView.set(weight(params, name).dataSync(), offset)
    return Promise.all(
      workers.map(({ worker }) => {
        const p = done(worker)
        worker.postMessage(request)
        return p
      }),
    )
  }

  const part = (start: number, end: number): PerExample => ({ losses: losses.slice(start, end), correct: correct.slice(start, end) })
  /** The step's loss and gradients over every thread; with `examples`, each training example's results are written too. */
  const lossAndGrads = async (params: Params, examples: boolean): Promise<{ loss: tf.Scalar; grads: Params }> => {
    const local = () =>
      examples
        ? lossAndGradsChunked(c, params, main, (logits, chunk, start) =>
            writePerExample(resultsOfLogits(logits, chunk), mainTrain.at + start, losses, correct),
          )
        : lossAndGradsChunked(c, params, main)
    if (workers.length === 0) return local()
    const pending = ask(params, examples ? 'step-examples' : 'step')
    const mine = local()
    await pending
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

  return {
    threads,
    lossAndGrads: (params: Params) => lossAndGrads(params, false),
    lossGradsAndExamples: async (params: Params) => ({ ...(await lossAndGrads(params, true)), train: part(0, nTrain) }),
    perExample: async (params: Params) => {
      const pending = ask(params, 'evaluate')
      writePerExample(evaluatePerExample(c, params, mainEval.train), mainTrain.at, losses, correct)
      writePerExample(evaluatePerExample(c, params, mainEval.test), mainTest.at, losses, correct)
      await pending
      return { train: part(0, nTrain), test: part(nTrain, nTrain + nTest) }
    },
    perExampleOf: async (params: Params, set: 'train' | 'test', maxWrong?: number) => {
      const range = (): PerExample => (set === 'train' ? part(0, nTrain) : part(nTrain, nTrain + nTest))
      if (maxWrong === undefined || set === 'train') {
        const pending = ask(params, set === 'train' ? 'evaluate-train' : 'evaluate-test')
        writePerExample(evaluatePerExample(c, params, mainEval[set]), (set === 'train' ? mainTrain : mainTest).at, losses, correct)
        await pending
        return { ...range(), complete: true }
      }
      until.set([0, maxWrong, 0])
      const pending = ask(params, 'evaluate-test-until')
      evaluateShardUntil(c, params, mainTest, chunks.evaluation, until, losses, correct)
      await pending
      return { ...range(), complete: Atomics.load(until, UNTIL.stopped) === 0 }
    },
    close: async () => {
      disposeInputs(main)
      if (mainEval.train !== main) disposeInputs(mainEval.train)
      disposeInputs(mainEval.test)
      await Promise.all(workers.map(({ worker }) => worker.terminate()))
    },
  }
}

/**
 * A thread's training shard chunked for evaluation: its step batch itself when that is
 * one resident chunk and evaluation chunks are as large (the same tensors, not a second
 * upload), else the shard in chunks of at most `evaluation` examples.
 */
export const forEvaluation = (c: ModelConfig, step: ChunkedBatch, evaluation: number): ChunkedBatch =>
  step.resident !== null && evaluation >= step.size ? step : prepareChunked(c, step.tokens, step.labels, evaluation)

/** Copies a shard's per-example results into the shared arrays from position `at`. */
export const writePerExample = (r: PerExample, at: number, losses: Float32Array, correct: Uint8Array): void => {
  losses.set(r.losses, at)
  correct.set(r.correct, at)
}

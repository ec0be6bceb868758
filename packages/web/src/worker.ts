/**
 * The training worker: the backend chosen (`backendPlan`: WebGPU where `navigator.gpu` offers an adapter, else WASM on
 * the threads asked for), the run's config from
 * `@grokscope/runs`, its training session (`trainSession`, the same as the CLI's, its sinks
 * keeping the records in memory), the spectrum of `W_E` and the key frequencies at the
 * evaluations, and at the end the 2-D logits map, the key frequencies of the final weights
 * and the run folder as a .zip (of a run that diverged, its last finite checkpoint's state,
 * as the CLI keeps it). Every tensor is freed.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as tf from '@tensorflow/tfjs-core'
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
// Registers the 'webgpu' backend where the browser has navigator.gpu; it starts only when asked for.
import '@tensorflow/tfjs-backend-webgpu'
import { allPairsOutputsAsync, fourierMeasures } from '@grokscope/analysis'
import { labelTable, makeDataset } from '@grokscope/data'
import { describeKeyRule, fourierBasis, keyFrequencies, keyWarning, logitsFourierMap } from '@grokscope/measures'
import { type HostParams, type ModelConfig, readHost } from '@grokscope/model'
import { type MetricsRecord, type RunConfig, decodeRunConfig, initialState, trainSession } from '@grokscope/runs'
import {
  type EncodedTrainState,
  asyncEvaluations,
  decodeTrainState,
  disposeTrainData,
  disposeTrainState,
  encodeTrainStateAsync,
  prepareTrainData,
} from '@grokscope/train'
import {
  type BackendChoice,
  type BackendName,
  type GpuLike,
  type StartedBackend,
  backendLabel,
  backendPlan,
  probeGpu,
  webgpuBlocker,
} from './backend.js'
import type { FromWorker, KeyFrequenciesMessage, ToWorker } from './protocol.js'
import { runZip } from './run-files.js'

/** How often (in steps) the page hears the step and the worker reads its messages. */
const REPORT_EVERY = 10

/**
 * The share of the worker's time the key frequencies of the evaluations may take: they are computed again once the
 * time since the last ones is `1 / share` times what those took. At p = 23 (60 ms) that is every evaluation; at p = 199
 * (~40 s: the 2-D transform of p³ logits) every few.
 */
const KEY_FREQUENCIES_SHARE = 0.05

const post = (m: FromWorker, transfer: Transferable[] = []): void => self.postMessage(m, { transfer })

let stopRequested = false

/** A macrotask boundary without the 4 ms clamp of nested timers: lets a 'stop' message in. */
const nextTask = (): Promise<void> =>
  new Promise((resolve) => {
    const channel = new MessageChannel()
    channel.port1.onmessage = () => {
      channel.port1.close()
      resolve()
    }
    channel.port2.postMessage(null)
  })

/**
 * Starts tfjs's backend `name` (WASM on `threads` threads: each run has a worker of its own, so the count is set before
 * the backend starts); false when it does not start (tfjs then warns on the console why).
 */
const startOne = async (name: BackendName, threads: number): Promise<boolean> => {
  if (name === 'wasm') {
    setWasmPaths(new URL('wasm/', self.location.href).href)
    setThreadsCount(threads)
  }
  if (!(await tf.setBackend(name))) return false
  await tf.ready()
  return true
}

/** The backend started. */
interface Started {
  readonly backend: StartedBackend
  /** Why `auto` trains on WASM though there is a WebGPU adapter; null when it does not. */
  readonly fellBack: string | null
}

/**
 * The first backend of `backendPlan` that starts for the choice, what `navigator.gpu` offers here and the run; `Left`
 * when WebGPU was chosen but is not available or cannot train the run, or nothing started.
 */
const startBackend = async (choice: BackendChoice, threads: number, config: RunConfig): Promise<E.Either<string, Started>> => {
  const probe = await probeGpu((self.navigator as { readonly gpu?: GpuLike }).gpu)
  const plan = backendPlan(choice, probe, webgpuBlocker(config.loop))
  if (E.isLeft(plan)) return plan
  const failed: BackendName[] = []
  for (const name of plan.right.backends) {
    if (!(await startOne(name, threads))) {
      failed.push(name)
      continue
    }
    const fellBack = failed.length === 0 ? plan.right.note : `the ${failed.join(' and ')} backend did not start`
    if (name === 'webgpu' && probe._tag === 'Adapter') return E.right({ backend: { name, adapter: probe.info }, fellBack })
    const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true
    return E.right({ backend: { name: 'wasm', simd, threads: getThreadsCount() }, fellBack })
  }
  return E.left(`backend: the ${failed.join(' and ')} backend did not start here`)
}

/** The key frequencies of the first operation at a step, from its logits on all pairs (`L[a, b, c]`). */
const keyFrequenciesOf = (config: RunConfig, labels: Int32Array, logits: Float64Array, step: number): KeyFrequenciesMessage => {
  const kf = keyFrequencies(logits, labels, config.task.p)
  return {
    step,
    op: config.task.ops[0]!.id,
    rule: describeKeyRule(kf.rule),
    key: [...kf.key],
    restricted: kf.restricted,
    full: kf.full,
    warning: keyWarning(kf),
  }
}

/** The logits of the first operation on all pairs, `[p·p·p]`. */
const logitsOf = async (model: ModelConfig, host: HostParams, p: number): Promise<Float64Array> =>
  (await allPairsOutputsAsync(model, host, p, 0)).logits

const run = async (document: unknown, choice: BackendChoice, threads: number): Promise<void> => {
  const decoded = decodeRunConfig(document)
  if (E.isLeft(decoded)) return post({ type: 'error', message: `the run's config: ${decoded.left}` })
  const config = decoded.right
  const { task, model } = config
  const started = await startBackend(choice, threads, config)
  if (E.isLeft(started)) return post({ type: 'error', message: started.left })
  const { backend, fellBack } = started.right
  const wasmThreads = backend.name === 'wasm' ? backend.threads : 1
  const numTensorsBefore = tf.memory().numTensors
  const dataset = makeDataset(task)
  const data = prepareTrainData(model, dataset)
  const labels = labelTable(task.ops[0]!, task.p, task.seed)
  post({
    type: 'started',
    p: task.p,
    op: task.ops[0]!.formula,
    nTrain: dataset.train.labels.length,
    nTest: dataset.test.labels.length,
    backend: tf.getBackend(),
    backendLabel: backendLabel(backend),
    fellBack,
    wasmThreads,
    threadsAsked: threads,
  })
  const start = initialState(config, null)
  if (E.isLeft(start)) return post({ type: 'error', message: start.left })
  const t0 = performance.now()
  const rate = (step: number) => step / Math.max((performance.now() - t0) / 1000, 1e-9)
  const records: MetricsRecord[] = []
  // The last checkpoint, on the host: a diverged run's download holds it, not the non-finite final state.
  let checkpoint: EncodedTrainState = await encodeTrainStateAsync(start.right)
  let keyCost = 0
  let keyDone = -Infinity
  const keyFrequenciesAt = async (host: HostParams, step: number): Promise<KeyFrequenciesMessage | null> => {
    const t = performance.now()
    if (t - keyDone < keyCost / KEY_FREQUENCIES_SHARE) return null
    const kf = keyFrequenciesOf(config, labels, await logitsOf(model, host, task.p), step)
    keyDone = performance.now()
    keyCost = keyDone - t
    return kf
  }
  const end = await trainSession(
    config,
    { state: start.right, records: [], resumed: false },
    {
      dataset,
      data,
      // Every read of the backend asynchronous (WebGPU's synchronous read cannot be relied on).
      evaluations: asyncEvaluations(model, data),
      now: () => performance.now(),
      backend: tf.getBackend(),
      threads: wasmThreads,
    },
    {
      record: (record) => {
        records.push(record)
      },
      // The page keeps no history; the last checkpoint is the download's state (the final one, unless the run diverged).
      history: () => undefined,
      checkpoint: async (state) => {
        checkpoint = await encodeTrainStateAsync(state)
      },
      progress: async (record, stepsPerS, host) => {
        const s = fourierMeasures(model, host, task.p).W_E.spectrum
        post({
          type: 'eval',
          record,
          spectrum: { cos: Array.from(s.cos), sin: Array.from(s.sin) },
          keyFrequencies: await keyFrequenciesAt(host, record.step),
          stepsPerS,
        })
      },
      step: async (step) => {
        if (step % REPORT_EVERY !== 0) return undefined
        post({ type: 'step', step, stepsPerS: rate(step), numTensors: tf.memory().numTensors })
        await nextTask()
        return stopRequested ? 'stop' : undefined
      },
    },
  )
  const restored = end.divergedStep === null ? E.right(end.state) : decodeTrainState(checkpoint, model, config.optimizer)
  if (end.divergedStep !== null) disposeTrainState(end.state)
  if (E.isLeft(restored)) return post({ type: 'error', message: `the last checkpoint: ${restored.left}` })
  const state = restored.right
  const host = await readHost(state.params)
  const finalW_E = fourierMeasures(model, host, task.p).W_E
  const logits = await logitsOf(model, host, task.p)
  const map = logitsFourierMap(logits, task.p)
  const encoded = await encodeTrainStateAsync(state)
  const { name, zip } = runZip({ config, records: end.records, host, state: encoded, summary: end.summary }, Date.now())
  const numTensorsTraining = tf.memory().numTensors
  disposeTrainState(state)
  disposeTrainData(data)
  post(
    {
      type: 'done',
      step: state.step,
      grokStep: end.summary.grok_step,
      stoppedBy: end.summary.stopped_by,
      finalW_E: {
        ffd: finalW_E.ffd,
        fcr: finalW_E.fcr,
        spectrum: { cos: Array.from(finalW_E.spectrum.cos), sin: Array.from(finalW_E.spectrum.sin) },
      },
      logitsMap: { names: fourierBasis(task.p).names, norms: map.data },
      keyFrequencies: keyFrequenciesOf(config, labels, logits, state.step),
      zipName: name,
      zip,
      numTensorsBefore,
      numTensorsTraining,
      numTensorsAfter: tf.memory().numTensors,
    },
    [zip.buffer, map.data.buffer],
  )
}

self.addEventListener('message', (e: MessageEvent<ToWorker>) => {
  const m = e.data
  switch (m.type) {
    case 'stop':
      stopRequested = true
      return
    case 'start':
      run(m.config, m.backend, m.threads).catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }))
      return
  }
})

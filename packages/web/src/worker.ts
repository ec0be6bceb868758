/**
 * The training worker: the WASM backend on the threads asked for, the run's config from
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
import { allPairsOutputs, fourierMeasures } from '@grokscope/analysis'
import { labelTable, makeDataset } from '@grokscope/data'
import { describeKeyRule, fourierBasis, keyFrequencies, keyWarning, logitsFourierMap } from '@grokscope/measures'
import { type HostParams, type ModelConfig, toHost } from '@grokscope/model'
import { type MetricsRecord, type RunConfig, decodeRunConfig, initialState, trainSession } from '@grokscope/runs'
import {
  type EncodedTrainState,
  decodeTrainState,
  disposeTrainData,
  disposeTrainState,
  encodeTrainState,
  prepareTrainData,
} from '@grokscope/train'
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

/** The WASM backend on `threads` threads (each run has a worker of its own: the count is set before the backend starts). */
const startBackend = async (threads: number): Promise<void> => {
  if (tf.getBackend() === 'wasm') return
  setWasmPaths(new URL('wasm/', self.location.href).href)
  setThreadsCount(threads)
  if (!(await tf.setBackend('wasm'))) throw new Error('the WASM backend did not start')
  await tf.ready()
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
const logitsOf = (model: ModelConfig, host: HostParams, p: number): Float64Array => allPairsOutputs(model, host, p, 0).logits

const run = async (document: unknown, threads: number): Promise<void> => {
  const decoded = decodeRunConfig(document)
  if (E.isLeft(decoded)) return post({ type: 'error', message: `the run's config: ${decoded.left}` })
  const config = decoded.right
  const { task, model } = config
  await startBackend(threads)
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
    wasmThreads: getThreadsCount(),
    threadsAsked: threads,
  })
  const start = initialState(config, null)
  if (E.isLeft(start)) return post({ type: 'error', message: start.left })
  const t0 = performance.now()
  const rate = (step: number) => step / Math.max((performance.now() - t0) / 1000, 1e-9)
  const records: MetricsRecord[] = []
  // The last checkpoint, on the host: a diverged run's download holds it, not the non-finite final state.
  let checkpoint: EncodedTrainState = encodeTrainState(start.right)
  let keyCost = 0
  let keyDone = -Infinity
  const keyFrequenciesAt = (host: HostParams, step: number): KeyFrequenciesMessage | null => {
    const t = performance.now()
    if (t - keyDone < keyCost / KEY_FREQUENCIES_SHARE) return null
    const kf = keyFrequenciesOf(config, labels, logitsOf(model, host, task.p), step)
    keyDone = performance.now()
    keyCost = keyDone - t
    return kf
  }
  const end = await trainSession(
    config,
    { state: start.right, records: [], resumed: false },
    { dataset, data, now: () => performance.now(), backend: tf.getBackend(), threads: getThreadsCount() },
    {
      record: (record) => {
        records.push(record)
      },
      // The page keeps no history; the last checkpoint is the download's state (the final one, unless the run diverged).
      history: () => undefined,
      checkpoint: (state) => {
        checkpoint = encodeTrainState(state)
      },
      progress: (record, stepsPerS, host) => {
        const s = fourierMeasures(model, host, task.p).W_E.spectrum
        post({
          type: 'eval',
          record,
          spectrum: { cos: Array.from(s.cos), sin: Array.from(s.sin) },
          keyFrequencies: keyFrequenciesAt(host, record.step),
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
  const host = toHost(state.params)
  const finalW_E = fourierMeasures(model, host, task.p).W_E
  const logits = logitsOf(model, host, task.p)
  const map = logitsFourierMap(logits, task.p)
  const { name, zip } = runZip({ config, records: end.records, state, summary: end.summary }, Date.now())
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
      run(m.config, m.threads).catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }))
      return
  }
})

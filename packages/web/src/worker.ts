/**
 * The training worker: the WASM backend, the dataset and the paper's model from
 * the @grokscope libraries, `train` with the CLI's loop settings, a metrics record
 * (`metricsRecord`) and the spectrum of `W_E` at every evaluation, and at the end
 * the 2-D logits map and the run folder as a .zip. Every tensor is freed.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as tf from '@tensorflow/tfjs-core'
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import { type MetricsRecord, allPairsOutputs, fourierMeasures, metricsRecord } from '@grokscope/analysis'
import { makeDataset } from '@grokscope/data'
import { fourierBasis, logitsFourierMap } from '@grokscope/measures'
import { initParams, toHost } from '@grokscope/model'
import { PAPER_ADAMW, disposeTrainData, disposeTrainState, initTrainState, modelConfigFor, prepareTrainData, train } from '@grokscope/train'
import type { FromWorker, ToWorker } from './Protocol.js'
import { WEB_LOOP, runZip } from './RunFiles.js'
import { type SettingsFields, decodeFields } from './Settings.js'

/** How often (in steps) the page hears the step and the worker reads its messages. */
const REPORT_EVERY = 10

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

const startBackend = async (): Promise<void> => {
  if (tf.getBackend() === 'wasm') return
  setWasmPaths(new URL('wasm/', self.location.href).href)
  if (!(await tf.setBackend('wasm'))) throw new Error('the WASM backend did not start')
  await tf.ready()
}

const run = async (fields: SettingsFields): Promise<void> => {
  const decoded = decodeFields(fields)
  if (E.isLeft(decoded)) return post({ type: 'error', message: decoded.left })
  const task = decoded.right
  await startBackend()
  const numTensorsBefore = tf.memory().numTensors
  const dataset = makeDataset(task)
  const model = modelConfigFor(dataset)
  const data = prepareTrainData(model, dataset)
  const ops = task.ops.map((op) => ({ id: op.id, op }))
  post({ type: 'started', p: task.p, op: task.ops[0]!.formula, nTrain: dataset.train.labels.length, nTest: dataset.test.labels.length, backend: tf.getBackend(), wasmThreads: getThreadsCount() })
  const records: MetricsRecord[] = []
  const t0 = performance.now()
  const rate = (step: number) => step / Math.max((performance.now() - t0) / 1000, 1e-9)
  const result = await train(
    model,
    data,
    initTrainState(initParams(model, task.seed)),
    {
      optimizer: PAPER_ADAMW,
      maxSteps: WEB_LOOP.max_steps,
      evalEvery: WEB_LOOP.eval_every,
      stopAfterGrok: WEB_LOOP.stop_after_grok,
      grokThreshold: WEB_LOOP.grok_threshold,
      grokStep: null,
      evaluateStart: true,
    },
    {
      onEval: (r) => {
        const host = toHost(r.params)
        const record = metricsRecord({
          ...r,
          host,
          config: model,
          p: task.p,
          ops,
          seed: task.seed,
          measureLogits: false,
          elapsedS: (performance.now() - t0) / 1000,
          numTensors: tf.memory().numTensors,
        })
        records.push(record)
        const s = fourierMeasures(model, host, task.p).W_E.spectrum
        post({ type: 'eval', record, spectrum: { cos: Array.from(s.cos), sin: Array.from(s.sin) }, stepsPerS: rate(r.step) })
      },
      onStep: async (step) => {
        if (step % REPORT_EVERY !== 0) return undefined
        post({ type: 'step', step, stepsPerS: rate(step) })
        await nextTask()
        return stopRequested ? 'stop' : undefined
      },
    },
  )
  const wallTimeS = (performance.now() - t0) / 1000
  const state = result.state
  const host = toHost(state.params)
  const finalW_E = fourierMeasures(model, host, task.p).W_E
  const { logits } = allPairsOutputs(model, host, task.p, 0)
  const map = logitsFourierMap(logits, task.p)
  const { name, zip } = runZip({
    task,
    model,
    optimizer: PAPER_ADAMW,
    loop: WEB_LOOP,
    records,
    state,
    end: { stopped: stopRequested, stoppedBy: result.stoppedBy, grokStep: result.grokStep, wallTimeS, backend: tf.getBackend(), endedAtMs: Date.now() },
  })
  disposeTrainState(state)
  disposeTrainData(data)
  post(
    {
      type: 'done',
      step: state.step,
      grokStep: result.grokStep,
      stoppedBy: stopRequested ? 'interrupt' : result.stoppedBy,
      finalW_E: { ffd: finalW_E.ffd, fcr: finalW_E.fcr },
      logitsMap: { names: fourierBasis(task.p).names, norms: map.data },
      zipName: name,
      zip,
      numTensorsBefore,
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
      run(m.fields).catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }))
      return
  }
})

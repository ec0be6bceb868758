// A worker thread of a sweep (Sweep.ts): trains one run with `runTraining` (its own WASM backend;
// the sweep holds the run's lock), and tells the sweep each evaluation, each warning, and how it
// ended. A 'stop' message stops the run as Ctrl-C does (a checkpoint, summary.json `interrupted`).
import { parentPort, workerData } from 'node:worker_threads'
import { oneLine } from '@grokscope/data'
import { type MetricsRecord, type RunConfigDocument, type Summary, decodeRunConfig } from '@grokscope/runs'
import { UsageError, fileFaultMessage, outOfMemoryMessage } from './Errors.js'
import { runTraining } from './Training.js'

/** What the worker is started with: the run's config.json document and folder, and how to train it. */
export interface SweepWorkerInit {
  readonly config: RunConfigDocument
  readonly dir: string
  readonly threads: number
  readonly memoryMiB: number
}

/** What the worker tells the sweep. */
export type SweepWorkerMessage =
  | { readonly type: 'evaluation'; readonly record: MetricsRecord; readonly stepsPerS: number }
  | { readonly type: 'warning'; readonly message: string }
  | { readonly type: 'done'; readonly summary: Summary; readonly interrupted: boolean }
  | { readonly type: 'error'; readonly message: string; readonly detail: string }

const port = parentPort
if (port !== null) {
  const init = workerData as SweepWorkerInit
  const post = (m: SweepWorkerMessage) => port.postMessage(m)
  let stop = false
  port.on('message', (m: unknown) => {
    if (m === 'stop') stop = true
  })
  const config = decodeRunConfig(init.config)
  if (config._tag === 'Left') post({ type: 'error', message: `the run's config: ${config.left}`, detail: '' })
  else {
    try {
      const r = await runTraining(
        config.right,
        init.dir,
        {
          onEvaluation: (record, stepsPerS) => post({ type: 'evaluation', record, stepsPerS }),
          onWarning: (message) => post({ type: 'warning', message }),
          shouldStop: () => stop,
        },
        { lock: 'held', start: 'auto', threads: init.threads, memoryMiB: init.memoryMiB },
      )
      post({ type: 'done', summary: r.summary, interrupted: r.interrupted })
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e)
      const fault = fileFaultMessage(e)
      const message = oneLine(e instanceof UsageError ? text : (outOfMemoryMessage(e) ?? fault ?? text.split('\n')[0] ?? text))
      post({ type: 'error', message, detail: e instanceof Error && !(e instanceof UsageError) && fault === null ? (e.stack ?? '') : '' })
    }
  }
}

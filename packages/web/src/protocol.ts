/**
 * The messages between the page and its training worker. Both ends are this
 * package's own bundles on one origin, so the messages are typed, not decoded.
 *
 * @since 0.1.0
 */
import type { MetricsRecord, RunConfigDocument } from '@grokscope/runs'

/** Page → worker: the run to train, as its config.json document (the worker decodes it itself), or stop. */
export type ToWorker = { readonly type: 'start'; readonly config: RunConfigDocument } | { readonly type: 'stop' }

/** The spectrum of `W_E[0:p]`: `μ_k`, `ν_k` for `k = 1..⌊p/2⌋`. */
export interface SpectrumMessage {
  readonly cos: ReadonlyArray<number>
  readonly sin: ReadonlyArray<number>
}

/** The logits of every pair in the 2-D Fourier basis: norms `[p, p]` with the basis rows' names. */
export interface LogitsMapMessage {
  readonly names: ReadonlyArray<string>
  readonly norms: Float64Array // [p·p]
}

/** Worker → page. */
export type FromWorker =
  | {
      readonly type: 'started'
      readonly p: number
      readonly op: string
      readonly nTrain: number
      readonly nTest: number
      readonly backend: string
      readonly wasmThreads: number
    }
  | { readonly type: 'step'; readonly step: number; readonly stepsPerS: number }
  | { readonly type: 'eval'; readonly record: MetricsRecord; readonly spectrum: SpectrumMessage; readonly stepsPerS: number }
  | {
      readonly type: 'done'
      readonly step: number
      readonly grokStep: number | null
      readonly stoppedBy: string
      /** FFD and FCR of the final weights' `W_E` (the last evaluation may be up to `eval_every` steps older). */
      readonly finalW_E: { readonly ffd: number; readonly fcr: number }
      readonly logitsMap: LogitsMapMessage
      readonly zipName: string
      readonly zip: Uint8Array
      readonly numTensorsBefore: number
      readonly numTensorsAfter: number
    }
  | { readonly type: 'error'; readonly message: string }

/**
 * The messages between the page and its training worker. Both ends are this
 * package's own bundles on one origin, so the messages are typed, not decoded.
 *
 * @since 0.1.0
 */
import type { MetricsRecord, RunConfigDocument } from '@grokscope/runs'
import type { BackendChoice } from './backend.js'

/**
 * Page → worker: the run to train, as its config.json document (the worker decodes it itself), with the backend chosen
 * and the WASM threads to ask for; or stop.
 */
export type ToWorker =
  | { readonly type: 'start'; readonly config: RunConfigDocument; readonly backend: BackendChoice; readonly threads: number }
  | { readonly type: 'stop' }

/** The spectrum of `W_E[0:p]`: `μ_k`, `ν_k` for `k = 1..⌊p/2⌋`. */
export interface SpectrumMessage {
  readonly cos: ReadonlyArray<number>
  readonly sin: ReadonlyArray<number>
}

/**
 * The key frequencies of the first operation's logits on all pairs at a step (`keyFrequencies` of
 * `@grokscope/measures`, its default rule: the set `grokscope analyze` prints), with the restricted and full loss.
 *
 * @since 0.3.0
 */
export interface KeyFrequenciesMessage {
  readonly step: number
  readonly op: string
  /** The rule in words (`describeKeyRule`). */
  readonly rule: string
  readonly key: ReadonlyArray<number>
  readonly restricted: number
  readonly full: number
  /** `keyWarning`: the key set does not carry the model's answer; `null` when it does. */
  readonly warning: string | null
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
      /** tfjs's name of the backend in use (`webgpu`, `wasm`), and in words (`backendLabel`: `webgpu (google swiftshader, software)`). */
      readonly backend: string
      readonly backendLabel: string
      /** Why `auto` trains on WASM though the browser offers a WebGPU adapter (its backend did not start); else null. */
      readonly fellBack: string | null
      /** The threads the WASM backend runs on, and those asked for (fewer when its threaded build cannot load). */
      readonly wasmThreads: number
      readonly threadsAsked: number
    }
  /** Every few steps: the step, the rate and the tensors alive in the worker (the weights, the optimiser's state, the data). */
  | { readonly type: 'step'; readonly step: number; readonly stepsPerS: number; readonly numTensors: number }
  /** An evaluation; the key frequencies when they were computed at it (not at every one when they would slow training). */
  | {
      readonly type: 'eval'
      readonly record: MetricsRecord
      readonly spectrum: SpectrumMessage
      readonly keyFrequencies: KeyFrequenciesMessage | null
      readonly stepsPerS: number
    }
  | {
      readonly type: 'done'
      readonly step: number
      readonly grokStep: number | null
      readonly stoppedBy: string
      /** FFD, FCR and the spectrum of the final weights' `W_E` (the last evaluation may be up to `eval_every` steps older). */
      readonly finalW_E: { readonly ffd: number; readonly fcr: number; readonly spectrum: SpectrumMessage }
      readonly logitsMap: LogitsMapMessage
      /** The key frequencies of the final weights. */
      readonly keyFrequencies: KeyFrequenciesMessage
      readonly zipName: string
      readonly zip: Uint8Array
      /** Tensors alive before the run's data was made, at its end before it was freed, and after. */
      readonly numTensorsBefore: number
      readonly numTensorsTraining: number
      readonly numTensorsAfter: number
    }
  | { readonly type: 'error'; readonly message: string }

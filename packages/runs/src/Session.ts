/**
 * A session of training a run, from its config: the initial weights of a new run (seeded,
 * scaled, with the parts loaded from a finished model), then the loop of `@grokscope/train`
 * with the run's settings, a metrics record at every evaluation, the weights history at the
 * saved steps, checkpoints, and the summary at the end. What is written and shown goes
 * through the caller's sinks, in the order that keeps a run resumable (a step's record,
 * then its history file, then its checkpoint), so the CLI writes files with them and the
 * page keeps everything in memory for its download. A run diverges at the first step whose
 * weights or evaluated losses are not finite: the session stops there, its record (when
 * that step was evaluated) is the last, and no history file or checkpoint of non-finite
 * weights is made (the last checkpoint stays the run's weights). Pure but for the tensors, which it reads back
 * asynchronously (`data()`: WebGPU cannot be relied on to read synchronously), except for the all-pairs measures
 * (`loop.measure_every`) and a source model's weights.
 *
 * @example
 * import { initialState, trainSession } from '@grokscope/runs'
 * declare const config: import('@grokscope/runs').RunConfig
 * declare const environment: import('@grokscope/runs').SessionEnvironment
 * const start = initialState(config, null)  // Right(the step-0 state)
 * if (start._tag === 'Right') {
 *   const end = await trainSession(config, { state: start.right, records: [], resumed: false }, environment, {
 *     record: () => undefined,
 *     history: () => undefined,
 *     checkpoint: () => undefined,
 *   })
 *   end.summary.grokked // whether the run grokked
 * }
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as tf from '@tensorflow/tfjs-core'
import { trainPairLabels } from '@grokscope/analysis'
import type { Dataset } from '@grokscope/data'
import {
  type HostParams,
  type ModelConfig,
  type Params,
  disposeParams,
  fromHost,
  initParams,
  mapParams,
  readHost,
  toHost,
  transferParams,
} from '@grokscope/model'
import {
  type EvaluationSource,
  type GradientSource,
  type LoopAnswer,
  type TrainData,
  type TrainState,
  initTrainState,
  train,
} from '@grokscope/train'
import type { RunConfig } from './Config.js'
import { recordedGrokStep } from './Metrics.js'
import { type MetricsRecord, metricsRecord } from './Record.js'
import { type Summary, finiteLosses, runSummary } from './Summary.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** A finished model that a new run loads parts from: its config, the operation of each operation token, its weights. */
export interface SourceModel {
  readonly config: ModelConfig
  readonly ops: ReadonlyArray<string>
  readonly host: HostParams
}

/** Where a session starts: the state (the session takes it over), the run's records up to it, and whether the run was started before. */
export interface SessionStart {
  readonly state: TrainState
  readonly records: ReadonlyArray<MetricsRecord>
  readonly resumed: boolean
}

/** What a session computes with and reads from its host: the prepared data, the gradient and evaluation sources, the clock. */
export interface SessionEnvironment {
  readonly dataset: Dataset
  readonly data: TrainData
  /** Computes each step's gradients (e.g. over worker threads); by default, on `data.train`. */
  readonly gradients?: GradientSource
  /** Computes each evaluation (e.g. over worker threads); by default, on `data`. */
  readonly evaluations?: EvaluationSource
  /** Pairs per forward pass of the all-pairs measures (default: all `p²` at once). */
  readonly chunk?: number
  /** Milliseconds, from any origin. */
  readonly now: () => number
  readonly backend: string
  readonly threads: number
}

/** What a session writes and shows; a sink may be asynchronous, and is awaited. */
export interface SessionSinks {
  /** An evaluation's record (to append to the metrics). */
  readonly record: (r: MetricsRecord) => void | Promise<void>
  /** The weights at a step the run keeps (`loop.save_every`, the grok step, the end): after that step's record, before its checkpoint. */
  readonly history: (step: number, host: HostParams) => void | Promise<void>
  /**
   * A checkpoint (every `loop.checkpoint_every` steps and at the end), after that step's record and history file. The
   * state is valid only during the call.
   */
  readonly checkpoint: (state: TrainState) => void | Promise<void>
  /** Every step, after its evaluation and checkpoint; `'stop'` ends the session there (interrupted). */
  readonly step?: (step: number) => LoopAnswer
  /** An evaluation, for a progress view, with this session's steps per second and the weights then (valid during the call). */
  readonly progress?: (r: MetricsRecord, stepsPerS: number, host: HostParams) => void | Promise<void>
}

/**
 * How a session ended: the final state (the caller owns it; of a diverged run, the non-finite one), the run's records,
 * whether it was interrupted, the step it diverged at (null: it did not), and summary.json's content.
 */
export interface SessionEnd {
  readonly state: TrainState
  readonly records: ReadonlyArray<MetricsRecord>
  readonly interrupted: boolean
  readonly divergedStep: number | null
  readonly summary: Summary
}

// ─────────────────────────────────────────────────────────────────────────────
// the initial state
// ─────────────────────────────────────────────────────────────────────────────

/** These weights times `scale` (Omnigrok's initial scale), taking ownership of them; the same weights when it is 1. */
export const scaledParams = (params: Params, scale: number): Params => {
  if (scale === 1) return params
  const scaled = mapParams(params, (w) => tf.mul(w, scale))
  disposeParams(params)
  return scaled
}

/**
 * A new run's step-0 state: the seeded initialisation times `init_scale`, with the loaded parts
 * copied from `source` (not scaled); `Left` when they cannot be copied into this model.
 */
export const initialState = (config: RunConfig, source: SourceModel | null): E.Either<string, TrainState> => {
  const fresh = scaledParams(initParams(config.model, config.task.seed), config.init_scale ?? 1)
  if (source === null) return E.right(initTrainState(fresh, config.optimizer))
  const copied = transferParams(
    { config: config.model, ops: config.task.ops.map((op) => op.id), host: toHost(fresh) },
    source,
    config.transfer?.loaded ?? [],
  )
  disposeParams(fresh)
  return E.map((host: HostParams) => initTrainState(fromHost(config.model, host), config.optimizer))(copied)
}

// ─────────────────────────────────────────────────────────────────────────────
// the session
// ─────────────────────────────────────────────────────────────────────────────

/**
 * Whether every weight is finite (one number read back from the backend, asynchronously: WebGPU cannot be relied on
 * to read synchronously).
 *
 * @since 0.3.0 (asynchronous since 0.5.0)
 */
export const finiteParams = async (params: Params): Promise<boolean> => {
  const ok = tf.tidy(() => tf.all(tf.stack(Object.values(params).map((w) => tf.all(tf.isFinite(w))))))
  try {
    return (await ok.data())[0] === 1
  } finally {
    ok.dispose()
  }
}

/**
 * Trains the run from `start` until a stop rule of its loop settings fires or a sink stops it.
 * A new run (step 0, no record) first records its initial weights. Every evaluation becomes a
 * record (`metricsRecord`; all-pairs measures at the steps `loop.measure_every` names); the
 * history keeps the weights at every `loop.save_every` steps, at the grok step and at the last
 * step; a checkpoint follows every `loop.checkpoint_every` steps and the last step. At a step
 * the record comes first, then the history, then the checkpoint; the last step's weights, when
 * not kept already, are kept after its checkpoint (a resumed run that has no step left keeps them then).
 * The first step whose weights (checked every step) or evaluated losses are not finite ends the
 * session as diverged: after that step's record, with no history file or checkpoint of it.
 */
export const trainSession = async (
  config: RunConfig,
  start: SessionStart,
  env: SessionEnvironment,
  sinks: SessionSinks,
): Promise<SessionEnd> => {
  const { task, model: c, loop } = config
  const startStep = start.state.step
  const measureEvery = loop.measure_every ?? 0
  const saveEvery = loop.save_every ?? null
  const ops = task.ops.map((op) => ({ id: op.id, op }))
  const trainLabels =
    measureEvery > 0 ? trainPairLabels(env.dataset.train.tokens, env.dataset.train.labels, task.p, task.ops.length) : undefined
  const records: MetricsRecord[] = [...start.records]
  const t0 = env.now()
  const elapsed = () => (env.now() - t0) / 1000
  let interrupted = false
  let divergedStep: number | null = null
  let checkpointed: number | null = null
  let historyAt: number | null = null
  let grokkedNow: number | null = null
  const keepHistory = async (state: TrainState) => {
    if (saveEvery === null || historyAt === state.step) return
    await sinks.history(state.step, await readHost(state.params))
    historyAt = state.step
  }
  const result = await train(
    c,
    env.data,
    start.state,
    {
      optimizer: config.optimizer,
      maxSteps: loop.max_steps,
      evalEvery: loop.eval_every,
      stopAfterGrok: loop.stop_after_grok,
      grokThreshold: loop.grok_threshold,
      grokStep: recordedGrokStep(start.records),
      ...(env.gradients === undefined ? {} : { gradients: env.gradients }),
      ...(env.evaluations === undefined ? {} : { evaluations: env.evaluations }),
      // A new run's first record is of its initial weights (a resumed run at step 0 may have it already).
      evaluateStart: startStep === 0 && start.records.length === 0,
    },
    {
      onEval: async (r) => {
        const host = await readHost(r.params)
        const record = metricsRecord({
          ...r,
          host,
          config: c,
          p: task.p,
          ops,
          seed: task.seed,
          measureLogits: measureEvery > 0 && r.step % measureEvery === 0,
          ...(env.chunk === undefined ? {} : { chunk: env.chunk }),
          ...(trainLabels === undefined ? {} : { trainLabels }),
          elapsedS: elapsed(),
          numTensors: tf.memory().numTensors - r.heldTensors,
        })
        await sinks.record(record)
        records.push(record)
        if (r.grokStep === r.step) grokkedNow = r.step
        await sinks.progress?.(record, (r.step - startStep) / Math.max(elapsed(), 1e-9), host)
        if (finiteLosses(record)) return undefined
        divergedStep = r.step
        return 'stop'
      },
      // After the step's evaluation: its history file, then its checkpoint, of finite weights only.
      onStep: async (step, state) => {
        if (!(await finiteParams(state.params))) {
          divergedStep = step
          return 'stop'
        }
        if (saveEvery !== null && (step % saveEvery === 0 || step === grokkedNow)) await keepHistory(state)
        if (step % loop.checkpoint_every === 0) {
          await sinks.checkpoint(state)
          checkpointed = step
        }
        const answer = await sinks.step?.(step)
        if (answer === 'stop') interrupted = true
        return answer
      },
    },
  )
  const state = result.state
  if (divergedStep === null) {
    await keepHistory(state)
    if (checkpointed !== state.step) await sinks.checkpoint(state)
  }
  const summary = runSummary({
    interrupted,
    stoppedBy: result.stoppedBy,
    divergedStep,
    grokStep: result.grokStep,
    steps: state.step,
    resumedFrom: start.resumed ? startStep : null,
    records,
    grokThreshold: loop.grok_threshold,
    wallTimeS: elapsed(),
    stepsRun: state.step - startStep,
    backend: env.backend,
    threads: env.threads,
    transfer: config.transfer ?? null,
  })
  return { state, records, interrupted, divergedStep, summary }
}

/**
 * The training loop: steps, an evaluation every `k` steps reported through a
 * callback, and the stop rules. No I/O, console or clock: the caller plugs in
 * measuring, logging and saving.
 *
 * @example
 * import { train } from '@grokscope/train'
 * const result = await train(config, data, state, { maxSteps: 10_000, evalEvery: 100, stopAfterGrok: 2000 }, {
 *   onEval: (r) => console.log(r.step, r.test.accuracy),
 * })
 *
 * @since 0.1.0
 */
import * as tf from '@tensorflow/tfjs-core'
import type { Batch, ModelConfig, Params } from '@grokscope/model'
import { type AdamWOptions, type TrainState, disposeTrainState } from './AdamW.js'
import { type Evaluation, type GradientSource, evaluate, trainStep, trainStepWith } from './Step.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** The prepared train and test sets, with each example's operation index. */
export interface TrainData {
  readonly train: Batch
  readonly test: Batch
  readonly trainOps: Int32Array
  readonly testOps: Int32Array
  readonly nOps: number
}

export interface LoopOptions {
  readonly optimizer: AdamWOptions
  /** The last step to take (counted from the start of the run, not of this call). */
  readonly maxSteps: number
  readonly evalEvery: number
  /** Stop this many steps after the first step that groks; `null`: run to `maxSteps`. */
  readonly stopAfterGrok: number | null
  /** Test accuracy (of every operation) that counts as grokked; the paper's 0.99. */
  readonly grokThreshold: number
  /** The first grokked step, when resuming a run that had already grokked. */
  readonly grokStep: number | null
  /** Computes each step's gradients (e.g. over worker threads); by default, on `data.train` here. */
  readonly gradients?: GradientSource
}

/** An evaluation, with the weights at that step (valid only during the callback). */
export interface EvalReport {
  readonly step: number
  readonly train: Evaluation
  readonly test: Evaluation
  readonly grokStep: number | null
  readonly params: Params
  readonly state: TrainState
}

/** What the loop tells its caller; either callback may answer `'stop'`. */
export interface LoopCallbacks {
  readonly onStep?: (step: number) => void | 'stop' | Promise<void | 'stop'>
  readonly onEval?: (report: EvalReport) => void | 'stop' | Promise<void | 'stop'>
}

export type StopReason = 'max-steps' | 'grokked' | 'callback'

export interface LoopResult {
  /** The final state; the caller owns it. */
  readonly state: TrainState
  readonly grokStep: number | null
  readonly stoppedBy: StopReason
}

/** The paper's loop settings (3·10⁵ steps at most, evaluate every 100, stop 2000 steps after grokking). */
export const defaultLoopOptions = (optimizer: AdamWOptions): LoopOptions => ({
  optimizer,
  maxSteps: 300_000,
  evalEvery: 100,
  stopAfterGrok: 2000,
  grokThreshold: 0.99,
  grokStep: null,
})

// ─────────────────────────────────────────────────────────────────────────────
// loop
// ─────────────────────────────────────────────────────────────────────────────

/** Whether every operation's test accuracy reaches the threshold. */
export const hasGrokked = (test: Evaluation, threshold: number): boolean => test.perOp.every((m) => !(m.accuracy < threshold))

/**
 * Trains from `initial` (which the loop takes over and frees) until a stop rule
 * fires. Evaluates at every multiple of `evalEvery` and at the last step.
 */
export const train = async (c: ModelConfig, data: TrainData, initial: TrainState, o: LoopOptions, cb: LoopCallbacks = {}): Promise<LoopResult> => {
  let state = initial
  let grokStep = o.grokStep
  let stoppedBy: StopReason = 'max-steps'
  const done = () => grokStep !== null && o.stopAfterGrok !== null && state.step >= grokStep + o.stopAfterGrok
  if (done()) return { state, grokStep, stoppedBy: 'grokked' }
  while (state.step < o.maxSteps) {
    const { state: next, loss } = o.gradients === undefined ? trainStep(c, o.optimizer, state, data.train) : await trainStepWith(o.optimizer, state, o.gradients)
    tf.dispose(loss)
    disposeTrainState(state)
    state = next
    if ((await cb.onStep?.(state.step)) === 'stop') {
      stoppedBy = 'callback'
      break
    }
    if (state.step % o.evalEvery !== 0 && state.step !== o.maxSteps) continue
    const train = evaluate(c, state.params, data.train, data.trainOps, data.nOps)
    const test = evaluate(c, state.params, data.test, data.testOps, data.nOps)
    if (grokStep === null && hasGrokked(test, o.grokThreshold)) grokStep = state.step
    const answer = await cb.onEval?.({ step: state.step, train, test, grokStep, params: state.params, state })
    if (answer === 'stop') {
      stoppedBy = 'callback'
      break
    }
    if (done()) {
      stoppedBy = 'grokked'
      break
    }
  }
  return { state, grokStep, stoppedBy }
}

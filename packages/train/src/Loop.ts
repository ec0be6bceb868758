/**
 * The training loop: steps, an evaluation every `k` steps reported through a
 * callback, every step reported with its state (to checkpoint on any schedule),
 * and the stop rules. No I/O, console or clock: the caller plugs in measuring,
 * logging and saving.
 *
 * @example
 * import type { ModelConfig } from '@grokscope/model'
 * import { type TrainData, type TrainState, PAPER_ADAMW, defaultLoopOptions, train } from '@grokscope/train'
 * declare const config: ModelConfig, data: TrainData, state: TrainState  // e.g. from modelConfigFor, prepareTrainData, initTrainState
 * declare const save: (s: TrainState) => void  // e.g. writes state.json
 * const result = await train(config, data, state, { ...defaultLoopOptions(PAPER_ADAMW), maxSteps: 10_000 }, {
 *   onEval: (r) => console.log(r.step, r.test.accuracy),
 *   onStep: (step, s) => (step % 1000 === 0 ? save(s) : undefined),
 * })
 *
 * @since 0.1.0
 */
import * as tf from '@tensorflow/tfjs-core'
import { type Batch, type ChunkedBatch, type ModelConfig, type Params, isChunked, lossAndGradsChunked } from '@grokscope/model'
import { type OptimizerOptions, type TrainState, disposeTrainState, optimizerStep } from './Optimizer.js'
import {
  type Evaluation,
  type EvaluationSource,
  type GradientSource,
  type LossGradsAndExamples,
  type PartialResults,
  evaluate,
  evaluatePerExample,
  evaluateUntil,
  lossGradsAndExamples,
  maxWrongAbove,
  summarize,
} from './Step.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** The prepared train and test sets (on the backend, or chunked on the host), with each example's operation index. */
export interface TrainData {
  readonly train: Batch | ChunkedBatch
  readonly test: Batch | ChunkedBatch
  readonly trainOps: Int32Array
  readonly testOps: Int32Array
  readonly nOps: number
}

export interface LoopOptions {
  readonly optimizer: OptimizerOptions
  /** The last step to take (counted from the start of the run, not of this call). */
  readonly maxSteps: number
  readonly evalEvery: number
  /** Stop this many steps after the first step that groks; `null`: run to `maxSteps`. */
  readonly stopAfterGrok: number | null
  /** Test accuracy (of every operation) that counts as grokked; the paper's `GROK_THRESHOLD`. */
  readonly grokThreshold: number
  /** The first grokked step, when resuming a run that had already grokked. */
  readonly grokStep: number | null
  /** Computes each step's gradients (e.g. over worker threads); by default, on `data.train` here. */
  readonly gradients?: GradientSource
  /** Computes each evaluation's per-example results (e.g. over worker threads); by default, on `data.train` and `data.test` here. */
  readonly evaluations?: EvaluationSource
  /** Also evaluate the initial state, before the first step (a new run's step-0 record: the memorisation phase's start). */
  readonly evaluateStart?: boolean
  /**
   * Before the run has grokked, stop an evaluation of the test set that a step follows as soon as more than
   * `maxWrongAbove(n, grokThreshold)` examples are wrong: its accuracy is then certainly below the threshold, so the
   * grok step (the first evaluation whose whole test set reaches it) is unchanged. Such a report has `testComplete`
   * false, its test accuracy counts the examples not reached as wrong (a lower bound) and its test loss is NaN: for
   * measuring the time to grok, not for a run's curves. Needs the split passes (see `train`). Default false.
   *
   * @since 0.5.0
   */
  readonly testUntilBelow?: boolean
}

/** An evaluation, with the weights at that step (valid only during the callback). */
export interface EvalReport {
  readonly step: number
  readonly train: Evaluation
  readonly test: Evaluation
  readonly grokStep: number | null
  readonly params: Params
  readonly state: TrainState
  /**
   * Tensors the loop holds during the callback for the next step (its loss and gradients, whose pass gave this
   * evaluation's training-set results; 0 when none): `tf.memory().numTensors − heldTensors` is what a run holds
   * between steps.
   *
   * @since 0.5.0
   */
  readonly heldTensors: number
  /**
   * False when the test set's evaluation stopped early (`LoopOptions.testUntilBelow`): `test.accuracy` is then a lower
   * bound below the grok threshold and `test.loss` NaN.
   *
   * @since 0.5.0
   */
  readonly testComplete: boolean
}

/** A callback's answer: `'stop'` ends the run after this step. */
export type LoopAnswer = void | 'stop' | Promise<void | 'stop'>

/**
 * What the loop tells its caller; either callback may answer `'stop'`. At a step
 * that is evaluated, `onEval` comes first, then `onStep` (unless `onEval` stopped
 * the run): a checkpoint saved in `onStep` comes after that step's evaluation was
 * reported. The state is valid only during the callback (the loop frees it).
 */
export interface LoopCallbacks {
  readonly onStep?: (step: number, state: TrainState) => LoopAnswer
  readonly onEval?: (report: EvalReport) => LoopAnswer
}

export type StopReason = 'max-steps' | 'grokked' | 'callback'

export interface LoopResult {
  /** The final state; the caller owns it. */
  readonly state: TrainState
  readonly grokStep: number | null
  readonly stoppedBy: StopReason
}

// ─────────────────────────────────────────────────────────────────────────────
// constants
// ─────────────────────────────────────────────────────────────────────────────

/** The paper's step budget: 3·10⁵ full-batch steps. */
export const PAPER_MAX_STEPS = 300_000

/** Evaluate every 100 steps. */
export const PAPER_EVAL_EVERY = 100

/** Stop 2000 steps after the first step that groks. */
export const PAPER_STOP_AFTER_GROK = 2000

/** The test accuracy (of every operation) that counts as grokked: the paper's 0.99. */
export const GROK_THRESHOLD = 0.99

/** The paper's loop settings with this optimiser: `PAPER_MAX_STEPS`, `PAPER_EVAL_EVERY`, `PAPER_STOP_AFTER_GROK`, `GROK_THRESHOLD`. */
export const defaultLoopOptions = (optimizer: OptimizerOptions): LoopOptions => ({
  optimizer,
  maxSteps: PAPER_MAX_STEPS,
  evalEvery: PAPER_EVAL_EVERY,
  stopAfterGrok: PAPER_STOP_AFTER_GROK,
  grokThreshold: GROK_THRESHOLD,
  grokStep: null,
})

// ─────────────────────────────────────────────────────────────────────────────
// loop
// ─────────────────────────────────────────────────────────────────────────────

/** Whether every operation's test accuracy reaches the threshold. */
export const hasGrokked = (test: Evaluation, threshold: number): boolean => test.perOp.every((m) => !(m.accuracy < threshold))

const evaluateBoth = async (
  c: ModelConfig,
  data: TrainData,
  params: Params,
  source: EvaluationSource | undefined,
): Promise<{ train: Evaluation; test: Evaluation }> => {
  if (source === undefined) {
    return {
      train: evaluate(c, params, data.train, data.trainOps, data.nOps),
      test: evaluate(c, params, data.test, data.testOps, data.nOps),
    }
  }
  const r = await source.perExample(params)
  return { train: summarize(r.train, data.trainOps, data.nOps), test: summarize(r.test, data.testOps, data.nOps) }
}

/**
 * Where a loop's passes come from: each step's gradients, and (`split`, when the sources can do it) the same pass
 * with the training set's per-example results and the evaluation of one set on its own.
 */
interface Passes {
  readonly gradients: (params: Params) => Promise<{ loss: tf.Scalar; grads: Params }>
  readonly split: {
    readonly withExamples: (params: Params) => Promise<LossGradsAndExamples>
    /** One set's evaluation; with `maxWrong`, it may stop once more than that many examples are wrong. */
    readonly evaluate: (params: Params, set: 'train' | 'test', maxWrong?: number) => Promise<{ e: Evaluation; complete: boolean }>
  } | null
}

const passesOf = (c: ModelConfig, data: TrainData, o: LoopOptions): Passes => {
  const { gradients, evaluations } = o
  const ops = (set: 'train' | 'test') => (set === 'train' ? data.trainOps : data.testOps)
  const summarized = (set: 'train' | 'test', r: PartialResults) => ({ e: summarize(r, ops(set), data.nOps), complete: r.complete })
  if (gradients === undefined && evaluations === undefined) {
    const local = (params: Params, set: 'train' | 'test', maxWrong?: number): PartialResults => {
      const batch = data[set]
      if (maxWrong === undefined || !isChunked(batch)) return { ...evaluatePerExample(c, params, batch), complete: true }
      let wrong = 0
      return evaluateUntil(c, params, batch, batch.chunkSize, (w) => (wrong += w) > maxWrong)
    }
    return {
      gradients: (params) => Promise.resolve(lossAndGradsChunked(c, params, data.train)),
      split: {
        withExamples: (params) => Promise.resolve(lossGradsAndExamples(c, params, data.train)),
        evaluate: (params, set, maxWrong) => Promise.resolve(summarized(set, local(params, set, maxWrong))),
      },
    }
  }
  const withExamples = gradients?.lossGradsAndExamples
  const perExampleOf = evaluations?.perExampleOf
  return {
    gradients: (params) =>
      gradients === undefined ? Promise.resolve(lossAndGradsChunked(c, params, data.train)) : gradients.lossAndGrads(params),
    split:
      withExamples === undefined || perExampleOf === undefined
        ? null
        : { withExamples, evaluate: async (params, set, maxWrong) => summarized(set, await perExampleOf(params, set, maxWrong)) },
  }
}

/**
 * Trains from `initial` (which the loop takes over and frees) until a stop rule
 * fires. Evaluates the initial state when `evaluateStart` (reported through `onEval`
 * only: no step was taken), at every multiple of `evalEvery` and at the last step;
 * reports every step, after its evaluation.
 *
 * In full-batch training the next step's forward pass sees the weights an evaluation
 * sees: when another step follows an evaluation (not at the last step or a grokked
 * run's end), the training set's loss and accuracy are taken from that step's pass
 * (its per-example results, as `evaluatePerExample` gives them) before its update,
 * not from a second pass; the test set is evaluated on its own. This needs both passes
 * computed here, or a `gradients` source with `lossGradsAndExamples` and an
 * `evaluations` source with `perExampleOf`; otherwise (and where no step follows) the
 * training set is evaluated on its own as before. A callback that stops the run at such
 * an evaluation costs the next step's pass, which is then discarded.
 */
export const train = async (
  c: ModelConfig,
  data: TrainData,
  initial: TrainState,
  o: LoopOptions,
  cb: LoopCallbacks = {},
): Promise<LoopResult> => {
  let state = initial
  let grokStep = o.grokStep
  let stoppedBy: StopReason = 'max-steps'
  const done = () => grokStep !== null && o.stopAfterGrok !== null && state.step >= grokStep + o.stopAfterGrok
  if (done()) return { state, grokStep, stoppedBy: 'grokked' }
  const passes = passesOf(c, data, o)
  // The initial state is evaluated (when asked) but not reported as a step; every later state is a step's.
  for (let first = true; ; first = false) {
    const due = first ? o.evaluateStart === true : state.step % o.evalEvery === 0 || state.step === o.maxSteps
    // The next step's pass, when it also gave this evaluation's training-set results.
    let pass: { loss: tf.Scalar; grads: Params } | null = null
    let answer: void | 'stop' = undefined
    if (due) {
      let evaluation: { train: Evaluation; test: Evaluation }
      let testComplete = true
      const split = passes.split
      if (split !== null) {
        const follows = state.step < o.maxSteps
        const early = o.testUntilBelow === true && follows && grokStep === null
        const t = await split.evaluate(state.params, 'test', early ? maxWrongAbove(data.test.size, o.grokThreshold) : undefined)
        testComplete = t.complete
        if (grokStep === null && t.complete && hasGrokked(t.e, o.grokThreshold)) grokStep = state.step
        if (follows && (first || !done())) {
          const r = await split.withExamples(state.params)
          pass = r
          evaluation = { train: summarize(r.train, data.trainOps, data.nOps), test: t.e }
        } else {
          evaluation = { train: (await split.evaluate(state.params, 'train')).e, test: t.e }
        }
      } else {
        evaluation = await evaluateBoth(c, data, state.params, o.evaluations)
        if (grokStep === null && hasGrokked(evaluation.test, o.grokThreshold)) grokStep = state.step
      }
      const heldTensors = pass === null ? 0 : 1 + Object.keys(pass.grads).length
      answer = await cb.onEval?.({ step: state.step, ...evaluation, grokStep, params: state.params, state, heldTensors, testComplete })
    }
    if (!first && answer !== 'stop') answer = await cb.onStep?.(state.step, state)
    const stop: StopReason | null =
      answer === 'stop' ? 'callback' : !first && done() ? 'grokked' : state.step >= o.maxSteps ? 'max-steps' : null
    if (stop !== null) {
      if (pass !== null) tf.dispose([pass.loss, ...Object.values(pass.grads)])
      stoppedBy = stop
      break
    }
    pass ??= await passes.gradients(state.params)
    const next = optimizerStep(o.optimizer, state, pass.grads)
    tf.dispose([pass.loss, ...Object.values(pass.grads)])
    disposeTrainState(state)
    state = next
  }
  return { state, grokStep, stoppedBy }
}

/**
 * Training a run into a folder, for any Node program: `runTraining(config, dir, hooks)` checks the
 * folder, locks it, starts the run (or resumes it from its last checkpoint), trains it with the
 * run's settings over worker threads within a memory budget (`trainSession` of `@grokscope/runs`,
 * its sinks writing the folder crash-safely: see RunFolder.ts), writes summary.json and curves.svg,
 * and releases the lock. `train`, every run of a sweep, and tests train through it.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { PAPER_SETTINGS, makeRunConfig } from '@grokscope/runs'
 * import { runTraining } from '@grokscope/node'
 * const config = makeRunConfig({ ...PAPER_SETTINGS, ops: ['add'], p: 23, frac: 0.5, seed: 0, steps: 200 })
 * if (E.isRight(config)) {
 *   const r = await runTraining(config.right, 'runs/add-p23', { onEvaluation: (record) => console.log(record.step, record.test_acc) })
 *   console.log(r.summary.grokked)
 * }
 *
 * @since 0.2.0
 */
import { existsSync, statSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import * as tf from '@tensorflow/tfjs-core'
import { makeDataset } from '@grokscope/data'
import { disposeParams, initParams, measureFootprint, transferProblem } from '@grokscope/model'
import {
  EMPTY_LOG,
  type MetricsRecord,
  type RunConfig,
  type SessionStart,
  type SourceModel,
  type Summary,
  configDifference,
  initialState,
  trainSession,
} from '@grokscope/runs'
import { disposeTrainData, disposeTrainState, prepareTrainData } from '@grokscope/train'
import { initBackend } from './Backend.js'
import { UsageError, orUsageError } from './Errors.js'
import { lockRun } from './Lock.js'
import { DEFAULT_MEMORY_MIB, type MemoryPlan, allPairsRefusal, memoryPlan } from './Memory.js'
import { loadModel } from './ModelFile.js'
import { checkNewRunFolder } from './Outputs.js'
import { startPool } from './Pool.js'
import { writeCurves } from './Report.js'
import {
  type RunFolder,
  appendMetrics,
  createRun,
  holdsRun,
  keepHistoryUpTo,
  keepMetricsUpTo,
  readConfig,
  readMetrics,
  readState,
  readSummary,
  removeStartMarker,
  removeStrayTemps,
  runFolder,
  saveCheckpoint,
  saveHistory,
  writeConfig,
  writeSummary,
} from './RunFolder.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** What a caller hears of a training run, and how it stops one. */
export interface TrainingHooks {
  /** An evaluation was recorded, with this session's steps per second. */
  readonly onEvaluation?: (r: MetricsRecord, stepsPerS: number) => void
  /** A step was taken. */
  readonly onStep?: (step: number) => void
  /** Asked after every step: true stops the run there, as at Ctrl-C (a checkpoint, summary.json `interrupted`; a later call resumes it). */
  readonly shouldStop?: () => boolean
  /** A one-line warning (a torn last metrics line dropped on resume). */
  readonly onWarning?: (message: string) => void
}

/** How a run is trained (none of it changes the results but float32 summation order). */
export interface TrainingOptions {
  /** Threads for the training step and the evaluations (the main one and workers): default 1. */
  readonly threads?: number
  /** The memory budget of the whole process, MiB (`DEFAULT_MEMORY_MIB`). */
  readonly memoryMiB?: number
  /** `new`: the folder must hold no run; `resume`: it must; `auto` (default): resume the run there, else start one. */
  readonly start?: 'new' | 'resume' | 'auto'
  /** `take` (default): lock the folder for the run; `held`: the caller holds its lock (a sweep, which locks each run before it decides). */
  readonly lock?: 'take' | 'held'
}

/** How a training run ended. */
export interface TrainingResult {
  readonly dir: string
  /** The run's config (a resumed run's, as saved, with the new budget). */
  readonly config: RunConfig
  readonly resumed: boolean
  readonly interrupted: boolean
  readonly summary: Summary
}

/** What the folder holds and what training it means; nothing is written. */
interface Prepared {
  readonly run: RunFolder
  readonly config: RunConfig
  readonly resume: boolean
  /** A resumed run's budget differs from the saved one: config.json is written again. */
  readonly newBudget: boolean
  readonly source: SourceModel | null
}

// ─────────────────────────────────────────────────────────────────────────────
// preparing (nothing is written)
// ─────────────────────────────────────────────────────────────────────────────

/** The model a new run loads parts from (its config's `transfer.source`), read and checked against the run's model. */
const sourceModel = (config: RunConfig): SourceModel | null => {
  const source = config.transfer?.source ?? null
  if (source === null) return null
  const model = loadModel(source)
  const problem = transferProblem(config.model, model.config, config.transfer?.loaded ?? [])
  if (problem !== null) throw new UsageError(`--init-from: ${model.file}: ${problem}`)
  return { config: model.config, ops: model.task.ops.map((op) => op.id), host: model.host }
}

/**
 * The run in `dir` and how to train it: a new run (the folder absent, empty or an interrupted start) or the saved run
 * with `config`'s budget.
 */
const prepare = (config: RunConfig, dir: string, start: 'new' | 'resume' | 'auto'): Prepared => {
  const run = runFolder(dir)
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`--out: ${dir} exists and is not a folder`)
  const existing = holdsRun(run)
  if (existing && start === 'new') {
    throw new UsageError(`${dir} already holds a run (pass --resume to continue it, or choose another --out)`)
  }
  if (!existing && start === 'resume') throw new UsageError(`--resume: ${dir} holds no run to resume (no ${run.file.config})`)
  if (!existing) {
    checkNewRunFolder(dir)
    return { run, config, resume: false, newBudget: false, source: sourceModel(config) }
  }
  const saved = readConfig(run)
  const difference = configDifference(saved, config)
  if (difference !== null) {
    throw new UsageError(`${dir} holds a run with other settings (${difference}); resume it with its own, or choose another folder`)
  }
  const summary = readSummary(run)
  if (E.isRight(summary) && summary.right?.stopped_by === 'diverged') {
    throw new UsageError(
      `--resume: ${dir} diverged at step ${summary.right.diverged_step ?? summary.right.steps} (its loss or weights were not finite; ` +
        `state.json holds the last finite checkpoint, from which it would diverge again): train it anew with other settings ` +
        `(e.g. a smaller --lr) into another --out`,
    )
  }
  const maxSteps = config.loop.max_steps
  return {
    run,
    config: { ...saved, loop: { ...saved.loop, max_steps: maxSteps } },
    resume: true,
    newBudget: maxSteps !== saved.loop.max_steps,
    source: null,
  }
}

/** The memory plan for the run's model and threads, refused up front (before anything is written) when it cannot fit. */
const planMemory = async (config: RunConfig, threads: number, budget: number): Promise<MemoryPlan> => {
  const { model: c, task, loop } = config
  if ((loop.measure_every ?? 0) > 0) {
    const refusal = allPairsRefusal('--measure-every', budget, task.p, c.nOut, c.dMlp, true)
    if (refusal !== null) throw new UsageError(refusal.replace(', or a smaller p)', ', a smaller p, or --measure-every 0)'))
  }
  const probe = initParams(c, 0)
  const footprint = await measureFootprint(c, probe)
  disposeParams(probe)
  const m = memoryPlan(budget, threads, footprint)
  if (typeof m === 'string') throw new UsageError(m)
  return m
}

// ─────────────────────────────────────────────────────────────────────────────
// starting
// ─────────────────────────────────────────────────────────────────────────────

/**
 * Reads a run to resume (every file is decoded before one is changed: weights.json too, which must be the run's, as the
 * checkpoints replace it), then drops the metrics and the weights history after its checkpoint.
 */
const resumeRun = (p: Prepared, warn: (message: string) => void): SessionStart => {
  if (existsSync(p.run.file.weights)) loadModel(p.run.file.weights)
  const state = readState(p.run, p.config)
  let log = EMPTY_LOG
  try {
    log = readMetrics(p.run)
  } catch (e) {
    disposeTrainState(state)
    throw e
  }
  if (log.warning !== null) warn(log.warning)
  removeStrayTemps(p.run)
  removeStartMarker(p.run)
  // A new budget is the run's from now on.
  if (p.newBudget) writeConfig(p.run, p.config)
  keepHistoryUpTo(p.run.dir, state.step)
  return { state, records: keepMetricsUpTo(p.run, log, state.step).records, resumed: true }
}

/** Writes a new run folder (its start marker first, config.json last: `createRun`) and gives its step-0 state. */
const newRun = (p: Prepared): SessionStart => {
  const state = orUsageError(`--init-from: ${p.config.transfer?.source ?? ''}`)(initialState(p.config, p.source))
  createRun(p.run, p.config, state)
  return { state, records: [], resumed: false }
}

// ─────────────────────────────────────────────────────────────────────────────
// training
// ─────────────────────────────────────────────────────────────────────────────

/** Trains with the folder locked (by the caller, or here): the run is prepared again under the lock, then trained. */
const trainLocked = async (config: RunConfig, dir: string, hooks: TrainingHooks, o: Required<TrainingOptions>): Promise<TrainingResult> => {
  const p = prepare(config, dir, o.start)
  await initBackend()
  const memory = await planMemory(p.config, o.threads, o.memoryMiB)
  const warn = hooks.onWarning ?? (() => undefined)
  const start = p.resume ? resumeRun(p, warn) : newRun(p)
  const { task, model: c } = p.config
  const dataset = makeDataset(task)
  const data = prepareTrainData(c, dataset, memory.evalChunk)
  const pool = await startPool(c, dataset, o.threads, { step: memory.stepChunk, evaluation: memory.evalChunk })
  // The worker threads keep the process alive: they are stopped whatever happens.
  try {
    const end = await trainSession(
      p.config,
      start,
      {
        dataset,
        data,
        gradients: pool,
        evaluations: pool,
        chunk: memory.evalChunk,
        now: () => performance.now(),
        backend: tf.getBackend(),
        threads: pool.threads,
      },
      {
        record: (r) => appendMetrics(p.run, r),
        history: (step, host) => saveHistory(dir, p.config, step, host),
        checkpoint: (state) => saveCheckpoint(p.run, p.config, state),
        progress: (r, stepsPerS) => hooks.onEvaluation?.(r, stepsPerS),
        step: async (step) => {
          hooks.onStep?.(step)
          // Let a signal's handler run now and then.
          if (step % 10 === 0) await new Promise((resolve) => setImmediate(resolve))
          return hooks.shouldStop?.() === true ? 'stop' : undefined
        },
      },
    )
    writeSummary(p.run, end.summary)
    if (end.records.length > 0) writeCurves(dir, undefined, warn)
    disposeTrainState(end.state)
    return { dir, config: p.config, resumed: p.resume, interrupted: end.interrupted, summary: end.summary }
  } finally {
    disposeTrainData(data)
    await pool.close()
  }
}

/**
 * Trains the run of `config` in the folder `dir`: a new run, or (`start` `resume` or `auto`) the run
 * already there continued from its last checkpoint with `config`'s step budget (its other settings
 * must be the same). A problem with the config or the folder is a `UsageError` before anything is
 * written; another process writing the folder is refused (its lock). Resolves when a stop rule fires
 * or `hooks.shouldStop` says so.
 */
export const runTraining = async (
  config: RunConfig,
  dir: string,
  hooks: TrainingHooks = {},
  options: TrainingOptions = {},
): Promise<TrainingResult> => {
  const o: Required<TrainingOptions> = { threads: 1, memoryMiB: DEFAULT_MEMORY_MIB, start: 'auto', lock: 'take', ...options }
  if (o.lock === 'held') return trainLocked(config, dir, hooks, o)
  prepare(config, dir, o.start)
  const lock = lockRun(dir)
  try {
    return await trainLocked(config, dir, hooks, o)
  } finally {
    lock.release()
  }
}

// grokscope train: flags → run config → run folder; the loop's callbacks record
// metrics, show progress and save checkpoints; Ctrl-C stops at the next step.
import { existsSync, statSync } from 'node:fs'
import * as tf from '@tensorflow/tfjs-core'
import { type MetricsRecord, grokOutcome, metricsRecord, recordPhases, trainPairLabels } from '@grokscope/analysis'
import { checkedDataset, makeDataset } from '@grokscope/data'
import { type Params, disposeParams, fromHost, initParams, mapParams, measureFootprint, toHost, transferParams, transferProblem } from '@grokscope/model'
import { type TrainState, disposeTrainData, disposeTrainState, initTrainState, prepareTrainData, train } from '@grokscope/train'
import { initBackend } from '../backend.js'
import { UsageError, orUsageError } from '../files.js'
import { fixed, oneLine } from '../format.js'
import { LOCK_ENV, lockRun } from '../lock.js'
import { HISTORY_DIR, keepHistoryUpTo, saveHistory } from '../history.js'
import { DEFAULT_MEMORY_MIB, type MemoryPlan, allPairsRefusal, memoryPlan } from '../memory.js'
import { type LoadedModel, loadModel } from '../model-file.js'
import { checkNewRunFolder } from '../outputs.js'
import { startPool } from '../parallel.js'
import { watchParent } from '../parent.js'
import { progressMode, progressView } from '../progress.js'
import { type RunConfig, type TrainFlags, defaultRunDir, runConfigFromFlags } from '../run-config.js'
import {
  FILES,
  type MetricsLog,
  type RunFolder,
  appendMetrics,
  createRun,
  holdsRun,
  keepMetricsUpTo,
  readConfig,
  readMetrics,
  readState,
  recordedGrokStep,
  removeStrayTemps,
  runFolder,
  runSummary,
  saveCheckpoint,
  writeConfig,
  writeSummary,
} from '../run-folder.js'
import { plotRun } from './plot.js'

export type { TrainFlags } from '../run-config.js'

/** Where training starts: the state, and the metrics recorded up to it. */
interface Start {
  readonly state: TrainState
  readonly log: MetricsLog
}

/** The run folder and its config, checked against the flags; nothing is written. */
const plan = (f: TrainFlags): { run: RunFolder; config: RunConfig; resume: boolean; newBudget: boolean; source: LoadedModel | null } => {
  const fresh = orUsageError()(runConfigFromFlags(f))
  const run = runFolder(f.out ?? defaultRunDir(fresh))
  if (existsSync(run.dir) && !statSync(run.dir).isDirectory()) throw new UsageError(`--out: ${run.dir} exists and is not a folder`)
  const existing = holdsRun(run)
  if (!existing && f.resume !== true) checkNewRunFolder(run.dir)
  if (existing && f.resume !== true) throw new UsageError(`${run.dir} already holds a run (pass --resume to continue it, or choose another --out)`)
  if (!existing && f.resume === true) throw new UsageError(`--resume: ${run.dir} holds no run to resume (no ${FILES.config})`)
  if (!existing) {
    orUsageError(`--${f.ops !== undefined ? 'ops' : 'op'}`)(checkedDataset(fresh.task))
    return { run, config: fresh, resume: false, newBudget: false, source: transferSource(fresh) }
  }
  const saved = readConfig(run)
  const maxSteps = f.steps ?? saved.loop.max_steps
  return { run, config: { ...saved, loop: { ...saved.loop, max_steps: maxSteps } }, resume: true, newBudget: maxSteps !== saved.loop.max_steps, source: null }
}

/** Reads a run to resume (every file is decoded before one is changed), then drops the metrics and the weights history after its checkpoint. */
const resumeRun = (run: RunFolder, config: RunConfig, newBudget: boolean): Start => {
  const state = readState(run, config)
  let log: MetricsLog
  try {
    log = readMetrics(run)
  } catch (e) {
    disposeTrainState(state)
    throw e
  }
  if (log.warning !== null) process.stderr.write(`grokscope: warning: ${oneLine(log.warning)}\n`)
  removeStrayTemps(run)
  // A new budget (--steps) is the run's from now on.
  if (newBudget) writeConfig(run, config)
  keepHistoryUpTo(run.dir, state.step)
  return { state, log: keepMetricsUpTo(run, log, state.step) }
}

/** The model a new run loads parts from (`--init-from`), read and checked against the run's model; nothing is written. */
const transferSource = (config: RunConfig): LoadedModel | null => {
  const source = config.transfer?.source ?? null
  if (source === null) return null
  const model = loadModel(source)
  const problem = transferProblem(config.model, model.config, config.transfer?.loaded ?? [])
  if (problem !== null) throw new UsageError(`--init-from: ${model.file}: ${problem}`)
  return model
}

/** These weights times `scale` (Omnigrok's initial scale), taking ownership of them; the same weights when it is 1. */
export const scaledParams = (params: Params, scale: number): Params => {
  if (scale === 1) return params
  const scaled = mapParams(params, (t) => tf.mul(t, scale))
  disposeParams(params)
  return scaled
}

/** The seeded initialisation, times `init_scale` (Omnigrok) when it is not 1. */
const seededParams = (config: RunConfig): Params => scaledParams(initParams(config.model, config.task.seed), config.init_scale ?? 1)

/** A new run's initial weights: seeded (and scaled), with the loaded parts copied from the source (not scaled). */
const initialParams = (config: RunConfig, source: LoadedModel | null): Params => {
  const fresh = seededParams(config)
  if (source === null) return fresh
  try {
    const copied = transferParams(
      { config: config.model, ops: config.task.ops.map((op) => op.id), host: toHost(fresh) },
      { config: source.config, ops: source.task.ops.map((op) => op.id), host: source.host },
      config.transfer?.loaded ?? [],
    )
    return fromHost(config.model, orUsageError(`--init-from: ${source.file}`)(copied))
  } finally {
    disposeParams(fresh)
  }
}

/** Writes a new run folder (the step-0 weights history first when it is kept, config.json last) and gives its step-0 state. */
const newRun = (run: RunFolder, config: RunConfig, source: LoadedModel | null): Start => {
  const state = initTrainState(initialParams(config, source), config.optimizer)
  if (config.loop.save_every !== undefined) saveHistory(run.dir, config, 0, toHost(state.params))
  createRun(run, config, state)
  return { state, log: { records: [], lines: [], warning: null } }
}

/** The memory plan for the run's model and threads, refused up front (before anything is written) when it cannot fit. */
const planMemory = async (f: TrainFlags, config: RunConfig): Promise<MemoryPlan> => {
  const budget = f.memory ?? DEFAULT_MEMORY_MIB
  const { model: c, task, loop } = config
  if ((loop.measure_every ?? 0) > 0) {
    const refusal = allPairsRefusal('--measure-every', budget, task.p, c.nOut, c.dMlp)
    if (refusal !== null) throw new UsageError(`${refusal.replace(', or a smaller p)', ', a smaller p, or --measure-every 0)')}`)
  }
  const probe = initParams(c, 0)
  const footprint = await measureFootprint(c, probe)
  disposeParams(probe)
  const m = memoryPlan(budget, f.threads, footprint)
  if (typeof m === 'string') throw new UsageError(m)
  return m
}

/**
 * Trains with the run folder locked: a second writer of the folder is refused; a sweep's worker
 * takes the lock the sweep hands it, and stops (as at Ctrl-C) when the sweep is gone.
 */
export const trainCommand = async (f: TrainFlags): Promise<void> => {
  const unwatch = watchParent(process.env, () => process.kill(process.pid, 'SIGINT'))
  const lock = lockRun(plan(f).run.dir, process.env[LOCK_ENV])
  try {
    await trainLocked(f)
  } finally {
    lock.release()
    unwatch()
  }
}

/** Trains, the run folder locked: the plan is made again now that no other process can change the folder. */
const trainLocked = async (f: TrainFlags): Promise<void> => {
  const { run, config, resume, newBudget, source } = plan(f)
  await initBackend()
  const memory = await planMemory(f, config)
  const start = resume ? resumeRun(run, config, newBudget) : newRun(run, config, source)
  const { task, model: c, loop } = config
  const dataset = makeDataset(task)
  const data = prepareTrainData(c, dataset, memory.evalChunk)
  const pool = await startPool(c, dataset, f.threads, { step: memory.stepChunk, evaluation: memory.evalChunk })
  // The worker threads keep the process alive: they are stopped whatever happens.
  try {
    const startStep = start.state.step
    const modelOps = task.ops.map((op) => ({ id: op.id, op }))
    const measureEvery = loop.measure_every ?? 0
    const saveEvery = loop.save_every ?? null
    const view = progressView(progressMode(f.progress, process.stderr), process.stderr, loop.max_steps, startStep)
    let interrupted = false
    const onSigint = () => {
      interrupted = true
    }
    process.on('SIGINT', onSigint)
    const t0 = performance.now()
    const trainLabels = measureEvery > 0 ? trainPairLabels(dataset.train.tokens, dataset.train.labels, task.p, task.ops.length) : undefined
    const records: MetricsRecord[] = [...start.log.records]
    let last = start.log.records.at(-1) ?? null
    let saved: number | null = null
    let grokkedNow: number | null = null
    let historyAt: number | null = null
    // The weights history of a step comes after its metrics line and before its checkpoint.
    const keepHistory = (step: number, state: TrainState) => {
      if (saveEvery === null || historyAt === step) return
      saveHistory(run.dir, config, step, toHost(state.params))
      historyAt = step
    }
    const result = await train(
      c,
      data,
      start.state,
      {
        optimizer: config.optimizer,
        maxSteps: loop.max_steps,
        evalEvery: loop.eval_every,
        stopAfterGrok: loop.stop_after_grok,
        grokThreshold: loop.grok_threshold,
        grokStep: recordedGrokStep(start.log.records),
        gradients: pool,
        evaluations: pool,
        // A new run's first record is of its initial weights (a resumed run at step 0 may have it already).
        evaluateStart: startStep === 0 && start.log.records.length === 0,
      },
      {
        onEval: (r) => {
          const elapsed = (performance.now() - t0) / 1000
          last = metricsRecord({
            ...r,
            host: toHost(r.params),
            config: c,
            p: task.p,
            ops: modelOps,
            seed: task.seed,
            measureLogits: measureEvery > 0 && r.step % measureEvery === 0,
            chunk: memory.evalChunk,
            ...(trainLabels === undefined ? {} : { trainLabels }),
            elapsedS: elapsed,
            numTensors: tf.memory().numTensors,
          })
          appendMetrics(run, last)
          records.push(last)
          if (r.grokStep === r.step) grokkedNow = r.step
          view.evaluation(last, (r.step - startStep) / Math.max(elapsed, 1e-9))
        },
        // After the step's evaluation: the checkpoint comes after its metrics line.
        onStep: async (step, state) => {
          view.step(step)
          if (saveEvery !== null && (step % saveEvery === 0 || step === grokkedNow)) keepHistory(step, state)
          if (step % loop.checkpoint_every === 0) {
            saveCheckpoint(run, config, state)
            saved = step
          }
          if (step % 10 === 0) await new Promise((r) => setImmediate(r)) // let SIGINT through
          return interrupted ? 'stop' : undefined
        },
      },
    )
    view.stop()
    process.off('SIGINT', onSigint)
    const state = result.state
    const wall = (performance.now() - t0) / 1000
    keepHistory(state.step, state)
    if (saved !== state.step) saveCheckpoint(run, config, state)
    writeSummary(run, {
      ...runSummary({
        interrupted,
        stoppedBy: result.stoppedBy,
        grokStep: result.grokStep,
        steps: state.step,
        resumedFrom: resume ? startStep : null,
        last,
        outcome: grokOutcome(records, loop.grok_threshold),
        wallTimeS: wall,
        stepsRun: state.step - startStep,
        backend: tf.getBackend(),
        threads: pool.threads,
        transfer: config.transfer ?? null,
      }),
      phases: recordPhases(records, loop.grok_threshold),
    })
    if (last !== null) plotRun(run.dir)
    disposeTrainState(state)
    disposeTrainData(data)
    const verdict = result.grokStep !== null ? `grokked at step ${result.grokStep}` : 'did not grok'
    process.stdout.write(
      `${interrupted ? 'interrupted' : 'done'}: ${task.ops.map((op) => op.id).join(', ')} mod ${task.p}, ${verdict}; ${state.step} steps in ${wall.toFixed(1)} s` +
        `${last === null ? '' : `; W_E FFD ${fixed(last.W_E.ffd, 3)} FCR ${fixed(last.W_E.fcr, 3)}`}\n` +
        `results in ${run.dir}/ (${FILES.summary}, ${FILES.metrics}, ${FILES.weights}, ${FILES.curves}${saveEvery === null ? '' : `, ${HISTORY_DIR}/`})${interrupted ? `; continue with --resume --out ${run.dir}` : ''}\n`,
    )
    if (interrupted) process.exitCode = 130
  } finally {
    await pool.close()
  }
}

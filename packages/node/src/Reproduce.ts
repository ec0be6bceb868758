/**
 * A reproduction's evidence for any Node program: `runEvidence` reads a planned run's folder into the evidence the
 * claims' rules read (`evidenceOf` and `weightEvidence` of `@grokscope/runs`), and `measureMsPerStep` times a run's
 * training step, for a plan's cost. The rules and the plan are the libraries'; this module reads files.
 *
 * @example
 * import { plannedRun } from '@grokscope/runs'
 * import { runEvidence } from '@grokscope/node'
 * declare const config: import('@grokscope/runs').RunConfig  // a run of sweeps/s1
 * const e = await runEvidence(plannedRun(config), 'sweeps/s1/add-p31-r0.5-s0', 'ops', 'scratch')
 * console.log(e.finished, e.grokStep, e.measures?.ffdWE)
 *
 * @since 0.4.0
 */
import { existsSync } from 'node:fs'
import * as tf from '@tensorflow/tfjs-core'
import { makeDataset } from '@grokscope/data'
import { disposeParams, fromHost, initParams, measureFootprint } from '@grokscope/model'
import {
  type MetricsRecord,
  type PlannedRun,
  type RunConfig,
  type RunEvidence,
  type Summary,
  type TransferKind,
  type WeightEvidence,
  evidenceOf,
  evidenceStep,
  grokkedAndStayed,
  initialState,
  weightEvidence,
} from '@grokscope/runs'
import { disposeTrainState, trainStepWith } from '@grokscope/train'
import { initBackend } from './Backend.js'
import { quantile } from './Bench.js'
import { UsageError, orUsageError } from './Errors.js'
import { DEFAULT_MEMORY_MIB, memoryPlan } from './Memory.js'
import { type LoadedModel, loadModel } from './ModelFile.js'
import { startPool } from './Pool.js'
import { historyFile, readMetrics, readSummary, runFolder } from './RunFolder.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** How evidence is read: the memory budget of the all-pairs forward passes, and where a run's problems go (one line each). */
export interface EvidenceOptions {
  readonly memoryMiB?: number
  readonly onWarning?: (message: string) => void
}

/** What a run folder says of how the run ended. */
interface Outcome {
  readonly summary: Summary | null
  readonly records: ReadonlyArray<MetricsRecord>
}

// ─────────────────────────────────────────────────────────────────────────────
// evidence
// ─────────────────────────────────────────────────────────────────────────────

/** A problem with one run's files, as a warning (the run then counts as not finished, or without measures). */
const attempt = <A>(fallback: A, warn: (message: string) => void, read: () => A): A => {
  try {
    return read()
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    warn(e.message)
    return fallback
  }
}

/** A run folder's summary and records: none when absent or unreadable (a warning), no records when not finished. */
const readOutcome = (dir: string, warn: (message: string) => void): Outcome =>
  attempt({ summary: null, records: [] }, warn, () => {
    const folder = runFolder(dir)
    const summary = orUsageError()(readSummary(folder))
    return { summary, records: summary?.status === 'finished' ? readMetrics(folder).records : [] }
  })

/** The measures of a loaded model, its all-pairs forward passes in chunks that fit the budget. */
const modelEvidence = async (model: LoadedModel, budgetMiB: number): Promise<WeightEvidence> => {
  await initBackend()
  const params = fromHost(model.config, model.host)
  const footprint = await measureFootprint(model.config, params)
  disposeParams(params)
  const plan = memoryPlan(budgetMiB, 1, footprint)
  if (typeof plan === 'string') throw new UsageError(plan)
  return weightEvidence(model.config, model.host, model.task.p, plan.evalChunk)
}

/**
 * A planned run's evidence from its folder `dir` (`evidenceOf` of `@grokscope/runs`): summary.json, metrics.jsonl, and
 * the weights whose measures the claims read, weights.json or (a run that grokked and fell back) the grok step's history
 * file. `source`: a transfer run's source run folder. A missing, unfinished or unreadable run is `finished: false`
 * evidence, never an exception; a problem with a file is a warning.
 */
export const runEvidence = async (
  run: PlannedRun,
  dir: string,
  stage: string,
  kind: TransferKind,
  source: string | null = null,
  o: EvidenceOptions = {},
): Promise<RunEvidence> => {
  const warn = o.onWarning ?? (() => undefined)
  const { summary, records } = readOutcome(dir, warn)
  const sourceGrokked = source === null ? null : (() => {
    const s = readOutcome(source, warn)
    return s.summary?.status === 'finished' && grokkedAndStayed(s.records)
  })()
  const input = { run, stage, transfer: kind, summary, records, sourceGrokked, measures: null, weightsAt: 'end' as const }
  if (summary?.status !== 'finished') return evidenceOf(input)
  const step = evidenceStep(records)
  const grokFile = step === null ? null : historyFile(dir, step)
  if (grokFile !== null && !existsSync(grokFile)) {
    warn(`${dir}: grokked at step ${step} and fell back, but keeps no weights of that step (${grokFile}): its measures are of the end's weights`)
  }
  const weightsAt = grokFile !== null && existsSync(grokFile) ? ('grok' as const) : ('end' as const)
  const file = weightsAt === 'grok' ? grokFile! : runFolder(dir).file.weights
  const model = attempt(null, warn, () => loadModel(file))
  const measures = model === null ? null : await modelEvidence(model, o.memoryMiB ?? DEFAULT_MEMORY_MIB)
  return evidenceOf({ ...input, measures, weightsAt })
}

// ─────────────────────────────────────────────────────────────────────────────
// cost
// ─────────────────────────────────────────────────────────────────────────────

/**
 * The median time of a full-batch training step of a run's config (its task, model and optimiser chain), over `threads`
 * threads within `memoryMiB`, from `steps` timed steps after one untimed: what a plan's cost is reckoned with.
 */
export const measureMsPerStep = async (
  config: RunConfig,
  options: { readonly threads?: number; readonly memoryMiB?: number } = {},
  steps = 5,
): Promise<number> => {
  await initBackend()
  const c = config.model
  const probe = initParams(c, 0)
  const plan = memoryPlan(options.memoryMiB ?? DEFAULT_MEMORY_MIB, options.threads ?? 1, await measureFootprint(c, probe))
  disposeParams(probe)
  if (typeof plan === 'string') throw new UsageError(plan)
  const start = orUsageError()(initialState(config, null))
  const pool = await startPool(c, makeDataset(config.task), options.threads ?? 1, { step: plan.stepChunk, evaluation: plan.evalChunk })
  let state = start
  try {
    const times: number[] = []
    for (let i = 0; i <= steps; i++) {
      const t0 = performance.now()
      const r = await trainStepWith(config.optimizer, state, pool)
      r.loss.dataSync()
      tf.dispose(r.loss)
      disposeTrainState(state)
      state = r.state
      if (i > 0) times.push(performance.now() - t0)
    }
    return quantile(times, 0.5)
  } finally {
    disposeTrainState(state)
    await pool.close()
  }
}

/**
 * `grokscope reproduce` for any Node program: `runReproduce` runs a reproduction's plan (`reproducePlan` of
 * `@grokscope/runs`) in a folder, each stage a sweep (`claimSweepFolder`, `runSweep`) in a sub-folder of its own, then
 * reads every planned run's evidence (`runEvidence`) and writes the claims (`judgeClaims`) as claims.json, claims.md
 * and claims.html, whatever is finished: a partial reproduction says which runs are not run. `measureMsPerStep` times
 * the plan's training step, for its cost. The rules, the plan and the report are the libraries'; this module reads
 * and writes files.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { reproducePlan } from '@grokscope/runs'
 * import { runReproduce } from '@grokscope/node'
 * const out = '/tmp/reproduction'
 * const plan = reproducePlan('quick', { ops: ['add', 'sub'], p: 7, steps: 60, seeds: [0] }, out)
 * if (E.isRight(plan)) {
 *   const r = await runReproduce(plan.right, out, { jobs: 2 }, (e) => console.log(e.kind))
 *   console.log(r.claims.claims.map((c) => `${c.id} ${c.verdict}`), r.files.md)
 * }
 *
 * @since 0.4.0
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import { makeDataset } from '@grokscope/data'
import { disposeParams, initParams, measureFootprint } from '@grokscope/model'
import { claimsHtml, claimsMarkdown } from '@grokscope/report'
import {
  type ClaimsDocument,
  type MetricsRecord,
  type PlannedRun,
  REPRODUCE_FILES,
  type ReproducePlan,
  type ReproduceStage,
  type RunConfig,
  type RunEvidence,
  type Summary,
  type TransferKind,
  type WeightEvidence,
  decodeReproduceDocument,
  evidenceOf,
  evidenceStep,
  grokkedAndStayed,
  initialState,
  judgeClaims,
  reproduceDifference,
  reproduceDocument,
  shareOf,
  weightEvidence,
} from '@grokscope/runs'
import { disposeTrainState, trainStepWith } from '@grokscope/train'
import { allPairsPlanOf } from './Analyze.js'
import { initBackend } from './Backend.js'
import { quantile } from './Bench.js'
import { UsageError, orUsageError } from './Errors.js'
import { createExclusive, readJson, writeJson } from './Files.js'
import { DEFAULT_MEMORY_MIB, allPairsRefusal, memoryPlan } from './Memory.js'
import { type LoadedModel, loadModel } from './ModelFile.js'
import { type OutputFile, checkOutputFile, checkReproduceFolder, writeOutput } from './Outputs.js'
import { startPool } from './Pool.js'
import { historyFile, readMetrics, readSummary, runFolder } from './RunFolder.js'
import { type SweepEvent, type SweepOptions, type SweepResult, claimSweepFolder, runSweep } from './Sweep.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** How evidence is read: the memory budget of the all-pairs forward passes, and where a run's problems go (one line each). */
export interface EvidenceOptions {
  readonly memoryMiB?: number
  readonly onWarning?: (message: string) => void
}

/** How a reproduction is run: the sweeps' options, and this process's share of each stage (default: all of it). */
export interface ReproduceOptions extends SweepOptions {
  readonly shard?: { readonly index: number; readonly count: number }
}

/** What happens in a reproduction, in order. */
export type ReproduceEvent =
  /** A stage starts: its sweep folder, and the runs of this share (`runs`) of which `ready` can be trained now. */
  | { readonly kind: 'stage'; readonly stage: ReproduceStage; readonly dir: string; readonly runs: number; readonly ready: number }
  /** A transfer run of this share is left for a later invocation: its source has not finished. */
  | { readonly kind: 'not ready'; readonly stage: ReproduceStage; readonly run: PlannedRun; readonly why: string }
  /** A run of a stage's sweep starts, reports an evaluation or ends (`runSweep`'s events). */
  | { readonly kind: 'sweep'; readonly stage: ReproduceStage; readonly event: SweepEvent }
  /** A planned run's evidence was read (`read` of `total`). */
  | { readonly kind: 'evidence'; readonly run: PlannedRun; readonly read: number; readonly total: number }
  /** A run's files could not be read as they should (it counts as not finished, or without measures). */
  | { readonly kind: 'warning'; readonly message: string }

/** How a reproduction ended, and the claims it wrote. */
export interface ReproduceResult {
  /** Each stage's sweep of this share (null: not run, as the stopped reproduction ended before it or none of it was ready). */
  readonly sweeps: ReadonlyArray<{ readonly stage: ReproduceStage['id']; readonly result: SweepResult | null }>
  /** Transfer runs of this share left for a later invocation: their source has not finished. */
  readonly notReady: number
  /** `shouldStop` said so before every run was done. */
  readonly stopped: boolean
  readonly claims: ClaimsDocument
  readonly files: { readonly [K in keyof typeof REPRODUCE_FILES]: string }
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
  const plan = await allPairsPlanOf(model, budgetMiB)
  return weightEvidence(model.config, model.host, model.task.p, plan.chunk, plan.mapClasses)
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

// ─────────────────────────────────────────────────────────────────────────────
// the reproduction
// ─────────────────────────────────────────────────────────────────────────────

/**
 * Creates reproduce.json in `out` (absent, empty or a reproduction folder), or checks that the folder's reproduction is
 * this one (a `UsageError` in one line saying how they differ). The shares of an array start at once: exactly one
 * creates the file.
 */
export const claimReproduceFolder = (out: string, plan: ReproducePlan): void => {
  checkReproduceFolder(out)
  const file = path.join(out, REPRODUCE_FILES.plan)
  const doc = reproduceDocument(plan)
  if (createExclusive(file, `${JSON.stringify(doc, null, 2)}\n`)) return
  const existing = orUsageError(file)(decodeReproduceDocument(readJson(file)))
  const difference = reproduceDifference(existing, doc)
  if (difference !== null) {
    throw new UsageError(`--out: ${out} holds a different reproduction (${difference}); rerun the command that made it, or choose another --out`)
  }
}

/** Whether a run folder holds a finished run (its summary says so). */
const isFinished = (dir: string): boolean => {
  const summary = readSummary(runFolder(dir))
  return summary._tag === 'Right' && summary.right?.status === 'finished'
}

/**
 * A transfer run's source: the stage that holds it (the nearest stage before the run's own whose plan has a run of that
 * name: `source`, or `ops` in a plan without a source stage) and its run folder; null for a run without a source.
 */
const sourceOf = (
  out: string,
  plan: ReproducePlan,
  stage: ReproduceStage,
  run: PlannedRun,
): { readonly stage: ReproduceStage; readonly dir: string } | null => {
  const name = stage.sources[run.name]
  const before = plan.stages.slice(0, plan.stages.indexOf(stage)).reverse()
  const holder = name === undefined ? undefined : before.find((s) => s.plan.runs.some((r) => r.name === name))
  return holder === undefined || name === undefined ? null : { stage: holder, dir: path.join(out, holder.folder, name) }
}

/**
 * The notes of the claims on what this reproduction did not run: runs not finished, by stage, the source stage (its runs
 * are what the transfer stage loads, not evidence of the claims), and a stop.
 */
const runNotes = (plan: ReproducePlan, evidence: ReadonlyArray<RunEvidence>, stopped: boolean): ReadonlyArray<string> => {
  const notes = plan.stages.flatMap((stage) => {
    const read = evidence.filter((e) => e.stage === stage.id)
    const missing = read.filter((e) => !e.finished).map((e) => e.name)
    const source =
      stage.id === 'source'
        ? [
            `${stage.folder}: the pre-grokked runs the transfer stage loads from (stopped at their grok step; not evidence of ` +
              `the claims themselves): ${read.filter((e) => e.grokStep !== null).length} of ${read.length} grokked`,
          ]
        : []
    if (missing.length === 0) return source
    const shown = `${missing.slice(0, 5).join(', ')}${missing.length > 5 ? `, … (${missing.length - 5} more)` : ''}`
    return [...source, `${stage.folder}: ${missing.length} of ${stage.plan.runs.length} planned runs not finished: ${shown}`]
  })
  return stopped ? [...notes, 'the reproduction was stopped before every run was done: rerun the same command to continue'] : notes
}

/** The claims' files, as output files: grokscope writes them itself, in the reproduction's folder. */
const claimsFile = (name: string): OutputFile => ({ flag: null, noun: 'claims', example: name, own: [name] })

/**
 * Everything `runReproduce` checks before it trains, and the files of the reproduction in `out`: the budget fits the
 * all-pairs analyses of the plan's p, the folder is this reproduction's (`claimReproduceFolder`: reproduce.json is
 * written when it is new) and the claims' files may be written. A problem is a `UsageError` in one line. A caller may
 * call it first, to refuse before it does anything else (`runReproduce` calls it again: it changes nothing then).
 */
export const prepareReproduction = (plan: ReproducePlan, out: string, memoryMiB: number = DEFAULT_MEMORY_MIB): ReproduceResult['files'] => {
  const model = plan.stages[0]?.plan.runs[0]?.config?.model
  const refusal = model === undefined ? null : allPairsRefusal('--memory', memoryMiB, plan.settings.p, model.nOut, model.dMlp)
  if (refusal !== null) throw new UsageError(refusal)
  claimReproduceFolder(out, plan)
  const files = {
    plan: path.join(out, REPRODUCE_FILES.plan),
    md: path.join(out, REPRODUCE_FILES.md),
    json: path.join(out, REPRODUCE_FILES.json),
    html: path.join(out, REPRODUCE_FILES.html),
  }
  for (const file of [files.md, files.json, files.html]) checkOutputFile(file, claimsFile(path.basename(file)))
  return files
}

/**
 * Runs this share of a reproduction's plan in `out` (the absolute folder the plan was made for): claims the folder
 * (reproduce.json), then each stage in order as a sweep in `<out>/<stage folder>` (`runSweep`: finished runs are kept,
 * interrupted ones resumed); a transfer run whose source has not finished is left for a later invocation. Then, however
 * the stages ended (`shouldStop`: as at Ctrl-C, resumable), reads every planned run's evidence and writes claims.json,
 * claims.md and claims.html (atomic). A folder that holds something else, another reproduction, or a budget too small
 * for the all-pairs analyses of the plan's p is a `UsageError` before anything is written.
 */
export const runReproduce = async (
  plan: ReproducePlan,
  out: string,
  o: ReproduceOptions = {},
  onEvent: (e: ReproduceEvent) => void = () => undefined,
  shouldStop: () => boolean = () => false,
): Promise<ReproduceResult> => {
  const memoryMiB = o.memoryMiB ?? DEFAULT_MEMORY_MIB
  const files = prepareReproduction(plan, out, memoryMiB)
  const shard = o.shard ?? { index: 0, count: 1 }
  const sweeps: Array<{ readonly stage: ReproduceStage['id']; readonly result: SweepResult | null }> = []
  let notReady = 0
  let stopped = false
  for (const stage of plan.stages) {
    const dir = path.join(out, stage.folder)
    if (stopped || shouldStop()) {
      stopped = true
      sweeps.push({ stage: stage.id, result: null })
      continue
    }
    claimSweepFolder(dir, stage.plan)
    const share = shareOf(stage.plan.runs.length, shard).map((i) => stage.plan.runs[i]!)
    const ready = share.filter((run) => {
      const source = sourceOf(out, plan, stage, run)
      if (source === null || isFinished(source.dir)) return true
      notReady++
      const why =
        `its source ${source.stage.folder}/${path.basename(source.dir)} has not finished: ` +
        `rerun reproduce when the ${source.stage.id} stage is done`
      onEvent({ kind: 'not ready', stage, run, why })
      return false
    })
    onEvent({ kind: 'stage', stage, dir, runs: share.length, ready: ready.length })
    const result =
      ready.length === 0 ? null : await runSweep(ready, dir, o, (event) => onEvent({ kind: 'sweep', stage, event }), shouldStop)
    sweeps.push({ stage: stage.id, result })
    stopped = result?.stopped ?? false
  }
  const planned = plan.stages.flatMap((stage) => stage.plan.runs.map((run) => ({ stage, run })))
  const evidence: RunEvidence[] = []
  for (const { stage, run } of planned) {
    const dir = path.join(out, stage.folder, run.name)
    const source = sourceOf(out, plan, stage, run)?.dir ?? null
    const e = await runEvidence(run, dir, stage.id, stage.kinds[run.name] ?? 'scratch', source, {
      memoryMiB,
      onWarning: (message) => onEvent({ kind: 'warning', message }),
    })
    evidence.push(e)
    onEvent({ kind: 'evidence', run, read: evidence.length, total: planned.length })
  }
  // The source stage's runs repeat the ops stage's add runs up to their grok step: the rules read the ops stage's.
  const judged = evidence.filter((e) => e.stage !== 'source')
  const claims = judgeClaims(judged, plan.settings, runNotes(plan, evidence, stopped))
  writeJson(files.json, claims, 2)
  writeOutput(files.md, claimsMarkdown(claims), claimsFile(REPRODUCE_FILES.md))
  writeOutput(files.html, claimsHtml(claims), claimsFile(REPRODUCE_FILES.html))
  return { sweeps, notReady, stopped, claims, files }
}

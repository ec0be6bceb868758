/**
 * Running a sweep's plan in a folder, for any Node program: `claimSweepFolder` writes the plan
 * (sweep.json) or checks that the folder holds the same one; `runSweep` trains a share of its runs,
 * `jobs` at a time, each in a worker thread of its own (its own WASM instance) through
 * `runTraining`. A run is locked before anything is decided about it: one that another process is
 * training is skipped, one that finished is left as it is, one that was interrupted or failed is
 * resumed. Every run's progress goes to `logs/<run>.log`; a run whose training fails leaves
 * `logs/<run>.failed.json`. The threads die with the process, however it dies.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { PAPER_SETTINGS, SCRATCH, makePlan } from '@grokscope/runs'
 * import { claimSweepFolder, runSweep } from '@grokscope/node'
 * const plan = makePlan(
 *   { ops: [['add'], ['mul']], p: [23], fracs: [0.5], seeds: [0, 1], variants: [SCRATCH] },
 *   { ...PAPER_SETTINGS, steps: 300 },
 * )
 * if (E.isRight(plan)) {
 *   claimSweepFolder('sweeps/s1', plan.right)
 *   const done = await runSweep(plan.right.runs, 'sweeps/s1', { jobs: 2 }, (e) => console.log(e.kind, e.run.name))
 *   console.log(done.finished)
 * }
 *
 * @since 0.2.0
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { progressLog, summaryText } from '@grokscope/report'
import {
  type MetricsRecord,
  type LegacySettings,
  type Plan,
  type PlannedRun,
  type RunConfig,
  SWEEP_FILES,
  type Summary,
  decodePlan,
  encodePlan,
  encodeRunConfig,
  failureFileName,
  lanesOf,
  logFileName,
  planDifference,
} from '@grokscope/runs'
import { UsageError } from './Errors.js'
import { appendLine, createExclusive, readJson, writeJson } from './Files.js'
import { type RunLock, lockRun } from './Lock.js'
import { DEFAULT_MEMORY_MIB } from './Memory.js'
import { checkSweepFolder } from './Outputs.js'
import { readMetrics, readSummary, runFolder } from './RunFolder.js'
import type { SweepWorkerInit, SweepWorkerMessage } from './SweepWorker.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** How a share is run. */
export interface SweepOptions {
  /** Runs trained at once, each in its own worker thread (default 1). */
  readonly jobs?: number
  /** Threads of each run's training step (default 1, so that results do not depend on the machine). */
  readonly threads?: number
  /** Each run's memory budget, MiB. */
  readonly memoryMiB?: number
}

/** Runs done, running and left of this share, when an event happens. */
export interface SweepCounts {
  readonly done: number
  readonly running: number
  readonly left: number
}

/** What happens to the runs of a share, in order. */
export type SweepEvent =
  | { readonly kind: 'skipped'; readonly run: PlannedRun; readonly why: string; readonly counts: SweepCounts }
  | { readonly kind: 'finished earlier'; readonly run: PlannedRun; readonly text: string; readonly counts: SweepCounts }
  | { readonly kind: 'damaged'; readonly run: PlannedRun; readonly why: string; readonly counts: SweepCounts }
  | {
      readonly kind: 'started'
      readonly run: PlannedRun
      readonly worker: number
      readonly resume: boolean
      readonly log: string
      readonly counts: SweepCounts
    }
  | { readonly kind: 'evaluation'; readonly run: PlannedRun; readonly record: MetricsRecord; readonly stepsPerS: number }
  | {
      readonly kind: 'ended'
      readonly run: PlannedRun
      readonly status: 'finished' | 'interrupted' | 'failed'
      readonly text: string
      readonly seconds: number
      readonly log: string
      readonly counts: SweepCounts
    }

/** How a share ended. */
export interface SweepResult {
  readonly total: number
  readonly finished: number
  readonly interrupted: number
  /** Left to another process that is training them. */
  readonly skipped: number
  readonly failed: number
  /** `shouldStop` said so before every run was done. */
  readonly stopped: boolean
}

/** How a run's worker thread ended. */
type WorkerEnd =
  { readonly kind: 'done'; readonly summary: Summary; readonly interrupted: boolean } | { readonly kind: 'error'; readonly message: string }

// ─────────────────────────────────────────────────────────────────────────────
// the folder
// ─────────────────────────────────────────────────────────────────────────────

/** How two plans' legacy settings differ, or null. */
const legacyDifference = (old: LegacySettings, now: LegacySettings): string | null => {
  if (old.args.join('\u0000') !== now.args.join('\u0000')) return `the run settings differ (${old.args.join(' ')} vs ${now.args.join(' ')})`
  return old.initFrom === now.initFrom ? null : `--init-from differs (${String(old.initFrom)} vs ${String(now.initFrom)})`
}

/**
 * Creates sweep.json in `out` (absent, empty or a sweep folder), or checks that the folder's plan
 * is this one. The shares of an array start at once: exactly one creates the file, whole, and the
 * others compare their plan with it. A plan written by 0.1.0 stored its run settings as train
 * arguments: it is this one when its grid is, and `legacy` (this plan's settings in that form, from
 * the caller who knows the flags) are its own. Returns the folder's plan.
 */
export const claimSweepFolder = (out: string, plan: Plan, legacy?: LegacySettings): Plan => {
  checkSweepFolder(out)
  const file = path.join(out, SWEEP_FILES.plan)
  if (createExclusive(file, `${JSON.stringify(encodePlan(plan), null, 2)}\n`)) return plan
  const existing = decodePlan(readJson(file))
  if (existing._tag === 'Left') throw new UsageError(`${file}: ${existing.left}`)
  const old = existing.right.legacy
  const settings =
    old === null
      ? null
      : legacy === undefined
        ? 'it was written by grokscope 0.1.0, whose run settings cannot be compared here'
        : legacyDifference(old, legacy)
  const difference = settings ?? planDifference(existing.right, plan)
  if (difference !== null) {
    throw new UsageError(`--out: ${out} holds a different sweep (${difference}); rerun the command that made it, or choose another --out`)
  }
  return existing.right
}

// ─────────────────────────────────────────────────────────────────────────────
// running
// ─────────────────────────────────────────────────────────────────────────────

/** Why a run that says it finished cannot be read back (its metrics do not decode), or null. */
const damage = (dir: string): string | null => {
  try {
    readMetrics(runFolder(dir))
    return null
  } catch (e) {
    if (e instanceof UsageError) return e.message
    throw e
  }
}

/** Trains one run in a worker thread of its own; its progress goes to `log` and to `onEvaluation`. */
const trainInWorker = (
  config: RunConfig,
  dir: string,
  options: Required<SweepOptions>,
  log: string,
  onEvaluation: (record: MetricsRecord, stepsPerS: number) => void,
  stopRequests: Set<Worker>,
): Promise<WorkerEnd> =>
  new Promise((resolve) => {
    const init: SweepWorkerInit = { config: encodeRunConfig(config), dir, threads: options.threads, memoryMiB: options.memoryMiB }
    const worker = new Worker(new URL('./SweepWorker.js', import.meta.url), { workerData: init })
    stopRequests.add(worker)
    let end: WorkerEnd | null = null
    const progressLines = progressLog(config.loop)
    worker.on('message', (m: SweepWorkerMessage) => {
      switch (m.type) {
        case 'evaluation':
          for (const line of progressLines(m.record, m.stepsPerS)) appendLine(log, line)
          onEvaluation(m.record, m.stepsPerS)
          return
        case 'warning':
          appendLine(log, `grokscope: warning: ${m.message}`)
          return
        case 'done':
          appendLine(log, `${m.interrupted ? 'interrupted' : 'done'}: ${summaryText(m.summary)}`)
          end = { kind: 'done', summary: m.summary, interrupted: m.interrupted }
          void worker.terminate()
          return
        case 'error':
          appendLine(log, `grokscope: error: ${m.message}`)
          if (m.detail !== '') appendLine(log, m.detail)
          end = { kind: 'error', message: m.message }
          void worker.terminate()
          return
      }
    })
    worker.on('error', (e) => {
      appendLine(log, `grokscope: ${e.stack ?? e.message}`)
      end ??= { kind: 'error', message: e.message.split('\n')[0] ?? 'the worker thread failed' }
    })
    worker.on('exit', (code) => {
      stopRequests.delete(worker)
      resolve(end ?? { kind: 'error', message: `the worker thread exited with code ${code} before the run ended` })
    })
  })

/**
 * Trains these planned runs (a share of a plan whose runs all have configs) into the sweep folder
 * `out`, `jobs` at a time; `onEvent` hears each run start and end (and each evaluation);
 * `shouldStop` is asked as runs start and after every step of each (true: every running run
 * stops as at Ctrl-C, resumable, and no new run starts).
 */
export const runSweep = async (
  share: ReadonlyArray<PlannedRun>,
  out: string,
  o: SweepOptions = {},
  onEvent: (e: SweepEvent) => void = () => undefined,
  shouldStop: () => boolean = () => false,
): Promise<SweepResult> => {
  const options: Required<SweepOptions> = { jobs: 1, threads: 1, memoryMiB: DEFAULT_MEMORY_MIB, ...o }
  const logs = path.join(out, SWEEP_FILES.logs)
  const workers = new Set<Worker>()
  let [done, running, finished, interrupted, skipped, failed] = [0, 0, 0, 0, 0, 0]
  let stopping = false
  const counts = (): SweepCounts => ({ done, running, left: share.length - done - running })
  const stopAll = () => {
    if (stopping || !shouldStop()) return
    stopping = true
    for (const w of workers) w.postMessage('stop')
  }
  const poll = setInterval(stopAll, 200)
  const runLocked = async (run: PlannedRun, worker: number): Promise<void> => {
    const dir = path.join(out, run.name)
    const summary = readSummary(runFolder(dir))
    if (summary._tag === 'Right' && summary.right?.status === 'finished') {
      done++
      const bad = damage(dir)
      if (bad === null) {
        finished++
        onEvent({ kind: 'finished earlier', run, text: summaryText(summary.right), counts: counts() })
      } else {
        failed++
        onEvent({ kind: 'damaged', run, why: bad, counts: counts() })
      }
      return
    }
    if (run.config === null) {
      throw new Error(`${run.name}: a planned run without a config cannot be trained (a plan of 0.1.0: plan it again)`)
    }
    mkdirSync(logs, { recursive: true })
    const log = path.join(logs, logFileName(run.name))
    const failure = path.join(logs, failureFileName(run.name))
    running++
    onEvent({ kind: 'started', run, worker, resume: existsSync(runFolder(dir).file.config), log, counts: counts() })
    const t0 = performance.now()
    const end = await trainInWorker(
      run.config,
      dir,
      options,
      log,
      (record, stepsPerS) => onEvent({ kind: 'evaluation', run, record, stepsPerS }),
      workers,
    )
    running--
    done++
    const seconds = (performance.now() - t0) / 1000
    if (end.kind === 'error') {
      failed++
      writeJson(failure, { exit_code: null, signal: null, log, error: end.message }, 2)
      onEvent({ kind: 'ended', run, status: 'failed', text: end.message, seconds, log, counts: counts() })
      return
    }
    rmSync(failure, { force: true })
    if (end.interrupted) interrupted++
    else finished++
    onEvent({
      kind: 'ended',
      run,
      status: end.interrupted ? 'interrupted' : 'finished',
      text: summaryText(end.summary),
      seconds,
      log,
      counts: counts(),
    })
  }
  const lane = async (runs: ReadonlyArray<PlannedRun>, worker: number): Promise<void> => {
    for (const run of runs) {
      stopAll()
      if (stopping) return
      // The run is locked before anything is decided about it: another sweep or a `train` may hold it.
      let lock: RunLock
      try {
        lock = lockRun(path.join(out, run.name))
      } catch (e) {
        if (!(e instanceof UsageError)) throw e
        done++
        skipped++
        onEvent({ kind: 'skipped', run, why: e.message, counts: counts() })
        continue
      }
      try {
        await runLocked(run, worker)
      } finally {
        lock.release()
      }
    }
  }
  try {
    await Promise.all(lanesOf(share, options.jobs).map((runs, j) => lane(runs, j + 1)))
  } finally {
    clearInterval(poll)
  }
  return { total: share.length, finished, interrupted, skipped, failed, stopped: stopping }
}

// grokscope sweep: a grid of runs. The plan (sweep.json) is written first; this process runs its
// share of it (--shard, a Slurm array or a Kubernetes Indexed Job), split between --jobs workers,
// each running its runs one after the other as `grokscope train` child processes; a run that
// finished is skipped, one that was interrupted or killed is resumed, one that another process
// is training (its run folder's lock) is left to it. The workers stop when the sweep is gone.
import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs'
import path from 'node:path'
import type { Option } from '@commander-js/extra-typings'
import * as E from 'fp-ts/lib/Either.js'
import { checkedDataset } from '@grokscope/data'
import { transferProblem } from '@grokscope/model'
import { UsageError, createExclusive, readJson } from '../files.js'
import { fraction, prime } from '../flags.js'
import { fixed } from '../format.js'
import { loadModel } from '../model-file.js'
import { checkSweepFolder } from '../outputs.js'
import { type TrainFlags, runConfigFromFlags } from '../run-config.js'
import { LOCK_ENV, type RunLock, lockRun } from '../lock.js'
import { PARENT_ENV } from '../parent.js'
import { readMetrics, runFolder } from '../run-folder.js'
import { runArgs } from '../run-options.js'
import { type RunStatus, clearFailure, failurePath, readFailure, readSummary, runStatus, writeFailure } from '../run-status.js'
import { type Shard, lanesOf, parseShard, shardFromEnv, shareOf } from '../shard.js'
import { type Plan, type PlannedRun, SCRATCH, decodePlan, makePlan, parseList, parseOpsGrid, parseSeeds, parseVariants, planDifference } from '../sweep-plan.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** The run-setting flags (`withRunOptions`) every run of a sweep gets. */
export type RunSettings = Omit<TrainFlags, 'op' | 'ops' | 'p' | 'frac' | 'seed' | 'out' | 'resume' | 'progress' | 'initFrom' | 'load' | 'freeze'>

/** The sweep's own flags. */
export interface SweepFlags {
  readonly ops: string
  readonly p: string
  readonly fracs: string
  readonly seeds: string
  readonly transfer?: string | undefined
  readonly initFrom?: string | undefined
  readonly out: string
  readonly jobs: number
  readonly shard?: string | undefined
  readonly shards?: number | undefined
}

/** The files of a sweep folder besides its run folders. */
export const SWEEP_FILES = { plan: 'sweep.json', logs: 'logs' } as const

// ─────────────────────────────────────────────────────────────────────────────
// planning (nothing is written)
// ─────────────────────────────────────────────────────────────────────────────

const orFlag =
  (flag: string) =>
  <A>(r: E.Either<string, A>): A => {
    if (E.isLeft(r)) throw new UsageError(`${flag}: ${r.left}`)
    return r.right
  }

/** The plan from the flags, every grid point checked as `train` checks it (task, dataset, model, transfer source). */
export const planFromFlags = (f: SweepFlags & RunSettings, runOptions: ReadonlyArray<Option>): Plan => {
  const { ops, p, fracs, seeds, transfer, initFrom: source, out: _out, jobs: _jobs, shard: _shard, shards: _shards, ...settings } = f
  const grid = {
    ops: orFlag('--ops')(parseOpsGrid(ops)),
    p: orFlag('--p')(parseList(p, prime)),
    fracs: orFlag('--fracs')(parseList(fracs, fraction)),
    seeds: orFlag('--seeds')(parseSeeds(seeds)),
    variants: transfer === undefined ? [SCRATCH] : orFlag('--transfer')(parseVariants(transfer)),
  }
  const initFrom = source === undefined ? null : loadModel(source)
  const plan = orFlag('--transfer')(makePlan(grid, runArgs(runOptions, settings), initFrom === null ? null : path.resolve(initFrom.file)))
  const checked = new Set<string>()
  for (const run of plan.runs) {
    const flags: TrainFlags = {
      ...settings,
      p: run.p,
      frac: run.frac,
      seed: run.seed,
      progress: false,
      initFrom: run.transfer.load.length > 0 ? (plan.init_from ?? undefined) : undefined,
      load: run.transfer.load.length > 0 ? run.transfer.load : undefined,
      freeze: run.transfer.freeze.length > 0 ? run.transfer.freeze : undefined,
    }
    const config = runConfigFromFlags(run.ops.length === 1 ? { ...flags, op: run.ops[0] } : { ...flags, ops: run.ops.join(',') })
    if (E.isLeft(config)) throw new UsageError(`${run.name}: ${config.left}`)
    const key = JSON.stringify([run.ops, run.p, run.frac, run.seed])
    if (!checked.has(key)) {
      checked.add(key)
      const data = checkedDataset(config.right.task)
      if (E.isLeft(data)) throw new UsageError(`--ops: ${data.left}${run.frac === grid.fracs[0] && run.seed === grid.seeds[0] ? '' : ` (r = ${run.frac}, seed ${run.seed})`}`)
    }
    if (initFrom !== null && run.transfer.load.length > 0) {
      const problem = transferProblem(config.right.model, initFrom.config, run.transfer.load)
      if (problem !== null) throw new UsageError(`--init-from: ${initFrom.file}: ${run.name}: ${problem}`)
    }
  }
  return plan
}

/** The share of this process; the error names where the share was read from. */
const shardOf = (f: SweepFlags): Shard => {
  if (f.shard !== undefined) {
    if (f.shards !== undefined) throw new UsageError('--shard and --shards exclude each other (--shard i/n gives both)')
    return orFlag('--shard')(parseShard(f.shard))
  }
  return orUsageErrorPlain(shardFromEnv(process.env, f.shards))
}

const orUsageErrorPlain = <A>(r: E.Either<string, A>): A => {
  if (E.isLeft(r)) throw new UsageError(r.left)
  return r.right
}

/**
 * Creates sweep.json, or checks that the folder's is the same plan. The shares of an array start
 * at once: exactly one creates the file, whole, and the others compare their plan with it.
 */
const claimFolder = (out: string, plan: Plan): void => {
  checkSweepFolder(out, SWEEP_FILES.plan)
  const file = path.join(out, SWEEP_FILES.plan)
  if (createExclusive(file, `${JSON.stringify(plan, null, 2)}\n`)) return
  const existing = decodePlan(readJson(file))
  if (E.isLeft(existing)) throw new UsageError(`${file}: ${existing.left}`)
  const difference = planDifference(existing.right, plan)
  if (difference !== null) throw new UsageError(`--out: ${out} holds a different sweep (${difference}); rerun the command that made it, or choose another --out`)
}

// ─────────────────────────────────────────────────────────────────────────────
// running
// ─────────────────────────────────────────────────────────────────────────────

/** What happened to a run in this session. */
type Outcome = { readonly status: RunStatus | 'skipped'; readonly text: string }

/** Why a run that says it finished cannot be read back (its metrics do not decode), or null. */
const damage = (out: string, run: PlannedRun): string | null => {
  try {
    readMetrics(runFolder(path.join(out, run.name)))
    return null
  } catch (e) {
    if (e instanceof UsageError) return e.message
    throw e
  }
}

/** One line about a finished run: grokked or not, steps, test accuracy, FFD/FCR of W_E. */
const outcomeText = (out: string, run: PlannedRun): Outcome => {
  const folder = runFolder(path.join(out, run.name))
  const summary = readSummary(folder)
  if (E.isLeft(summary)) return { status: 'failed', text: summary.left }
  const s = summary.right
  const status = runStatus(folder, s, readFailure(failurePath(path.join(out, SWEEP_FILES.logs), run.name)))
  if (s === null) return { status, text: status }
  const verdict = s.grok_step !== null ? `grokked at step ${s.grok_step}` : 'did not grok'
  const acc = s.final === null ? '' : `, test acc ${fixed(s.final.test.acc, 3)}`
  const fourier = s.measures === null ? '' : `, W_E FFD ${fixed(s.measures.W_E.ffd, 3)} FCR ${fixed(s.measures.W_E.fcr, 3)}`
  return { status, text: `${status === 'finished' ? '' : `${status}: `}${verdict}, ${s.steps} steps${acc}${fourier}` }
}

/** Runs `grokscope train` for one run (resuming it if it has started), its output appended to its log; the run's lock is handed to it. */
const runOne = (
  out: string,
  run: PlannedRun,
  lock: RunLock,
  children: Set<ChildProcess>,
  onStart: (pid: number, resume: boolean) => void,
): Promise<{ code: number | null; signal: string | null }> => {
  const folder = runFolder(path.join(out, run.name))
  const logs = path.join(out, SWEEP_FILES.logs)
  mkdirSync(logs, { recursive: true })
  const resume = existsSync(folder.file.config)
  const fd = openSync(path.join(logs, `${run.name}.log`), 'a')
  return new Promise((resolve, reject) => {
    // stdin is a pipe nobody writes to: it closes when this process dies, however it dies, and the worker stops.
    const child = spawn(process.execPath, [process.argv[1]!, 'train', ...run.args, '--out', folder.dir, ...(resume ? ['--resume'] : [])], {
      stdio: ['pipe', fd, fd],
      env: { ...process.env, [PARENT_ENV]: String(process.pid), [LOCK_ENV]: lock.owner.token },
    })
    closeSync(fd)
    children.add(child)
    child.on('error', reject)
    child.on('spawn', () => onStart(child.pid ?? -1, resume))
    child.on('close', (code, signal) => {
      children.delete(child)
      resolve({ code, signal })
    })
  })
}

export const sweepCommand = async (f: SweepFlags & RunSettings, runOptions: ReadonlyArray<Option>): Promise<void> => {
  const plan = planFromFlags(f, runOptions)
  const shard = shardOf(f)
  claimFolder(f.out, plan)
  const share = shareOf(plan.runs.length, shard).map((i) => plan.runs[i]!)
  const lanes = lanesOf(share, f.jobs)
  const w = (line: string) => process.stdout.write(`${line}\n`)
  w(
    `sweep ${f.out}: ${plan.runs.length} runs in the plan; this is share ${shard.index}/${shard.count} (${shard.source}): ` +
      `${share.length} runs, ${lanes.length} worker process${lanes.length === 1 ? '' : 'es'}`,
  )
  let done = 0
  let running = 0
  let failed = 0
  let finished = 0
  let skipped = 0
  let stopping = false
  // The runs being trained; Ctrl-C reaches them through the terminal's process group, a SIGINT sent to this process alone through here.
  const children = new Set<ChildProcess>()
  const onSigint = () => {
    stopping = true
    for (const child of children) child.kill('SIGINT')
  }
  process.on('SIGINT', onSigint)
  const counts = () => `[${done} done, ${running} running, ${share.length - done - running} left]`
  const logs = path.join(f.out, SWEEP_FILES.logs)
  const lane = async (runs: ReadonlyArray<PlannedRun>, j: number): Promise<void> => {
    for (const run of runs) {
      if (stopping) return
      // The run is locked before anything is decided about it: another sweep's worker or a `train` may hold it.
      let lock: RunLock
      try {
        lock = lockRun(path.join(f.out, run.name))
      } catch (e) {
        if (!(e instanceof UsageError)) throw e
        done++
        skipped++
        w(`${counts()} ${run.name}: skipped: ${e.message}`)
        continue
      }
      try {
        await runLocked(run, j, lock)
      } finally {
        lock.release()
      }
    }
  }
  const runLocked = async (run: PlannedRun, j: number, lock: RunLock): Promise<void> => {
    const before = outcomeText(f.out, run)
    if (before.status === 'finished') {
      done++
      const bad = damage(f.out, run)
      if (bad === null) {
        finished++
        w(`${counts()} ${run.name}: finished earlier: ${before.text}`)
      } else {
        failed++
        w(`${counts()} ${run.name}: finished earlier but damaged: ${bad}; remove ${path.join(f.out, run.name)} to train it again`)
      }
      return
    }
    running++
    const t0 = performance.now()
    const { code, signal } = await runOne(f.out, run, lock, children, (pid, resume) => w(`${counts()} ${run.name}: ${resume ? 'resuming' : 'starting'} (worker ${j + 1}, pid ${pid})`))
    running--
    done++
    const log = path.join(logs, `${run.name}.log`)
    if (code === 0) {
      finished++
      clearFailure(failurePath(logs, run.name))
    } else if (code !== 130) {
      failed++
      writeFailure(failurePath(logs, run.name), { exit_code: code, signal, log })
    }
    const o = outcomeText(f.out, run)
    const how = code === 0 ? o.text : `${code === 130 ? 'interrupted' : `failed (${signal !== null ? `killed by ${signal}` : `exit code ${String(code)}`}; see ${log})`}`
    w(`${counts()} ${run.name}: ${how} (${((performance.now() - t0) / 1000).toFixed(1)} s)`)
  }
  await Promise.all(lanes.map((runs, j) => lane(runs, j)))
  process.off('SIGINT', onSigint)
  w(
    `share ${shard.index}/${shard.count} ${stopping ? 'stopped' : 'done'}: ${finished} of ${share.length} runs finished, ${done - finished - skipped - failed} interrupted, ` +
      `${skipped} skipped (another process is training them), ${failed} failed` +
      `${stopping || failed > 0 || finished < share.length ? '; rerun the same command to continue' : ''}; then grokscope results ${f.out}`,
  )
  if (failed > 0) process.exitCode = 1
  else if (stopping) process.exitCode = 130
}

// grokscope sweep: a grid of runs. The plan (sweep.json) is written first; this process runs its share
// of it (--shard, a Slurm array or a Kubernetes Indexed Job) with `runSweep`, --jobs runs at a time, each
// in a worker thread; a run that finished is skipped, one that was interrupted or failed is resumed, one
// that another process is training (its run folder's lock) is left to it.
import path from 'node:path'
import { type SweepEvent, claimSweepFolder, loadModel, runSweep } from '@grokscope/node'
import {
  SCRATCH,
  SWEEP_FILES,
  logFileName,
  makePlan,
  parseList,
  parseOpsGrid,
  parseSeeds,
  parseVariants,
  shareOf,
} from '@grokscope/runs'
import { type RunningRun, type ShareCounts, countsText, sweepStatusText } from '@grokscope/report'
import { fraction, prime } from '../flags.js'
import { statusLine } from '../progress.js'
import { type RunFlags, either, flagOf, orFlag, runArgs, runOptionsOf, shardOf } from '../settings.js'

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
  /** The status line on stderr (--no-progress: none). */
  readonly progress: boolean
}

/**
 * A sweep event's line after its counts (`add-p31-r0.5-s0: starting (worker 1; log …)`), or null for an evaluation
 * (the status line shows those). `out`: the sweep folder.
 */
export const sweepEventText = (e: SweepEvent, out: string): string | null => {
  switch (e.kind) {
    case 'skipped':
      return `${e.run.name}: skipped: ${e.why}`
    case 'finished earlier':
      return `${e.run.name}: finished earlier: ${e.text}`
    case 'damaged':
      return `${e.run.name}: finished earlier but damaged: ${e.why}; remove ${path.join(out, e.run.name)} to train it again`
    case 'started':
      return `${e.run.name}: ${e.resume ? 'resuming' : 'starting'} (worker ${e.worker}; log ${e.log})`
    case 'evaluation':
      return null
    case 'ended':
      return (
        `${e.run.name}: ` +
        `${
          e.status === 'finished' ? e.text : e.status === 'interrupted' ? `interrupted: ${e.text}` : `failed (${e.text}; see ${e.log})`
        } (${e.seconds.toFixed(1)} s)`
      )
  }
}

export const sweepCommand = async (f: SweepFlags & RunFlags): Promise<void> => {
  const { ops, p, fracs, seeds, transfer, initFrom, out, jobs, shard: _shard, shards: _shards, progress, ...settings } = f
  const grid = {
    ops: orFlag('--ops')(parseOpsGrid(ops)),
    p: orFlag('--p')(parseList(p, either(prime))),
    fracs: orFlag('--fracs')(parseList(fracs, either(fraction))),
    seeds: orFlag('--seeds')(parseSeeds(seeds)),
    variants: transfer === undefined ? [SCRATCH] : orFlag('--transfer')(parseVariants(transfer)),
  }
  const source = initFrom === undefined ? null : loadModel(initFrom)
  const sourceFile = source === null ? null : path.resolve(source.file)
  const options = { ...runOptionsOf(settings), initFrom: sourceFile ?? undefined }
  const plan = orFlag('')(makePlan(grid, options, source?.config ?? null, flagOf('--ops')))
  const shard = shardOf(f.shard, f.shards)
  const claimed = claimSweepFolder(out, plan, { args: runArgs(settings), initFrom: sourceFile })
  const share = shareOf(claimed.runs.length, shard).map((i) => plan.runs[i]!)
  const workers = Math.min(jobs, share.length)
  const status = statusLine(process.stderr, progress)
  const w = (line: string) => status.print(() => process.stdout.write(`${line}\n`))
  w(
    `sweep ${out}: ${plan.runs.length} runs in the plan; this is share ${shard.index}/${shard.count} (${shard.source}): ` +
      `${share.length} runs, ${workers} worker${workers === 1 ? '' : 's'}; ` +
      `each run's progress lines in ${path.join(out, SWEEP_FILES.logs, logFileName('<run>'))}`,
  )
  // The running runs, for the status line: each one's latest evaluation.
  const running = new Map<string, RunningRun>()
  let latestCounts: ShareCounts = { done: 0, running: 0, left: share.length }
  const showStatus = () => {
    const runs = [...running.values()]
    if (runs.some((r) => (r.latest?.stepsPerS ?? 0) > 0)) status.show(sweepStatusText(latestCounts, runs))
  }
  let stopping = false
  const onSigint = () => {
    stopping = true
  }
  process.on('SIGINT', onSigint)
  const counts = (c: ShareCounts) => {
    latestCounts = c
    return countsText(c)
  }
  // Each event's line of output (the status line is redrawn after it).
  const said = (e: SweepEvent): void => {
    if (e.kind === 'started') running.set(e.run.name, { name: e.run.name, end: e.run.config!.loop, latest: null })
    if (e.kind === 'evaluation') {
      running.set(e.run.name, { name: e.run.name, end: e.run.config!.loop, latest: { record: e.record, stepsPerS: e.stepsPerS } })
    }
    if (e.kind === 'ended') running.delete(e.run.name)
    const text = sweepEventText(e, out)
    if (text !== null && e.kind !== 'evaluation') w(`${counts(e.counts)} ${text}`)
  }
  try {
    const r = await runSweep(
      share,
      out,
      { jobs, threads: settings.threads, memoryMiB: settings.memory },
      (e) => {
        said(e)
        showStatus()
      },
      () => stopping,
    )
    status.stop()
    w(
      `share ${shard.index}/${shard.count} ${r.stopped ? 'stopped' : 'done'}: ${r.finished} of ${r.total} runs finished, ` +
        `${r.interrupted} interrupted, ` +
        `${r.skipped} skipped (another process is training them), ${r.failed} failed` +
        `${r.stopped || r.failed > 0 || r.finished < r.total ? '; rerun the same command to continue' : ''}; then grokscope results ${out}`,
    )
    if (r.failed > 0) process.exitCode = 1
    else if (r.stopped) process.exitCode = 130
  } finally {
    status.stop()
    process.off('SIGINT', onSigint)
  }
}

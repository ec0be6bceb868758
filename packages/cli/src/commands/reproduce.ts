// grokscope reproduce: the paper's claims, run and judged. The plan is the library's (`reproducePlan`: a tier with
// overrides); this process prints it and its cost (measured ms/step), runs its share of each stage as a sweep with
// `runReproduce` (--jobs runs at a time; a Slurm array or a Kubernetes Indexed Job shards it as it shards a sweep),
// shows runs done / running / left across the stages with an upper bound of the time left, and ends by printing the
// claims' verdicts and where claims.md, claims.json and claims.html are. Ctrl-C stops the runs (resumable) and still
// writes the claims of what is finished.
import path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { type ReproduceEvent, UsageError, measureMsPerStep, prepareReproduction, runReproduce } from '@grokscope/node'
import {
  type PlannedRun,
  type RecipeId,
  type TierId,
  SWEEP_FILES,
  costText,
  logFileName,
  parseSeeds,
  planCost,
  reproducePlan,
  shareOf,
} from '@grokscope/runs'
import { type RunningRun, countsText, etaText, reproduceStatusText, stepsLeft } from '@grokscope/report'
import { statusLine } from '../progress.js'
import { orFlag, shardOf } from '../settings.js'
import { sweepEventText } from './sweep.js'

/** The flags of `grokscope reproduce`. */
export interface ReproduceFlags {
  readonly tier: TierId
  readonly out: string
  readonly seeds?: string | undefined
  readonly steps?: number | undefined
  readonly recipe?: RecipeId | undefined
  readonly ops?: string | undefined
  readonly p?: number | undefined
  readonly frac?: number | undefined
  readonly jobs: number
  readonly threads: number
  readonly memory: number
  readonly shard?: string | undefined
  readonly shards?: number | undefined
  /** The status line on stderr (--no-progress: none). */
  readonly progress: boolean
}

/** `1 run`, `3 runs`. */
const runsText = (n: number): string => `${n} run${n === 1 ? '' : 's'}`

/** The library names an override by its key (`seeds: …`); the command line by its flag (`--seeds: …`). */
const asFlag = (message: string): string => message.replace(/^(seeds|steps|recipe|ops|p|frac): /, '--$1: ')

export const reproduceCommand = async (f: ReproduceFlags): Promise<void> => {
  const out = path.resolve(f.out)
  const overrides = {
    seeds: f.seeds === undefined ? undefined : orFlag('--seeds')(parseSeeds(f.seeds)),
    steps: f.steps,
    recipe: f.recipe,
    ops: f.ops?.split(',').map((s) => s.trim()),
    p: f.p,
    frac: f.frac,
  }
  const made = reproducePlan(f.tier, overrides, out)
  if (E.isLeft(made)) throw new UsageError(asFlag(made.left))
  const plan = made.right
  const shard = shardOf(f.shard, f.shards)
  prepareReproduction(plan, out, f.memory)
  const shares = plan.stages.map((stage) => shareOf(stage.plan.runs.length, shard).map((i) => stage.plan.runs[i]!))
  const share = shares.flat()
  const jobs = Math.max(1, Math.min(f.jobs, share.length))
  const status = statusLine(process.stderr, f.progress)
  const w = (line: string) => status.print(() => process.stdout.write(`${line}\n`))
  const s = plan.settings
  w(
    `reproduce ${f.out}: tier ${plan.tier}: p = ${s.p}, r = ${s.frac}, seeds ${s.seeds.join(',')}, ${s.recipe}, ` +
      `≤ ${s.steps} steps a run (the paper's: ${s.paperSteps})`,
  )
  w(
    `stages: ${plan.stages.map((stage, i) => `${stage.id} (${runsText(stage.plan.runs.length)}, ${shares[i]!.length} in this share)`).join(', ')}; ` +
      `this is share ${shard.index}/${shard.count} (${shard.source}), ${jobs} job${jobs === 1 ? '' : 's'}; ` +
      `each run's progress lines in ${path.join(f.out, '<stage>', SWEEP_FILES.logs, logFileName('<run>'))}`,
  )
  const first = plan.stages[0]?.plan.runs[0]?.config ?? null
  const msPerStep = first === null ? 0 : await measureMsPerStep(first, { threads: f.threads, memoryMiB: f.memory })
  w(`cost: ${costText(planCost(plan, msPerStep, jobs), `measured here, ${f.threads} thread${f.threads === 1 ? '' : 's'} a run`)}`)

  // The runs of this share across the stages: not started yet, running (each one's latest evaluation), done.
  // Keyed by `<stage>/<run>`: two stages may hold runs of one name (ops' and source's add).
  const notStarted = new Map<string, PlannedRun>(
    plan.stages.flatMap((stage, i) => shares[i]!.map((run): [string, PlannedRun] => [`${stage.id}/${run.name}`, run])),
  )
  const running = new Map<string, RunningRun>()
  let done = 0
  const counts = () => ({ done, running: running.size, left: notStarted.size })
  const showStatus = () => {
    const left = stepsLeft([...notStarted.values()].map((r) => r.config!.loop), [...running.values()])
    status.show(reproduceStatusText(counts(), [...running.values()], etaText(left, msPerStep, jobs)))
  }
  const said = (e: ReproduceEvent): void => {
    switch (e.kind) {
      case 'stage':
        return w(`== ${e.stage.id}: ${e.ready} of this share's ${e.runs} runs to train or check in ${e.dir}`)
      case 'not ready':
        notStarted.delete(`${e.stage.id}/${e.run.name}`)
        done++
        return w(`${countsText(counts())} ${e.stage.id}/${e.run.name}: not run now: ${e.why}`)
      case 'sweep': {
        const x = e.event
        const name = `${e.stage.id}/${x.run.name}`
        if (x.kind === 'started') {
          notStarted.delete(name)
          running.set(name, { name, end: x.run.config!.loop, latest: null })
        } else if (x.kind === 'evaluation') {
          running.set(name, { name, end: x.run.config!.loop, latest: { record: x.record, stepsPerS: x.stepsPerS } })
        } else {
          notStarted.delete(name)
          running.delete(name)
          done++
        }
        const text = sweepEventText(x, path.join(f.out, e.stage.folder))
        return text === null ? undefined : w(`${countsText(counts())} ${e.stage.id}/${text}`)
      }
      case 'evidence':
        return status.show(`reading the runs' evidence: ${e.read} of ${e.total}`)
      case 'warning':
        return w(`grokscope: warning: ${e.message}`)
    }
  }
  // Ctrl-C stops the runs (resumable); the claims of what is finished are still written. A second one ends at once.
  let stopping = false
  const onSigint = () => {
    if (stopping) process.exit(130)
    stopping = true
  }
  process.on('SIGINT', onSigint)
  try {
    const r = await runReproduce(
      plan,
      out,
      { jobs, threads: f.threads, memoryMiB: f.memory, shard },
      (e) => {
        said(e)
        if (e.kind === 'sweep' || e.kind === 'not ready') showStatus()
      },
      () => stopping,
    )
    status.stop()
    const failed = r.sweeps.reduce((n, x) => n + (x.result?.failed ?? 0), 0)
    const width = Math.max(...r.claims.claims.map((c) => c.verdict.length))
    w(`claims (of the ${r.claims.runs.length} planned runs they read, ${r.claims.runs.filter((x) => x.finished).length} finished):`)
    for (const c of r.claims.claims) w(`  ${c.id}  ${c.verdict.padEnd(width)}  ${c.title}`)
    w(`wrote ${r.files.md}, ${r.files.json}, ${r.files.html}`)
    if (r.stopped || failed > 0 || r.notReady > 0) {
      w(
        `${r.stopped ? 'stopped' : 'not every run is done'}: ${failed} failed, ${r.notReady} transfer runs waiting for their source; ` +
          'rerun the same command to continue',
      )
    }
    if (failed > 0) process.exitCode = 1
    else if (r.stopped) process.exitCode = 130
  } finally {
    status.stop()
    process.off('SIGINT', onSigint)
  }
}

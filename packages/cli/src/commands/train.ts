// grokscope train: flags → run config → `runTraining` into the run folder, with a progress view;
// Ctrl-C stops at the next step (resumable with --resume).
import path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { type Part } from '@grokscope/model'
import { type RunConfig, HISTORY_DIR, RUN_FILES, makeRunConfig, runName } from '@grokscope/runs'
import { UsageError, holdsRun, readConfig, runFolder, runTraining } from '@grokscope/node'
import { verdictText } from '@grokscope/report'
import { fixed } from '../format.js'
import { progressMode, progressView } from '../progress.js'
import { type RunFlags, flagOf, runOptionsOf, runSettingsOf } from '../settings.js'

/** The options of `grokscope train`. */
export interface TrainFlags extends RunFlags {
  readonly op?: string | undefined
  readonly ops?: string | undefined
  readonly p: number
  readonly frac: number
  readonly seed: number
  readonly out?: string | undefined
  readonly resume?: boolean | undefined
  readonly progress: boolean
  /** A finished model (run folder or weights file) whose `load` parts start this run. */
  readonly initFrom?: string | undefined
  readonly load?: ReadonlyArray<Part> | undefined
  readonly freeze?: ReadonlyArray<Part> | undefined
}

/** The config of a new run from the flags (nothing is read but the flags); the error names the flag. */
const newRunConfig = (f: TrainFlags): RunConfig => {
  if (f.op !== undefined && f.ops !== undefined) {
    throw new UsageError('--op and --ops exclude each other (give one operation with --op, or a mixture with --ops a,b)')
  }
  const ops = f.ops !== undefined ? f.ops.split(',').map((s) => s.trim()) : [f.op ?? 'add']
  const settings = runSettingsOf(
    { ops, p: f.p, frac: f.frac, seed: f.seed },
    { ...runOptionsOf(f), initFrom: f.initFrom === undefined ? undefined : path.resolve(f.initFrom), load: f.load, freeze: f.freeze },
  )
  const config = makeRunConfig(settings, flagOf(f.ops !== undefined ? '--ops' : '--op'))
  if (E.isLeft(config)) throw new UsageError(config.left)
  return config.right
}

/** The config `--resume` continues: the saved run's, with `--steps` as its new budget. */
const resumedConfig = (dir: string, steps: number | undefined): RunConfig => {
  const saved = readConfig(runFolder(dir))
  return steps === undefined ? saved : { ...saved, loop: { ...saved.loop, max_steps: steps } }
}

export const trainCommand = async (f: TrainFlags): Promise<void> => {
  if (f.resume === true && f.out === undefined) throw new UsageError('--resume needs --out (the run folder to continue)')
  const fresh = f.resume === true ? null : newRunConfig(f)
  const dir = f.out ?? path.join('runs', runName(fresh!))
  if (fresh === null && !holdsRun(runFolder(dir))) throw new UsageError(`--resume: ${dir} holds no run to resume (no ${RUN_FILES.config})`)
  const config = fresh ?? resumedConfig(dir, f.steps)
  const view = progressView(progressMode(f.progress, process.stderr), process.stderr, config.loop)
  let interrupted = false
  const onSigint = () => {
    interrupted = true
  }
  process.on('SIGINT', onSigint)
  try {
    const r = await runTraining(
      config,
      dir,
      {
        onEvaluation: (record, stepsPerS) => view.evaluation(record, stepsPerS),
        onStep: (step) => view.step(step),
        shouldStop: () => interrupted,
        onWarning: (message) => process.stderr.write(`grokscope: warning: ${message}\n`),
      },
      { threads: f.threads, memoryMiB: f.memory, start: f.resume === true ? 'resume' : 'new' },
    )
    view.stop()
    const s = r.summary
    const verdict = verdictText(s)
    const kept = r.config.loop.save_every === undefined ? '' : `, ${HISTORY_DIR}/`
    process.stdout.write(
      `${r.interrupted ? 'interrupted' : 'done'}: ${config.task.ops.map((op) => op.id).join(', ')} mod ${config.task.p}, ${verdict}; ` +
        `${s.steps} steps in ${s.wall_time_s.toFixed(1)} s` +
        `${s.measures === null ? '' : `; W_E FFD ${fixed(s.measures.W_E.ffd, 3)} FCR ${fixed(s.measures.W_E.fcr, 3)}`}\n` +
        `results in ${dir}/ (${RUN_FILES.summary}, ${RUN_FILES.metrics}, ${RUN_FILES.weights}, ` +
        `${RUN_FILES.curves}${kept})${r.interrupted ? `; continue with --resume --out ${dir}` : ''}\n`,
    )
    if (r.interrupted) process.exitCode = 130
  } finally {
    view.stop()
    process.off('SIGINT', onSigint)
  }
}

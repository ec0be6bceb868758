/**
 * A run's progress as text: one fixed-width line per evaluation under a heading (the
 * progress lines of `train` off a terminal, and each run's log in a sweep), the cells a
 * progress bar shows, the time a run has left, the line a sweep shows of its running
 * runs, and a finished run's outcome.
 *
 * @example
 * import { PROGRESS_HEADER, durationText } from '@grokscope/report'
 * PROGRESS_HEADER.trim().split(/\s{2,}/) // => ['step', 'train loss', 'train acc', 'test loss', 'test acc', 'W_E FFD', 'W_E FCR', 'steps/s', 'time left']
 * durationText(125) // => '2 min 05 s'
 *
 * @since 0.2.0
 */
import {
  type MetricsRecord,
  type RunConfig,
  type StabilityState,
  type Summary,
  accText,
  stabilityNext,
  stabilityStart,
  stabilityText,
} from '@grokscope/runs'

/** A number with `digits` decimals (non-finite numbers as they are). */
const fixed = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : String(x))

// ─────────────────────────────────────────────────────────────────────────────
// time left
// ─────────────────────────────────────────────────────────────────────────────

/**
 * When a run stops: at its step budget, or `stop_after_grok` steps after it grokked (a run config's loop).
 *
 * @since 0.3.0
 */
export type RunEnd = Pick<RunConfig['loop'], 'max_steps' | 'stop_after_grok'>

/**
 * The step a run will stop at, as far as its progress tells: `bound` when it may stop sooner (it has a
 * stop rule and has not grokked yet, so only its budget is known).
 *
 * @example
 * import { endStep } from '@grokscope/report'
 * endStep({ max_steps: 6000, stop_after_grok: 200 }, null) // => { step: 6000, bound: true }
 * endStep({ max_steps: 6000, stop_after_grok: 200 }, 1500) // => { step: 1700, bound: false }
 *
 * @since 0.3.0
 */
export const endStep = (end: RunEnd, grokStep: number | null): { readonly step: number; readonly bound: boolean } =>
  end.stop_after_grok === null
    ? { step: end.max_steps, bound: false }
    : grokStep === null
      ? { step: end.max_steps, bound: true }
      : { step: Math.min(end.max_steps, grokStep + end.stop_after_grok), bound: false }

/**
 * A duration in words a terminal line has room for: seconds under a minute, minutes and seconds under an
 * hour, then hours and minutes.
 *
 * @since 0.3.0
 */
export const durationText = (seconds: number): string => {
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`
}

/**
 * The time a run has left at an evaluation, at this speed: `40 s`, or `≤ 12 min` while it may stop
 * sooner (it has not grokked yet); `-` before the speed is known.
 *
 * @example
 * import { timeLeftText } from '@grokscope/report'
 * timeLeftText(1000, { max_steps: 6000, stop_after_grok: 200 }, null, 50) // => '≤ 1 min 40 s'
 * timeLeftText(1600, { max_steps: 6000, stop_after_grok: 200 }, 1500, 50) // => '2 s'
 *
 * @since 0.3.0
 */
export const timeLeftText = (step: number, end: RunEnd, grokStep: number | null, stepsPerS: number): string => {
  if (!(stepsPerS > 0)) return '-'
  const e = endStep(end, grokStep)
  return `${e.bound ? '≤ ' : ''}${durationText(Math.max(0, e.step - step) / stepsPerS)}`
}

// ─────────────────────────────────────────────────────────────────────────────
// evaluations
// ─────────────────────────────────────────────────────────────────────────────

/** What a progress view shows of an evaluation. */
export interface ProgressCells {
  readonly trainLoss: string
  readonly trainAcc: string
  readonly testLoss: string
  readonly testAcc: string
  readonly ffd: string
  readonly fcr: string
  readonly sps: string
  /** The time the run has left (`timeLeftText`). */
  readonly left: string
}

/** The cells of an evaluation of a run that ends as `end` says, with the session's steps per second. */
export const progressCells = (r: MetricsRecord, stepsPerS: number, end: RunEnd): ProgressCells => ({
  trainLoss: fixed(r.train_loss, 3),
  trainAcc: fixed(r.train_acc, 3),
  testLoss: fixed(r.test_loss, 3),
  testAcc: fixed(r.test_acc, 3),
  ffd: fixed(r.W_E.ffd, 2),
  fcr: fixed(r.W_E.fcr, 2),
  sps: stepsPerS.toFixed(1),
  left: timeLeftText(r.step, end, r.grok_step, stepsPerS),
})

/** The columns of the progress lines: heading and width (right-aligned). */
const LINE_COLUMNS = [
  ['step', 8],
  ['train loss', 12],
  ['train acc', 11],
  ['test loss', 11],
  ['test acc', 10],
  ['W_E FFD', 9],
  ['W_E FCR', 9],
  ['steps/s', 10],
  ['time left', 15],
] as const

const row = (values: ReadonlyArray<string>): string => values.map((v, i) => v.padStart(LINE_COLUMNS[i]![1])).join('')

/** The heading line of the progress lines. */
export const PROGRESS_HEADER = row(LINE_COLUMNS.map(([h]) => h))

/**
 * The flag after an evaluation's progress line, from the stability fold after it (`stabilityNext` of `@grokscope/runs`):
 * `  ! unstable: out of the fitted training set (fitted at step 100)` when this evaluation left the fitted training set, else empty.
 */
export const stabilityFlag = (state: StabilityState): string =>
  state.outside ? `  ! unstable: out of the fitted training set (fitted at step ${state.stability.fitted_step})` : ''

/** An evaluation's progress line (under `PROGRESS_HEADER`), of a run that ends as `end` says, and a flag after it (`stabilityFlag`). */
export const progressLine = (r: MetricsRecord, stepsPerS: number, end: RunEnd, flag = ''): string => {
  const v = progressCells(r, stepsPerS, end)
  return row([String(r.step), v.trainLoss, v.trainAcc, v.testLoss, v.testAcc, v.ffd, v.fcr, v.sps, v.left]) + flag
}

/**
 * A run's progress lines as its evaluations come, in step order: the heading before the first, then each evaluation's
 * line (`progressLine`) with the flag of the stability fold so far (`stabilityFlag`). The lines of `train` off a terminal
 * and each run's log in a sweep.
 *
 * @since 0.3.0
 */
export const progressLog = (end: RunEnd): ((r: MetricsRecord, stepsPerS: number) => ReadonlyArray<string>) => {
  let headed = false
  let stability = stabilityStart
  return (r, stepsPerS) => {
    stability = stabilityNext(stability, r)
    const line = progressLine(r, stepsPerS, end, stabilityFlag(stability))
    const lines = headed ? [line] : [PROGRESS_HEADER, line]
    headed = true
    return lines
  }
}

// ─────────────────────────────────────────────────────────────────────────────
// sweeps
// ─────────────────────────────────────────────────────────────────────────────

/**
 * A run a sweep is training, as its status line shows it: its latest evaluation (none yet: null).
 *
 * @since 0.3.0
 */
export interface RunningRun {
  readonly name: string
  readonly end: RunEnd
  readonly latest: { readonly record: MetricsRecord; readonly stepsPerS: number } | null
}

/**
 * Runs done, running and left of a sweep's share.
 *
 * @since 0.3.0
 */
export interface ShareCounts {
  readonly done: number
  readonly running: number
  readonly left: number
}

/**
 * `[2 done, 1 running, 5 left]`: where a sweep's share is.
 *
 * @since 0.3.0
 */
export const countsText = (c: ShareCounts): string => `[${c.done} done, ${c.running} running, ${c.left} left]`

/**
 * A running run in a few words: `add-p31-r0.5-s0 1200/≤6000 train 1.000 test 0.412 ≤ 4 min 10 s`
 * (step, end step, accuracies, time left), or `add-p31-r0.5-s0 starting` before its first evaluation.
 *
 * @since 0.3.0
 */
export const runningText = (run: RunningRun): string => {
  if (run.latest === null) return `${run.name} starting`
  const { record: r, stepsPerS } = run.latest
  const e = endStep(run.end, r.grok_step)
  return (
    `${run.name} ${r.step}/${e.bound ? '≤' : ''}${e.step} train ${fixed(r.train_acc, 3)} test ${fixed(r.test_acc, 3)} ` +
    timeLeftText(r.step, run.end, r.grok_step, stepsPerS)
  )
}

/**
 * The status line of a sweep: where its share is and each running run (`runningText`), `; `-separated.
 *
 * @example
 * import { sweepStatusText } from '@grokscope/report'
 * const run = { name: 'add-p23-r0.5-s0', end: { max_steps: 500, stop_after_grok: null }, latest: null }
 * sweepStatusText({ done: 1, running: 1, left: 2 }, [run]) // => '[1 done, 1 running, 2 left] add-p23-r0.5-s0 starting'
 *
 * @since 0.3.0
 */
export const sweepStatusText = (counts: ShareCounts, running: ReadonlyArray<RunningRun>): string =>
  [countsText(counts), running.map(runningText).join('; ')].filter((t) => t !== '').join(' ')

// ─────────────────────────────────────────────────────────────────────────────
// reproductions
// ─────────────────────────────────────────────────────────────────────────────

/**
 * The most steps a reproduction's share has left: the budget of every run not started, and what each running run has
 * left to its end step (`endStep`; a run not evaluated yet, its whole budget).
 *
 * @example
 * import { stepsLeft } from '@grokscope/report'
 * const run = { name: 'add-p31-r0.5-s0', end: { max_steps: 3000, stop_after_grok: 300 }, latest: null }
 * stepsLeft([{ max_steps: 3000, stop_after_grok: 300 }], [run]) // => 6000
 *
 * @since 0.4.0
 */
export const stepsLeft = (notStarted: ReadonlyArray<RunEnd>, running: ReadonlyArray<RunningRun>): number => {
  const left = ({ end, latest }: RunningRun): number =>
    latest === null ? end.max_steps : Math.max(0, endStep(end, latest.record.grok_step).step - latest.record.step)
  return notStarted.reduce((n, end) => n + end.max_steps, 0) + running.reduce((n, r) => n + left(r), 0)
}

/**
 * A reproduction's time left as an upper bound: `steps` (`stepsLeft`) at `msPerStep` (measured before it started),
 * `jobs` runs at a time: `≤ 12 min 30 s left`.
 *
 * @example
 * import { etaText } from '@grokscope/report'
 * etaText(6000, 250, 2) // => '≤ 12 min 30 s left'
 *
 * @since 0.4.0
 */
export const etaText = (steps: number, msPerStep: number, jobs: number): string =>
  `≤ ${durationText((steps * msPerStep) / 1000 / Math.max(1, jobs))} left`

/**
 * The status line of a reproduction: its runs done, running and left across its stages, its time left (`etaText`), and
 * each running run (`runningText`).
 *
 * @example
 * import { reproduceStatusText } from '@grokscope/report'
 * reproduceStatusText({ done: 3, running: 0, left: 2 }, [], '≤ 1 min 40 s left') // => '[3 done, 0 running, 2 left] ≤ 1 min 40 s left'
 *
 * @since 0.4.0
 */
export const reproduceStatusText = (counts: ShareCounts, running: ReadonlyArray<RunningRun>, eta: string): string =>
  [countsText(counts), eta, running.map(runningText).join('; ')].filter((t) => t !== '').join(' ')

// ─────────────────────────────────────────────────────────────────────────────
// outcomes
// ─────────────────────────────────────────────────────────────────────────────

/**
 * Whether a run grokked and whether it diverged, in the words of every line that ends a run (train's, a sweep's, a sweep
 * log's): `grokked at step 1200`, `did not grok`, `did not grok, diverged at step 2`. What else a summary says of the
 * outcome belongs here.
 *
 * @since 0.3.0
 */
export const verdictText = (s: Pick<Summary, 'grok_step' | 'stopped_by' | 'diverged_step' | 'steps'>): string =>
  `${s.grok_step !== null ? `grokked at step ${s.grok_step}` : 'did not grok'}` +
  `${s.stopped_by === 'diverged' ? `, diverged at step ${s.diverged_step ?? s.steps}` : ''}`

/**
 * A run's outcome in a few words, from its summary: `grokked at step 1200, 3200 steps, test acc 0.998, W_E FFD 0.100 FCR 0.880`,
 * then its stability flag when it left its fitted training set (`; unstable: left the fitted training set at steps …`).
 */
export const summaryText = (s: Summary): string => {
  const verdict = verdictText(s)
  const acc = s.final === null ? '' : `, test acc ${Number.isFinite(s.final.test.acc) ? accText(s.final.test.acc) : String(s.final.test.acc)}`
  const fourier = s.measures === null ? '' : `, W_E FFD ${fixed(s.measures.W_E.ffd, 3)} FCR ${fixed(s.measures.W_E.fcr, 3)}`
  const unstable = s.stability === undefined ? '' : stabilityText(s.stability)
  return `${verdict}, ${s.steps} steps${acc}${fourier}${unstable === '' ? '' : `; ${unstable}`}`
}

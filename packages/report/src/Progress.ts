/**
 * A run's progress as text: one fixed-width line per evaluation under a heading (the
 * progress lines of `train` off a terminal, and each run's log in a sweep), and the
 * cells a progress bar shows.
 *
 * @example
 * import { PROGRESS_HEADER } from '@grokscope/report'
 * PROGRESS_HEADER.trim().split(/\s{2,}/) // => ['step', 'train loss', 'train acc', 'test loss', 'test acc', 'W_E FFD', 'W_E FCR', 'steps/s']
 *
 * @since 0.2.0
 */
import { type MetricsRecord, type StabilityState, type Summary, accText, stabilityText } from '@grokscope/runs'

/** A number with `digits` decimals (non-finite numbers as they are). */
const fixed = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : String(x))

/** What a progress view shows of an evaluation. */
export interface ProgressCells {
  readonly trainLoss: string
  readonly trainAcc: string
  readonly testLoss: string
  readonly testAcc: string
  readonly ffd: string
  readonly fcr: string
  readonly sps: string
}

/** The cells of an evaluation, with the session's steps per second. */
export const progressCells = (r: MetricsRecord, stepsPerS: number): ProgressCells => ({
  trainLoss: fixed(r.train_loss, 3),
  trainAcc: fixed(r.train_acc, 3),
  testLoss: fixed(r.test_loss, 3),
  testAcc: fixed(r.test_acc, 3),
  ffd: fixed(r.W_E.ffd, 2),
  fcr: fixed(r.W_E.fcr, 2),
  sps: stepsPerS.toFixed(1),
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

/** An evaluation's progress line (under `PROGRESS_HEADER`), and a flag after it (`stabilityFlag`). */
export const progressLine = (r: MetricsRecord, stepsPerS: number, flag = ''): string => {
  const v = progressCells(r, stepsPerS)
  return row([String(r.step), v.trainLoss, v.trainAcc, v.testLoss, v.testAcc, v.ffd, v.fcr, v.sps]) + flag
}

/**
 * Whether a run grokked, and whether it diverged: `grokked at step 1200`, `did not grok`, `did not grok, diverged at step 2`.
 *
 * @since 0.3.0
 */
export const verdictText = (s: Summary): string =>
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

// What a training run shows while it runs: a progress bar redrawn in place on a
// terminal, one line per evaluation elsewhere (a log, a pipe), or nothing.
import cliProgress from 'cli-progress'
import type { MetricsRecord } from '@grokscope/analysis'
import { fixed } from './format.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** A view of a run's progress. */
export interface ProgressView {
  /** A step was taken. */
  readonly step: (step: number) => void
  /** An evaluation was recorded; `stepsPerS` over this session. */
  readonly evaluation: (r: MetricsRecord, stepsPerS: number) => void
  /** The run ended (the bar is cleared from the line). */
  readonly stop: () => void
}

/** How to show progress: `bar` on a terminal, `lines` elsewhere, `none` with --no-progress. */
export type ProgressMode = 'bar' | 'lines' | 'none'

// ─────────────────────────────────────────────────────────────────────────────
// constructors
// ─────────────────────────────────────────────────────────────────────────────

/** The mode for a stream: a bar only on a terminal. */
export const progressMode = (enabled: boolean, stream: NodeJS.WriteStream): ProgressMode => (!enabled ? 'none' : stream.isTTY ? 'bar' : 'lines')

const cells = (r: MetricsRecord, stepsPerS: number) => ({
  trainLoss: fixed(r.train_loss, 3),
  trainAcc: fixed(r.train_acc, 3),
  testLoss: fixed(r.test_loss, 3),
  testAcc: fixed(r.test_acc, 3),
  ffd: fixed(r.W_E.ffd, 2),
  fcr: fixed(r.W_E.fcr, 2),
  sps: stepsPerS.toFixed(1),
})

const bar = (stream: NodeJS.WriteStream, total: number, start: number): ProgressView => {
  const b = new cliProgress.SingleBar(
    {
      format: '{bar} {value}/{total} | train {trainLoss} {trainAcc} | test {testLoss} {testAcc} | W_E FFD {ffd} FCR {fcr} | {sps} steps/s',
      barsize: 24,
      hideCursor: true,
      etaBuffer: 50,
      stream,
    },
    cliProgress.Presets.shades_classic,
  )
  b.start(total, start, { trainLoss: '-', trainAcc: '-', testLoss: '-', testAcc: '-', ffd: '-', fcr: '-', sps: '-' })
  return {
    step: (step) => b.update(step),
    evaluation: (r, sps) => b.update(r.step, cells(r, sps)),
    stop: () => b.stop(),
  }
}

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

/** One line per evaluation, under the heading (written before the first: a run with no step left to take prints nothing). */
const lines = (stream: NodeJS.WriteStream): ProgressView => {
  let headed = false
  return {
    step: () => undefined,
    evaluation: (r, sps) => {
      if (!headed) stream.write(`${PROGRESS_HEADER}\n`)
      headed = true
      const v = cells(r, sps)
      stream.write(`${row([String(r.step), v.trainLoss, v.trainAcc, v.testLoss, v.testAcc, v.ffd, v.fcr, v.sps])}\n`)
    },
    stop: () => undefined,
  }
}

const none: ProgressView = { step: () => undefined, evaluation: () => undefined, stop: () => undefined }

/** A view that shows steps `start..total` on `stream` in this mode. */
export const progressView = (mode: ProgressMode, stream: NodeJS.WriteStream, total: number, start: number): ProgressView => {
  switch (mode) {
    case 'bar':
      return bar(stream, total, start)
    case 'lines':
      return lines(stream)
    case 'none':
      return none
  }
}

// What a training run shows while it runs: a progress bar redrawn in place on a
// terminal, one line per evaluation elsewhere (a log, a pipe), or nothing.
import cliProgress from 'cli-progress'
import { PROGRESS_HEADER, progressCells, progressLine, stabilityFlag } from '@grokscope/report'
import { type MetricsRecord, stabilityNext, stabilityStart } from '@grokscope/runs'

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

/** The mode for a stream: a bar only on a terminal. */
export const progressMode = (enabled: boolean, stream: NodeJS.WriteStream): ProgressMode =>
  !enabled ? 'none' : stream.isTTY ? 'bar' : 'lines'

/** A bar redrawn in place, started at the first step or evaluation it hears of (a resumed run starts at its checkpoint). */
const bar = (stream: NodeJS.WriteStream, total: number): ProgressView => {
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
  let started = false
  const at = (step: number) => {
    if (!started) b.start(total, step, { trainLoss: '-', trainAcc: '-', testLoss: '-', testAcc: '-', ffd: '-', fcr: '-', sps: '-' })
    started = true
  }
  return {
    step: (step) => {
      at(step)
      b.update(step)
    },
    evaluation: (r, sps) => {
      at(r.step)
      b.update(r.step, { ...progressCells(r, sps) })
    },
    stop: () => {
      if (started) b.stop()
      started = false
    },
  }
}

/** One line per evaluation, under the heading (written before the first: a run with no step left to take prints nothing). */
const lines = (stream: NodeJS.WriteStream): ProgressView => {
  let headed = false
  let stability = stabilityStart
  return {
    step: () => undefined,
    evaluation: (r, sps) => {
      if (!headed) stream.write(`${PROGRESS_HEADER}\n`)
      headed = true
      stability = stabilityNext(stability, r)
      stream.write(`${progressLine(r, sps, stabilityFlag(stability))}\n`)
    },
    stop: () => undefined,
  }
}

const none: ProgressView = { step: () => undefined, evaluation: () => undefined, stop: () => undefined }

/** A view that shows steps up to `total` on `stream` in this mode. */
export const progressView = (mode: ProgressMode, stream: NodeJS.WriteStream, total: number): ProgressView => {
  switch (mode) {
    case 'bar':
      return bar(stream, total)
    case 'lines':
      return lines(stream)
    case 'none':
      return none
  }
}

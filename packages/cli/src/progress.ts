// What long work shows while it runs, on stderr: a training run's progress bar redrawn in place on a
// terminal and one line per evaluation elsewhere; a sweep's status line (its running runs), redrawn in
// place on a terminal and printed every 30 s elsewhere; and a line saying what a slow command is doing
// (report, results, analyze).
// The text is `@grokscope/report`'s; this module only decides how it reaches the terminal.
import cliProgress from 'cli-progress'
import { type RunEnd, progressCells, progressLog } from '@grokscope/report'
import type { MetricsRecord } from '@grokscope/runs'

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

/** The stream progress is written to: a terminal or not, and its width. */
export type ProgressStream = Pick<NodeJS.WriteStream, 'write' | 'isTTY' | 'columns'>

/** A sweep's status line, or a slow command's: `show` replaces its text, `print` writes other output (then `show` again). */
export interface StatusLine {
  readonly show: (text: string) => void
  readonly print: (write: () => void) => void
  readonly stop: () => void
}

/** How often a status line is printed off a terminal (on one, it is redrawn at most 5 times a second). */
export const STATUS_EVERY_MS = 30_000

// ─────────────────────────────────────────────────────────────────────────────
// training
// ─────────────────────────────────────────────────────────────────────────────

/** The mode for a stream: a bar only on a terminal. */
export const progressMode = (enabled: boolean, stream: ProgressStream): ProgressMode =>
  !enabled ? 'none' : stream.isTTY === true ? 'bar' : 'lines'

/** A bar redrawn in place, started at the first step or evaluation it hears of (a resumed run starts at its checkpoint). */
const bar = (stream: NodeJS.WriteStream, end: RunEnd): ProgressView => {
  const b = new cliProgress.SingleBar(
    {
      format:
        '{bar} {value}/{total} | train {trainLoss} {trainAcc} | test {testLoss} {testAcc} | W_E FFD {ffd} FCR {fcr} | ' +
        '{sps} steps/s | left {left}',
      barsize: 24,
      hideCursor: true,
      stream,
    },
    cliProgress.Presets.shades_classic,
  )
  let started = false
  const at = (step: number) => {
    if (!started) {
      b.start(end.max_steps, step, { trainLoss: '-', trainAcc: '-', testLoss: '-', testAcc: '-', ffd: '-', fcr: '-', sps: '-', left: '-' })
    }
    started = true
  }
  return {
    step: (step) => {
      at(step)
      b.update(step)
    },
    evaluation: (r, sps) => {
      at(r.step)
      b.update(r.step, { ...progressCells(r, sps, end) })
    },
    stop: () => {
      if (started) b.stop()
      started = false
    },
  }
}

/** One line per evaluation, under the heading (written before the first: a run with no step left to take prints nothing). */
const lines = (stream: ProgressStream, end: RunEnd): ProgressView => {
  const next = progressLog(end)
  return {
    step: () => undefined,
    evaluation: (r, sps) => {
      for (const line of next(r, sps)) stream.write(`${line}\n`)
    },
    stop: () => undefined,
  }
}

const none: ProgressView = { step: () => undefined, evaluation: () => undefined, stop: () => undefined }

/** A view that shows, in this mode, the progress of a run that ends as `end` says. */
export const progressView = (mode: ProgressMode, stream: NodeJS.WriteStream, end: RunEnd): ProgressView => {
  switch (mode) {
    case 'bar':
      return bar(stream, end)
    case 'lines':
      return lines(stream, end)
    case 'none':
      return none
  }
}

// ─────────────────────────────────────────────────────────────────────────────
// status lines
// ─────────────────────────────────────────────────────────────────────────────

/** Text cut to a terminal's width (one column kept free, so the cursor never wraps). */
const fit = (text: string, columns: number | undefined): string => {
  const width = Math.max(20, (columns !== undefined && columns > 0 ? columns : 80) - 1)
  const chars = Array.from(text)
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`
}

/**
 * A status line on `stream`: on a terminal, one line redrawn in place (at most every 200 ms) and
 * cleared while other output is printed; elsewhere, a line at the first `show` and then at most one
 * every `every` ms, so that a log gets a few lines, not a flood; disabled, nothing.
 */
export const statusLine = (stream: ProgressStream, enabled: boolean, now: () => number = Date.now, every = STATUS_EVERY_MS): StatusLine => {
  let text = ''
  let shownAt = -Infinity
  if (!enabled) return { show: () => undefined, print: (write) => write(), stop: () => undefined }
  if (stream.isTTY !== true) {
    return {
      show: (t) => {
        if (now() - shownAt < every) return
        shownAt = now()
        stream.write(`${t}\n`)
      },
      print: (write) => write(),
      stop: () => undefined,
    }
  }
  let visible = false
  const draw = () => {
    stream.write(`\r\x1b[K${fit(text, stream.columns)}`)
    shownAt = now()
    visible = true
  }
  const clear = () => {
    if (visible) stream.write('\r\x1b[K')
    visible = false
  }
  return {
    show: (t) => {
      text = t
      if (!visible || now() - shownAt >= 200) draw()
    },
    print: (write) => {
      clear()
      write()
    },
    stop: clear,
  }
}

/**
 * Says on a terminal what a slow command is doing while `work` runs, in a line erased when the work is
 * done (or fails: an error stays one line). The work keeps the event loop busy, so the line is written
 * before it starts; off a terminal nothing is written (a line there would stay, before every result and
 * every error).
 */
export const whileDoing = async <A>(stream: ProgressStream, enabled: boolean, what: string, work: () => Promise<A>): Promise<A> => {
  const line = statusLine(stream, enabled && stream.isTTY === true)
  line.show(`grokscope: ${what}…`)
  try {
    return await work()
  } finally {
    line.stop()
  }
}

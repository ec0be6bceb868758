/**
 * A run's metrics.jsonl: one record a line, appended as the run evaluates. Read back
 * line by line: a torn last line (a crash while appending it) is dropped with a warning;
 * any other bad line, or steps that do not increase, is an error naming the line.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { decodeMetricsLog } from '@grokscope/runs'
 * const log = decodeMetricsLog('metrics.jsonl', '{"step":0')
 * E.isRight(log) && log.right.records.length // => 0
 * E.isRight(log) && log.right.warning // => 'metrics.jsonl:1: dropped a torn last line (9 characters; a run stopped while writing it)'
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { oneLine } from '@grokscope/data'
import { type MetricsRecord, decodeMetricsLine } from './Record.js'

/** The metrics of a run, read back: each line decoded, in order, and the warning about a torn last line that was dropped. */
export interface MetricsLog {
  readonly records: ReadonlyArray<MetricsRecord>
  /** The lines as written (without their newline), one per record. */
  readonly lines: ReadonlyArray<string>
  readonly warning: string | null
}

/** No evaluation yet. */
export const EMPTY_LOG: MetricsLog = { records: [], lines: [], warning: null }

/** One record as its line (without the newline). */
export const metricsLine = (r: MetricsRecord): string => JSON.stringify(r)

/** The text of these lines, one per line. */
export const metricsText = (lines: ReadonlyArray<string>): string => lines.map((l) => `${l}\n`).join('')

/**
 * Decodes metrics.jsonl text (`file` names it in messages). A last line that is not JSON is
 * torn: it is dropped with a warning. Any other bad line, and steps that do not increase,
 * are a `Left` naming the file and the line.
 */
export const decodeMetricsLog = (file: string, text: string): E.Either<string, MetricsLog> => {
  const raw = text.split('\n')
  let last = raw.length - 1
  while (last >= 0 && raw[last]!.trim() === '') last--
  const records: MetricsRecord[] = []
  const lines: string[] = []
  let warning: string | null = null
  for (const [i, line] of raw.entries()) {
    if (line.trim() === '') continue
    const where = `${file}:${i + 1}`
    let parsed: unknown
    try {
      parsed = JSON.parse(line)
    } catch {
      if (i === last) {
        warning = `${where}: dropped a torn last line (${line.length} characters; a run stopped while writing it)`
        break
      }
      return E.left(`${where}: not a JSON line (a torn line can only be the last one)`)
    }
    const r = decodeMetricsLine(parsed)
    if (E.isLeft(r)) return E.left(`${where}: ${oneLine(r.left)}`)
    const previous = records.at(-1)
    if (previous !== undefined && !(r.right.step > previous.step)) {
      return E.left(`${where}: step ${r.right.step} after step ${previous.step} (steps must increase)`)
    }
    records.push(r.right)
    lines.push(line)
  }
  return E.right({ records, lines, warning })
}

/** The records up to `step` (the checkpoint a resumed run continues after; the loop writes the later ones again, identically). */
export const logUpTo = (log: MetricsLog, step: number): MetricsLog => {
  const n = log.records.findIndex((r) => r.step > step)
  return n < 0 ? log : { ...log, records: log.records.slice(0, n), lines: log.lines.slice(0, n) }
}

/** The first grokked step recorded in these records, if any. */
export const recordedGrokStep = (records: ReadonlyArray<MetricsRecord>): number | null =>
  records.find((r) => r.grok_step !== null)?.grok_step ?? null

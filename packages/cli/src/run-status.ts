// Where a run of a sweep stands, read from its folder: summary.json (decoded with io-ts), config.json,
// and the failure record the sweep writes when a run's process fails.
import { existsSync, rmSync } from 'node:fs'
import path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { firstProblem } from '@grokscope/data'
import { readJson, writeJson } from './files.js'
import { type RunFolder, holdsRun } from './run-folder.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

const Metrics = t.type({ loss: t.number, acc: t.number })
const Measure = t.type({ ffd: t.number, fcr: t.number })

/** The fields of summary.json a sweep reads (older and newer summaries have more; the stayed-grokked fields are newer than 0.1.0's). */
export const SummaryCodec = t.intersection([
  t.type({
    status: t.keyof({ finished: null, interrupted: null }),
    stopped_by: t.string,
    grokked: t.boolean,
    grok_step: t.union([t.number, t.null]),
    steps: t.number,
    final: t.union([t.null, t.type({ step: t.number, train: Metrics, test: Metrics })]),
    measures: t.union([t.null, t.type({ W_E: Measure, W_L: Measure })]),
    wall_time_s: t.number,
  }),
  t.partial({ stayed_grokked: t.boolean, last_test_acc_after_grok: t.union([t.number, t.null]), min_test_acc_after_grok: t.union([t.number, t.null]) }),
])

/** summary.json, as a sweep reads it. */
export type Summary = t.TypeOf<typeof SummaryCodec>

/** What the sweep records when a run's process fails (`logs/<run>.failed.json`). */
export const FailureCodec = t.type({ exit_code: t.union([t.number, t.null]), signal: t.union([t.string, t.null]), log: t.string })

/** A failed run's record. */
export type Failure = t.TypeOf<typeof FailureCodec>

/**
 * A run's state: `finished`, `interrupted` (stopped with Ctrl-C), `failed` (its process
 * failed; `--resume` continues it), `incomplete` (config.json without a summary: running
 * now, or killed), `not started`.
 */
export type RunStatus = 'finished' | 'interrupted' | 'failed' | 'incomplete' | 'not started'

// ─────────────────────────────────────────────────────────────────────────────
// reading
// ─────────────────────────────────────────────────────────────────────────────

/** summary.json of a run, or `null` when there is none; a bad file is a `Left` naming it. */
export const readSummary = (run: RunFolder): E.Either<string, Summary | null> => {
  if (!existsSync(run.file.summary)) return E.right(null)
  const r = SummaryCodec.decode(readJson(run.file.summary))
  return E.isLeft(r) ? E.left(`${run.file.summary}: ${firstProblem(r.left)}`) : E.right(r.right)
}

/** The failure record of a run in a sweep's logs folder. */
export const failurePath = (logs: string, name: string): string => path.join(logs, `${name}.failed.json`)

/** A run's failure record, or `null`. */
export const readFailure = (file: string): Failure | null => {
  if (!existsSync(file)) return null
  const r = FailureCodec.decode(readJson(file))
  return E.isRight(r) ? r.right : null
}

/** Records that a run's process failed. */
export const writeFailure = (file: string, f: Failure): void => writeJson(file, f, 2)

/** Removes a run's failure record (it finished since). */
export const clearFailure = (file: string): void => rmSync(file, { force: true })

/** A run's status from its folder, its summary and its failure record. */
export const runStatus = (run: RunFolder, summary: Summary | null, failure: Failure | null): RunStatus => {
  if (summary?.status === 'finished') return 'finished'
  if (failure !== null) return 'failed'
  if (summary?.status === 'interrupted') return 'interrupted'
  return holdsRun(run) ? 'incomplete' : 'not started'
}

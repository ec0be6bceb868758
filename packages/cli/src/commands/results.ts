// grokscope results: reads every planned run of a sweep (finished, running, failed or not started),
// or every run folder of a folder of runs, and writes results.csv, table.md, accuracy.svg and
// measures.svg into that folder.
import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { UsageError, readJson, writeAtomic } from '../files.js'
import { oneLine } from '../format.js'
import { isRunFolder } from '../model-file.js'
import { type ResultRow, accuracySvg, measuresSvg, resultRow, toCsv, toTable } from '../results.js'
import { readConfig, readMetrics, runFolder } from '../run-folder.js'
import { failurePath, readFailure, readSummary, runStatus } from '../run-status.js'
import { type PlannedRun, decodePlan } from '../sweep-plan.js'
import { runFoldersIn } from './report.js'
import { SWEEP_FILES } from './sweep.js'

/** The files `results` writes into the sweep folder. */
export const RESULT_FILES = { csv: 'results.csv', table: 'table.md', accuracy: 'accuracy.svg', measures: 'measures.svg' } as const

/** A run folder's grid point, read from its config.json, as a sweep would have planned it (the folder's name, no train arguments). */
const runAsPlanned = (dir: string): PlannedRun => {
  const { task, transfer } = readConfig(runFolder(dir))
  return { name: path.basename(dir), ops: task.ops.map((op) => op.id), p: task.p, frac: task.frac, seed: task.seed, transfer: { load: transfer?.loaded ?? [], freeze: transfer?.frozen ?? [] }, args: [] }
}

/** The runs of a folder: a sweep's planned runs (sweep.json, in plan order), or else the run folders inside it (by name). */
const runsOf = (dir: string): ReadonlyArray<PlannedRun> => {
  const file = path.join(dir, SWEEP_FILES.plan)
  if (existsSync(file)) {
    const plan = decodePlan(readJson(file))
    if (E.isLeft(plan)) throw new UsageError(`${file}: ${plan.left}`)
    return plan.right.runs
  }
  if (isRunFolder(dir)) throw new UsageError(`${dir} is a run folder (give a sweep folder or a folder of run folders; for one run: grokscope report ${dir})`)
  const runs = existsSync(dir) && statSync(dir).isDirectory() ? runFoldersIn(dir) : []
  if (runs.length === 0) throw new UsageError(`${dir} has no ${SWEEP_FILES.plan} and no run folders (give a sweep folder written by grokscope sweep, or a folder of run folders)`)
  return runs.map(runAsPlanned)
}

/** The rows of a sweep folder (one per planned run, in plan order) or of a folder of runs (one per run folder, by name). */
export const sweepRows = (dir: string): ReadonlyArray<ResultRow> =>
  runsOf(dir).map((run) => {
    const folder = runFolder(path.join(dir, run.name))
    const summary = readSummary(folder)
    if (E.isLeft(summary)) throw new UsageError(summary.left)
    const log = readMetrics(folder)
    if (log.warning !== null) process.stderr.write(`grokscope: warning: ${oneLine(log.warning)}\n`)
    const status = runStatus(folder, summary.right, readFailure(failurePath(path.join(dir, SWEEP_FILES.logs), run.name)))
    return resultRow({ run, status, summary: summary.right, records: log.records })
  })

export const resultsCommand = (dir: string, o: { readonly json?: boolean | undefined }): void => {
  const rows = sweepRows(dir)
  const at = (name: string) => path.join(dir, name)
  const table = toTable(rows)
  writeAtomic(at(RESULT_FILES.csv), toCsv(rows))
  writeAtomic(at(RESULT_FILES.table), table)
  writeAtomic(at(RESULT_FILES.accuracy), accuracySvg(rows))
  writeAtomic(at(RESULT_FILES.measures), measuresSvg(rows))
  const counts = [...new Set(rows.map((r) => r.status))].map((s) => `${rows.filter((r) => r.status === s).length} ${s}`).join(', ')
  if (o.json === true) process.stdout.write(`${JSON.stringify(rows)}\n`)
  else process.stdout.write(`${table}\n${rows.length} runs: ${counts}\nwrote ${Object.values(RESULT_FILES).map(at).join(', ')}\n`)
}

// grokscope results: reads every planned run of a sweep (finished, running, failed or not started)
// and writes results.csv, table.md, accuracy.svg and measures.svg into the sweep folder.
import { existsSync } from 'node:fs'
import path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import * as vega from 'vega'
import { type TopLevelSpec, compile } from 'vega-lite'
import { UsageError, readJson, writeAtomic } from '../files.js'
import { oneLine } from '../format.js'
import { type ResultRow, accuracySpec, measuresSpec, resultRow, toCsv, toTable } from '../results.js'
import { readMetrics, runFolder } from '../run-folder.js'
import { failurePath, readFailure, readSummary, runStatus } from '../run-status.js'
import { decodePlan } from '../sweep-plan.js'
import { SWEEP_FILES } from './sweep.js'

/** The files `results` writes into the sweep folder. */
export const RESULT_FILES = { csv: 'results.csv', table: 'table.md', accuracy: 'accuracy.svg', measures: 'measures.svg' } as const

const svg = async (spec: TopLevelSpec): Promise<string> => {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' })
  const text = await view.toSVG()
  view.finalize()
  return text
}

/** The rows of a sweep folder, one per planned run, in plan order. */
export const sweepRows = (dir: string): ReadonlyArray<ResultRow> => {
  const file = path.join(dir, SWEEP_FILES.plan)
  if (!existsSync(file)) throw new UsageError(`${dir} has no ${SWEEP_FILES.plan} (give a sweep folder written by grokscope sweep)`)
  const plan = decodePlan(readJson(file))
  if (E.isLeft(plan)) throw new UsageError(`${file}: ${plan.left}`)
  return plan.right.runs.map((run) => {
    const folder = runFolder(path.join(dir, run.name))
    const summary = readSummary(folder)
    if (E.isLeft(summary)) throw new UsageError(summary.left)
    const log = readMetrics(folder)
    if (log.warning !== null) process.stderr.write(`grokscope: warning: ${oneLine(log.warning)}\n`)
    const status = runStatus(folder, summary.right, readFailure(failurePath(path.join(dir, SWEEP_FILES.logs), run.name)))
    return resultRow({ run, status, summary: summary.right, records: log.records })
  })
}

export const resultsCommand = async (dir: string, o: { readonly json?: boolean | undefined }): Promise<void> => {
  const rows = sweepRows(dir)
  const at = (name: string) => path.join(dir, name)
  const table = toTable(rows)
  writeAtomic(at(RESULT_FILES.csv), toCsv(rows))
  writeAtomic(at(RESULT_FILES.table), table)
  writeAtomic(at(RESULT_FILES.accuracy), await svg(accuracySpec(rows)))
  writeAtomic(at(RESULT_FILES.measures), await svg(measuresSpec(rows)))
  const counts = [...new Set(rows.map((r) => r.status))].map((s) => `${rows.filter((r) => r.status === s).length} ${s}`).join(', ')
  if (o.json === true) process.stdout.write(`${JSON.stringify(rows)}\n`)
  else process.stdout.write(`${table}\n${rows.length} runs: ${counts}\nwrote ${Object.values(RESULT_FILES).map(at).join(', ')}\n`)
}

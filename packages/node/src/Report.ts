/**
 * Pages and figures written into folders: a run's curves.svg, the report.html of a run, a model
 * file or a folder of runs (each run's report too), and the results of a sweep or a folder of runs
 * (results.csv, table.md, accuracy.svg, measures.svg). What is read comes from the run folders
 * (`@grokscope/runs`' documents); what is written is built by `@grokscope/report`.
 *
 * @since 0.2.0
 */
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { ModelAnalysis } from '@grokscope/analysis'
import type { KeyRule } from '@grokscope/measures'
import {
  type HistoryPoint,
  type SweepRun,
  accuracySvg,
  curvesSvg,
  historyPoint,
  historySection,
  measuresSvg,
  modelFacts,
  runFacts,
  runReportHtml,
  runTitle,
  sweepReportHtml,
  sweepRunOf,
  unstartedRun,
} from '@grokscope/report'
import {
  CHECKPOINT_FILES,
  type MetricsRecord,
  type Plan,
  type PlannedRun,
  REPORT_FILE,
  RESULT_FILES,
  type ResultRow,
  RUN_FILES,
  type RunStatus,
  SWEEP_FILES,
  decodeFailure,
  decodePlan,
  failureFileName,
  finiteLosses,
  recordedGrokStep,
  resultRow,
  runStatus,
  toCsv,
  toTable,
  variantOf,
} from '@grokscope/runs'
import { analyzeLoadedModel } from './Analyze.js'
import { initBackend } from './Backend.js'
import { UsageError, orUsageError } from './Errors.js'
import { pathExists, readJson } from './Files.js'
import { type LoadedModel, isRunFolder, loadModel } from './ModelFile.js'
import { type OutputFile, checkOutputFile, writeOutput } from './Outputs.js'
import { type RunFolder, historyFile, holdsRun, readConfig, readMetrics, readSummary, runFolder, savedSteps } from './RunFolder.js'

/** Where one-line warnings go (a skipped folder, a torn metrics line, a key set that does not carry the answer). */
export type Warn = (message: string) => void

// ─────────────────────────────────────────────────────────────────────────────
// folders
// ─────────────────────────────────────────────────────────────────────────────

/**
 * Whether an entry of a folder of runs is a folder; one that cannot be followed (a
 * dangling symbolic link, a loop, no permission) is skipped with a warning naming it.
 */
const readableFolder = (entry: string, warn: Warn): boolean => {
  try {
    return statSync(entry).isDirectory()
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT'
        ? 'a dangling symbolic link'
        : code === 'ELOOP'
          ? 'a loop of symbolic links'
          : code === 'EACCES'
            ? 'not readable'
            : `unreadable: ${code ?? 'error'}`
    warn(`skipped ${entry} (${why})`)
    return false
  }
}

/** The run folders directly inside a folder, by name. */
export const runFoldersIn = (dir: string, warn: Warn): ReadonlyArray<string> =>
  readdirSync(dir)
    .sort()
    .map((name) => path.join(dir, name))
    .filter((entry) => readableFolder(entry, warn))
    .filter(isRunFolder)

/** A sweep folder's plan (sweep.json), or null in a plain folder of runs. */
export const readPlan = (dir: string): Plan | null => {
  const file = path.join(dir, SWEEP_FILES.plan)
  return existsSync(file) ? orUsageError(file)(decodePlan(readJson(file))) : null
}

/** A run's metrics, a torn last line dropped with a warning. */
const recordsOf = (run: RunFolder, warn: Warn): ReadonlyArray<MetricsRecord> => {
  const log = readMetrics(run)
  if (log.warning !== null) warn(log.warning)
  return log.records
}

/** A run's status from its folder; in a sweep folder (`sweepDir`), with the failure record in its logs. */
const statusOf = (run: RunFolder, sweepDir: string): RunStatus => {
  const file = path.join(sweepDir, SWEEP_FILES.logs, failureFileName(path.basename(path.resolve(run.dir))))
  const failure = existsSync(file) ? decodeFailure(readJson(file)) : null
  return runStatus({
    holdsRun: holdsRun(run),
    summary: orUsageError()(readSummary(run)),
    failure: failure !== null && failure._tag === 'Right' ? failure.right : null,
  })
}

// ─────────────────────────────────────────────────────────────────────────────
// curves
// ─────────────────────────────────────────────────────────────────────────────

/**
 * Reads a run folder's metrics and writes its curves (default: its curves.svg; `out`: an output file, see
 * `checkOutputFile`, checked first); returns the SVG's path.
 */
export const writeCurves = (dir: string, out: string | undefined, warn: Warn): string => {
  const run = runFolder(dir)
  const target = out ?? run.file.curves
  const what: OutputFile = { flag: out === undefined ? null : '--out', noun: 'plot', example: RUN_FILES.curves, own: [RUN_FILES.curves] }
  checkOutputFile(target, what)
  if (!existsSync(run.file.metrics)) {
    throw new UsageError(`${dir} has no ${RUN_FILES.metrics} (give a run folder written by grokscope train)`)
  }
  const records = recordsOf(run, warn)
  if (records.length === 0) throw new UsageError(`${run.file.metrics} has no evaluations yet`)
  const title = holdsRun(run) ? runTitle(readConfig(run)) : path.basename(dir)
  writeOutput(target, curvesSvg(title, records, records.at(-1)?.grok_step ?? null), what)
  return target
}

// ─────────────────────────────────────────────────────────────────────────────
// reports
// ─────────────────────────────────────────────────────────────────────────────

/** What a report target is: a run folder, a folder of runs, or a model file (or checkpoint folder) without curves. */
type Target =
  | { readonly kind: 'run'; readonly dir: string }
  | { readonly kind: 'sweep'; readonly dir: string; readonly runs: ReadonlyArray<string> }
  | { readonly kind: 'model'; readonly path: string }

const classify = (target: string, warn: Warn): Target => {
  if (!pathExists(target)) {
    throw new UsageError(
      `${target} does not exist (give a run folder, a folder of runs, a weights .json file or a .safetensors checkpoint)`,
    )
  }
  if (!statSync(target).isDirectory()) return { kind: 'model', path: target }
  if (existsSync(path.join(target, CHECKPOINT_FILES.weights))) return { kind: 'model', path: target }
  if (isRunFolder(target)) return { kind: 'run', dir: target }
  const runs = runFoldersIn(target, warn)
  if (runs.length === 0) {
    throw new UsageError(
      `${target} holds no run (allowed: a run folder with config.json, a folder of run folders, ` +
        `a weights .json file or a .safetensors checkpoint)`,
    )
  }
  return { kind: 'sweep', dir: target, runs }
}

/** How a report is made: the FFD threshold, the key-frequency rule, where warnings and progress go. */
export interface ReportOptions {
  readonly eta: number
  readonly keyRule?: KeyRule
  /**
   * Where to write the main report (default: report.html inside the folder; `<file>.report.html` beside a model file):
   * an output file (`checkOutputFile`), checked before anything is read.
   */
  readonly out?: string
  readonly onWarning?: Warn
}

/**
 * What the report's history slider shows of each step the run saved (before `divergedStep`, when the run diverged),
 * computed from its weights.
 */
export const historyPoints = (
  dir: string,
  records: ReadonlyArray<MetricsRecord>,
  eta: number,
  divergedStep: number | null = null,
): ReadonlyArray<HistoryPoint> =>
  savedSteps(dir)
    .filter((step) => divergedStep === null || step < divergedStep)
    .map((step) => historyPoint(step, loadModel(historyFile(dir, step)), records, eta))

const analysisOf = (model: LoadedModel, o: ReportOptions): Promise<ModelAnalysis> =>
  analyzeLoadedModel(model, {
    eta: o.eta,
    ...(o.keyRule === undefined ? {} : { keyRule: o.keyRule }),
    ...(o.onWarning === undefined ? {} : { onWarning: o.onWarning }),
    what: 'report',
  })

/**
 * The step a run diverged at: as its summary says, or, for a run 0.2.0 wrote (which trained on), its first evaluation
 * whose losses are not finite; null when it did not.
 */
const divergedStepOf = (run: RunFolder, records: ReadonlyArray<MetricsRecord>): number | null => {
  const summary = readSummary(run)
  if (E.isRight(summary) && summary.right?.stopped_by === 'diverged') return summary.right.diverged_step ?? summary.right.steps
  return records.find((r) => !finiteLosses(r))?.step ?? null
}

/**
 * A run's weights for its report; of a run that diverged, weights that cannot be read (0.2.0 wrote its non-finite ones)
 * are a warning, and the report shows the run without their analysis.
 */
const reportModel = (dir: string, divergedStep: number | null, warn: Warn): LoadedModel | null => {
  if (!existsSync(runFolder(dir).file.weights)) return null
  if (divergedStep === null) return loadModel(dir)
  try {
    return loadModel(dir)
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    warn(`${e.message}; the report shows the run without the analysis of its weights`)
    return null
  }
}

/** A run folder's report page, and its row in a folder's report. */
const runReport = async (
  dir: string,
  o: ReportOptions,
  warn: Warn,
): Promise<{ readonly html: string; readonly run: Omit<SweepRun, 'href' | 'name'> }> => {
  const run = runFolder(dir)
  const config = readConfig(run)
  const records = recordsOf(run, warn)
  const divergedStep = divergedStepOf(run, records)
  const model = reportModel(dir, divergedStep, warn)
  // The history slider's measures need the backend even when there is no final model to analyse.
  await initBackend()
  const html = runReportHtml({
    title: runTitle(config),
    facts: runFacts(config, records, model, divergedStep),
    records,
    grokStep: recordedGrokStep(records),
    analysis: model === null ? null : await analysisOf(model, o),
    eta: o.eta,
    history: historySection(historyPoints(dir, records, o.eta, divergedStep)),
  })
  // In a sweep folder, a run whose training failed has a record in the sweep's logs.
  const { name: _, href: __, ...row } = sweepRunOf('', '', config, records, statusOf(run, path.dirname(path.resolve(dir))))
  return { html, run: row }
}

/**
 * Writes the report(s) of a target: a run folder, a folder of runs (each run's report too) or a model file; returns the
 * paths written, the main report first.
 */
export const writeReport = async (target: string, o: ReportOptions): Promise<ReadonlyArray<string>> => {
  const warn = o.onWarning ?? (() => undefined)
  const main: OutputFile = { flag: o.out === undefined ? null : '--out', noun: 'report', example: REPORT_FILE }
  if (o.out !== undefined) checkOutputFile(o.out, main)
  const t = classify(target, warn)
  if (t.kind === 'model') {
    const model = loadModel(t.path)
    const out =
      o.out ?? (statSync(t.path).isDirectory() ? path.join(t.path, REPORT_FILE) : `${t.path.replace(/\.[^./\\]+$/, '')}.report.html`)
    const ids = model.task.ops.map((x) => x.id).join(', ')
    const html = runReportHtml({
      title: `${ids || 'model'} mod ${model.task.p}: ${path.basename(model.file)}`,
      facts: [
        ['task', `${ids || '(operations not recorded)'} mod ${model.task.p}, seed ${model.task.seed}`],
        ...modelFacts(model.config, model.file),
      ],
      records: [],
      grokStep: null,
      analysis: await analysisOf(model, o),
      eta: o.eta,
    })
    writeOutput(out, html, main)
    return [out]
  }
  if (t.kind === 'run') {
    const out = o.out ?? path.join(t.dir, REPORT_FILE)
    writeOutput(out, (await runReport(t.dir, o, warn)).html, main)
    return [out]
  }
  const out = o.out ?? path.join(t.dir, REPORT_FILE)
  const written: string[] = []
  const runs: SweepRun[] = []
  for (const dir of t.runs) {
    const { html, run } = await runReport(dir, o, warn)
    const file = path.join(dir, REPORT_FILE)
    writeOutput(file, html, { ...main, flag: null })
    written.push(file)
    runs.push({
      ...run,
      name: path.basename(dir),
      href: path.relative(path.dirname(path.resolve(out)), path.resolve(file)).split(path.sep).join('/'),
    })
  }
  const unstarted = (readPlan(t.dir)?.runs ?? []).filter((r) => !t.runs.some((dir) => path.basename(dir) === r.name)).map(unstartedRun)
  const all = [...runs, ...unstarted]
  writeOutput(out, sweepReportHtml(`${path.basename(path.resolve(t.dir))}: ${all.length} runs`, all), main)
  return [out, ...written]
}

// ─────────────────────────────────────────────────────────────────────────────
// results
// ─────────────────────────────────────────────────────────────────────────────

/** A run folder's grid point, read from its config.json, as a sweep would have planned it (the folder's name). */
const runAsPlanned = (dir: string): PlannedRun => {
  const config = readConfig(runFolder(dir))
  const { task } = config
  return {
    name: path.basename(dir),
    ops: task.ops.map((op) => op.id),
    p: task.p,
    frac: task.frac,
    seed: task.seed,
    variant: variantOf(config),
    config,
  }
}

/** The runs of a folder: a sweep's planned runs (sweep.json, in plan order), or else the run folders inside it (by name). */
const runsOf = (dir: string, warn: Warn): ReadonlyArray<PlannedRun> => {
  const plan = readPlan(dir)
  if (plan !== null) return plan.runs
  if (isRunFolder(dir)) {
    throw new UsageError(`${dir} is a run folder (give a sweep folder or a folder of run folders; for one run: grokscope report ${dir})`)
  }
  const runs = existsSync(dir) && statSync(dir).isDirectory() ? runFoldersIn(dir, warn) : []
  if (runs.length === 0) {
    throw new UsageError(
      `${dir} has no ${SWEEP_FILES.plan} and no run folders (give a sweep folder written by grokscope sweep, or a folder of run folders)`,
    )
  }
  return runs.map(runAsPlanned)
}

/** The rows of a sweep folder (one per planned run, in plan order) or of a folder of runs (one per run folder, by name). */
export const readResults = (dir: string, warn: Warn): ReadonlyArray<ResultRow> =>
  runsOf(dir, warn).map((run) => {
    const folder = runFolder(path.join(dir, run.name))
    const summary = orUsageError()(readSummary(folder))
    return resultRow({ run, status: statusOf(folder, dir), summary, records: recordsOf(folder, warn) })
  })

/** Writes results.csv, table.md, accuracy.svg and measures.svg into the folder; returns the rows and the files written. */
export const writeResults = (
  dir: string,
  warn: Warn,
): { readonly rows: ReadonlyArray<ResultRow>; readonly table: string; readonly files: ReadonlyArray<string> } => {
  const rows = readResults(dir, warn)
  const table = toTable(rows)
  const files: ReadonlyArray<readonly [string, string]> = [
    [RESULT_FILES.csv, toCsv(rows)],
    [RESULT_FILES.table, table],
    [RESULT_FILES.accuracy, accuracySvg(rows)],
    [RESULT_FILES.measures, measuresSvg(rows)],
  ]
  const what = (name: string): OutputFile => ({ flag: null, noun: 'results', example: name })
  // Every file is checked before one is written.
  for (const [name] of files) checkOutputFile(path.join(dir, name), what(name))
  for (const [name, text] of files) writeOutput(path.join(dir, name), text, what(name))
  return { rows, table, files: files.map(([name]) => path.join(dir, name)) }
}

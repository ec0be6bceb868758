// grokscope report: one self-contained HTML page for a run, a model file, or a folder of runs (a sweep).
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { type MetricsRecord, type ModelAnalysis, analyzeModel, grokOutcome, keyRuleFor, keyWarnings } from '@grokscope/analysis'
import { DEFAULT_KEY_RULE, type KeyRule } from '@grokscope/measures'
import { initBackend } from '../backend.js'
import { UsageError, orUsageError, readJson, writeAtomic } from '../files.js'
import { oneLine } from '../format.js'
import { CHECKPOINT_FILES, type LoadedModel, isRunFolder, loadModel } from '../model-file.js'
import { historyPoints } from '../history.js'
import { historySection } from '../report/history.js'
import { type RunReport, type SweepRun, runReportHtml, sweepReportHtml } from '../report/html.js'
import { readConfig, readMetrics, recordedGrokStep, runFolder } from '../run-folder.js'
import { failurePath, readFailure, readSummary, runStatus } from '../run-status.js'
import { checkOutputFile } from '../outputs.js'
import { type PlannedRun, decodePlan } from '../sweep-plan.js'
import { SWEEP_FILES } from './sweep.js'

/** The report's file name inside a run or sweep folder. */
export const REPORT_FILE = 'report.html'

/** What a target is: a run folder, a folder of runs, or a model file (or checkpoint folder) without curves. */
type Target = { readonly kind: 'run'; readonly dir: string } | { readonly kind: 'sweep'; readonly dir: string; readonly runs: ReadonlyArray<string> } | { readonly kind: 'model'; readonly path: string }

/** The run folders directly inside a folder, by name. */
export const runFoldersIn = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir)
    .sort()
    .map((name) => path.join(dir, name))
    .filter(readableFolder)
    .filter(isRunFolder)

/**
 * Whether an entry of a folder of runs is a folder; one that cannot be followed (a
 * dangling symbolic link, a loop, no permission) is skipped with a warning naming it.
 */
const readableFolder = (entry: string): boolean => {
  try {
    return statSync(entry).isDirectory()
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'a dangling symbolic link' : code === 'ELOOP' ? 'a loop of symbolic links' : code === 'EACCES' ? 'not readable' : `unreadable: ${code ?? 'error'}`
    process.stderr.write(`grokscope: warning: skipped ${oneLine(entry)} (${why})\n`)
    return false
  }
}

const classify = (target: string): Target => {
  if (!existsSync(target)) throw new UsageError(`${target} does not exist (give a run folder, a folder of runs, a weights .json file or a .safetensors checkpoint)`)
  if (!statSync(target).isDirectory()) return { kind: 'model', path: target }
  if (existsSync(path.join(target, CHECKPOINT_FILES.weights))) return { kind: 'model', path: target }
  if (isRunFolder(target)) return { kind: 'run', dir: target }
  const runs = runFoldersIn(target)
  if (runs.length === 0) throw new UsageError(`${target} holds no run (allowed: a run folder with config.json, a folder of run folders, a weights .json file or a .safetensors checkpoint)`)
  return { kind: 'sweep', dir: target, runs }
}

/** The analysis options of a report: the FFD threshold and the key-frequency rule (default `auto`). */
interface AnalysisFlags {
  readonly eta: number
  readonly keyFreqs?: KeyRule
}

/** The analysis of a model, with one line on stderr per operation whose key set does not carry the answer (the page shows it too). */
const analyze = (model: LoadedModel, o: AnalysisFlags): ModelAnalysis => {
  const a = analyzeModel(model.config, model.host, model.task.p, model.task.ops, model.task.seed, {
    eta: o.eta,
    keyRule: orUsageError('--key-freqs')(keyRuleFor(o.keyFreqs ?? DEFAULT_KEY_RULE, model.task.p)),
    now: () => performance.now(),
  })
  for (const w of keyWarnings(a)) process.stderr.write(`grokscope: warning: ${oneLine(w)}\n`)
  return a
}

const modelFacts = (model: LoadedModel): Array<readonly [string, string]> => {
  const c = model.config
  return [
    ['model', `${c.nLayers} layer(s), d_model ${c.dModel}, ${c.nHeads} heads of ${c.dHead}, d_mlp ${c.dMlp}, ${c.act}${c.positionalEmbedding ? ', positional embedding' : ''}`],
    ['weights', model.file],
  ]
}

/** Whether a grokked run stayed grokked, as the outcome fact says it. */
const stayedText = (records: ReadonlyArray<MetricsRecord>): string => {
  const o = grokOutcome(records)
  return o.stayed_grokked || o.min_test_acc_after_grok === null ? ', stayed grokked' : `, then fell (lowest test accuracy after grokking ${o.min_test_acc_after_grok.toFixed(4)}, last ${o.last_test_acc_after_grok!.toFixed(4)})`
}

/** A run folder's report page, and what the folder's report shows of it. */
const runReport = (dir: string, o: AnalysisFlags): { readonly html: string; readonly run: Omit<SweepRun, 'href' | 'name'> } => {
  const run = runFolder(dir)
  const config = readConfig(run)
  const { records, warning } = readMetrics(run)
  if (warning !== null) process.stderr.write(`grokscope: warning: ${oneLine(warning)}\n`)
  const model = existsSync(run.file.weights) ? loadModel(dir) : null
  const grokStep = recordedGrokStep(records)
  const { task } = config
  const ops = task.ops.map((op) => op.id).join(', ')
  const last = records.at(-1)
  const facts: Array<readonly [string, string]> = [
    ['task', `${ops} mod ${task.p}, training fraction ${task.frac}, seed ${task.seed}`],
    ['optimiser', `AdamW lr ${config.optimizer.lr}, weight decay ${config.optimizer.weightDecay}, betas (${config.optimizer.beta1}, ${config.optimizer.beta2})`],
    ['outcome', `${last === undefined ? 'no evaluation yet' : `step ${last.step}: test accuracy ${last.test_acc.toFixed(4)}`}; ${grokStep === null ? 'not grokked' : `grokked at step ${grokStep}${stayedText(records)}`}`],
    ...(model === null ? [] : modelFacts(model)),
  ]
  const report: RunReport = {
    title: `${ops} mod ${task.p}, r = ${task.frac}, seed ${task.seed}`,
    facts,
    records,
    grokStep,
    analysis: model === null ? null : analyze(model, o),
    eta: o.eta,
    history: historySection(historyPoints(dir, records, o.eta)),
  }
  // In a sweep folder, a run whose process failed has a record in the sweep's logs.
  const failure = readFailure(failurePath(path.join(path.dirname(path.resolve(dir)), SWEEP_FILES.logs), path.basename(path.resolve(dir))))
  const status = runStatus(run, orUsageError()(readSummary(run)), failure)
  return { html: runReportHtml(report), run: { ops, p: task.p, frac: task.frac, seed: task.seed, lr: config.optimizer.lr, wd: config.optimizer.weightDecay, records, grokStep, status } }
}

/** The runs a sweep folder's sweep.json plans (none for a plain folder of runs). */
const plannedRuns = (dir: string): ReadonlyArray<PlannedRun> => {
  const file = path.join(dir, SWEEP_FILES.plan)
  return existsSync(file) ? orUsageError(file)(decodePlan(readJson(file))).runs : []
}

/** Writes the report(s) of a target; returns the paths written, the main report first. */
export const writeReport = async (target: string, o: AnalysisFlags & { readonly out?: string | undefined }): Promise<ReadonlyArray<string>> => {
  const t = classify(target)
  await initBackend()
  if (t.kind === 'model') {
    const model = loadModel(t.path)
    const out = o.out ?? (statSync(t.path).isDirectory() ? path.join(t.path, REPORT_FILE) : `${t.path.replace(/\.[^./\\]+$/, '')}.report.html`)
    const ids = model.task.ops.map((x) => x.id).join(', ')
    const html = runReportHtml({
      title: `${ids || 'model'} mod ${model.task.p}: ${path.basename(model.file)}`,
      facts: [['task', `${ids || '(operations not recorded)'} mod ${model.task.p}, seed ${model.task.seed}`], ...modelFacts(model)],
      records: [],
      grokStep: null,
      analysis: analyze(model, o),
      eta: o.eta,
    })
    writeAtomic(out, html)
    return [out]
  }
  if (t.kind === 'run') {
    const out = o.out ?? path.join(t.dir, REPORT_FILE)
    writeAtomic(out, runReport(t.dir, o).html)
    return [out]
  }
  const out = o.out ?? path.join(t.dir, REPORT_FILE)
  const written: string[] = []
  const runs: SweepRun[] = t.runs.map((dir) => {
    const { html, run } = runReport(dir, o)
    const file = path.join(dir, REPORT_FILE)
    writeAtomic(file, html)
    written.push(file)
    return { ...run, name: path.basename(dir), href: path.relative(path.dirname(path.resolve(out)), path.resolve(file)).split(path.sep).join('/') }
  })
  const unstarted = plannedRuns(t.dir)
    .filter((r) => !t.runs.some((dir) => path.basename(dir) === r.name))
    .map((r): SweepRun => ({ name: r.name, href: null, ops: r.ops.join(', '), p: r.p, frac: r.frac, seed: r.seed, lr: null, wd: null, records: [], grokStep: null, status: 'not started' }))
  const all = [...runs, ...unstarted]
  writeAtomic(out, sweepReportHtml(`${path.basename(path.resolve(t.dir))}: ${all.length} runs`, all))
  return [out, ...written]
}

export const reportCommand = async (target: string, o: AnalysisFlags & { readonly out?: string | undefined }): Promise<void> => {
  if (o.out !== undefined) checkOutputFile('--out', o.out, { noun: 'report', example: REPORT_FILE })
  const written = await writeReport(target, o)
  process.stdout.write(`${written.join('\n')}\n`)
}

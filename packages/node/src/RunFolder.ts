/**
 * A run folder on disk: the path of each document, and each read back decoded into the
 * types written (`@grokscope/runs`' codecs; a bad file is a `UsageError` naming it and the
 * field) or written so that a crash at any moment leaves a resumable run.
 *
 * The order of writes is the crash-safety argument:
 * - a new run writes its start marker first (`.start.json`, with the run's fingerprint: what
 *   proves a folder without config.json to be an interrupted start, not a user's files), then its
 *   step-0 weights history (with `save_every`), metrics.jsonl (empty), state.json (step 0) and
 *   weights.json, then config.json, and removes the marker: a folder with config.json always has
 *   a state.json;
 * - each evaluation appends its metrics line (one write, flushed), then that step's weights
 *   history file (atomic), before the checkpoint of that step, so every line and history file
 *   up to state.json's step is on disk;
 * - a checkpoint writes state.json (the source of truth, atomic) then weights.json;
 * - on resume, lines and history files after state.json's step (and a torn last line) are
 *   dropped: the loop writes them again, identically.
 *
 * @since 0.2.0
 */
import { existsSync, readdirSync, rmSync, rmdirSync } from 'node:fs'
import path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { type HostParams, toHost } from '@grokscope/model'
import {
  EMPTY_LOG,
  HISTORY_DIR,
  type MetricsLog,
  type MetricsRecord,
  RUN_FILES,
  START_FILE,
  type RunConfig,
  type RunFile,
  type Summary,
  decodeMetricsLog,
  decodeRunConfig,
  decodeStateDocument,
  decodeSummary,
  encodeRunConfig,
  historyCheckpoint,
  historyFileName,
  historyStep,
  isHistoryEntry,
  logUpTo,
  metricsLine,
  metricsText,
  startDocument,
  stateDocument,
  temporaryTarget,
  weightsDocument,
} from '@grokscope/runs'
import type { TrainState } from '@grokscope/train'
import { UsageError, orUsageError } from './Errors.js'
import { MAX_TEXT_BYTES, appendLine, readJson, readText, writeAtomic, writeJson } from './Files.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** A run folder: where it is, and the path of each of its documents. */
export interface RunFolder {
  readonly dir: string
  readonly file: { readonly [K in RunFile]: string }
}

/** The run folder at `dir` (nothing is read or written). */
export const runFolder = (dir: string): RunFolder => ({
  dir,
  file: Object.fromEntries(Object.entries(RUN_FILES).map(([k, name]) => [k, path.join(dir, name)])) as { readonly [K in RunFile]: string },
})

/** Whether the folder holds a run (its config.json, written last when a run starts). */
export const holdsRun = (run: RunFolder): boolean => existsSync(run.file.config)

// ─────────────────────────────────────────────────────────────────────────────
// reading
// ─────────────────────────────────────────────────────────────────────────────

/** config.json, decoded; the error names the file and the field. */
export const readConfig = (run: RunFolder): RunConfig => orUsageError(run.file.config)(decodeRunConfig(readJson(run.file.config)))

/**
 * state.json, decoded and checked against the run: its fingerprint against config.json's, the
 * model's shapes and the optimiser's chain (makes tensors: the backend must be ready).
 */
export const readState = (run: RunFolder, config: RunConfig): TrainState => {
  if (!existsSync(run.file.state)) throw new UsageError(`${run.dir} has no ${RUN_FILES.state} to resume from`)
  return orUsageError()(
    decodeStateDocument(readJson(run.file.state, MAX_TEXT_BYTES), config, { state: run.file.state, config: run.file.config }),
  )
}

/** metrics.jsonl, decoded (none yet: empty); a bad line is a `UsageError`. */
export const readMetrics = (run: RunFolder): MetricsLog =>
  existsSync(run.file.metrics) ? orUsageError()(decodeMetricsLog(run.file.metrics, readText(run.file.metrics))) : EMPTY_LOG

/** summary.json, or null when there is none; a bad file is a `Left` naming it. */
export const readSummary = (run: RunFolder): E.Either<string, Summary | null> =>
  existsSync(run.file.summary)
    ? E.mapLeft((problem: string) => `${run.file.summary}: ${problem}`)(decodeSummary(readJson(run.file.summary)))
    : E.right(null)

// ─────────────────────────────────────────────────────────────────────────────
// writing
// ─────────────────────────────────────────────────────────────────────────────

/** Writes config.json (atomic), with the run's fingerprint. */
export const writeConfig = (run: RunFolder, config: RunConfig): void => writeJson(run.file.config, encodeRunConfig(config), 2)

/**
 * A checkpoint: state.json (atomic; what a resumed run continues from), then weights.json at the same step; both carry
 * the run's fingerprint.
 */
export const saveCheckpoint = (run: RunFolder, config: RunConfig, s: TrainState): void => {
  writeJson(run.file.state, stateDocument(config, s))
  writeJson(run.file.weights, weightsDocument(config, toHost(s.params), s.step))
}

/** The start marker of the run in `dir`. */
const startFile = (run: RunFolder): string => path.join(run.dir, START_FILE)

/**
 * Starts a run: the start marker first (then what an interrupted start left goes), the step-0 weights history (when the
 * run keeps one), empty metrics, the step-0 checkpoint, then config.json, which makes the folder a run; then the marker
 * goes.
 */
export const createRun = (run: RunFolder, config: RunConfig, initial: TrainState): void => {
  writeJson(startFile(run), startDocument(config), 2)
  clearStart(run)
  if (config.loop.save_every !== undefined) saveHistory(run.dir, config, 0, toHost(initial.params))
  writeAtomic(run.file.metrics, '')
  saveCheckpoint(run, config, initial)
  writeConfig(run, config)
  removeStartMarker(run)
}

/**
 * Removes what an interrupted start left beside its marker (`checkNewRunFolder` let only that through): the history
 * files (of that start's config, which may not be this one's) and the temporary files of its writes.
 */
const clearStart = (run: RunFolder): void => {
  removeStrayTemps(run)
  keepHistoryUpTo(run.dir, -1)
  if (existsSync(historyDir(run.dir)) && readdirSync(historyDir(run.dir)).length === 0) rmdirSync(historyDir(run.dir))
}

/** Removes the start marker (a run's start left it when it was stopped after writing config.json). */
export const removeStartMarker = (run: RunFolder): void => rmSync(startFile(run), { force: true })

/** Appends one evaluation's record (one write, flushed). */
export const appendMetrics = (run: RunFolder, r: MetricsRecord): void => appendLine(run.file.metrics, metricsLine(r))

/**
 * Keeps the lines up to `step` (the checkpoint a resumed run continues after), rewritten
 * atomically one per line (so that a last line that lost its newline or was torn cannot run
 * into the next one).
 */
export const keepMetricsUpTo = (run: RunFolder, log: MetricsLog, step: number): MetricsLog => {
  const kept = logUpTo(log, step)
  writeAtomic(run.file.metrics, metricsText(kept.lines))
  return kept
}

/** Writes summary.json (atomic). */
export const writeSummary = (run: RunFolder, s: Summary): void => writeJson(run.file.summary, s, 2)

/** Removes the temporary files of writes that a crash interrupted (`state.json.1234.tmp`). */
export const removeStrayTemps = (run: RunFolder): void => {
  const names = new Set<string>(Object.values(RUN_FILES))
  for (const f of readdirSync(run.dir)) {
    const target = temporaryTarget(f)
    if (target !== null && names.has(target)) rmSync(path.join(run.dir, f), { force: true })
  }
}

// ─────────────────────────────────────────────────────────────────────────────
// weights history
// ─────────────────────────────────────────────────────────────────────────────
// A run's weights history (`save_every`): the weights at chosen steps, one file per step,
// `<run>/history/step-000300.safetensors`, each a float32 TransformerLens checkpoint with its config
// and the run's fingerprint in the safetensors metadata (`historyCheckpoint`) — the same bytes
// `export` writes — so one file is a whole model that `analyze`, `predict`, `export` and Python read
// as it is. float32 keeps the weights exact; the file holds nothing else (no optimiser moments), so a
// p = 97 paper model takes 0.9 MB a step.

/** The history folder of the run in `dir`. */
export const historyDir = (dir: string): string => path.join(dir, HISTORY_DIR)

/** The file of the weights at `step` (`history/step-000300.safetensors`). */
export const historyFile = (dir: string, step: number): string => path.join(historyDir(dir), historyFileName(step))

/** The steps whose weights the run in `dir` keeps, in order (none without a history folder). */
export const savedSteps = (dir: string): ReadonlyArray<number> => {
  const folder = historyDir(dir)
  if (!existsSync(folder)) return []
  return readdirSync(folder)
    .flatMap((f) => {
      const step = historyStep(f)
      return step === null ? [] : [step]
    })
    .sort((a, b) => a - b)
}

/** Writes the weights at `step` into the history (atomic). */
export const saveHistory = (dir: string, config: RunConfig, step: number, host: HostParams): void =>
  writeAtomic(historyFile(dir, step), historyCheckpoint(config, host, step))

/** Removes the history files after `step` (a resumed run writes them again) and the temporary files of interrupted writes. */
export const keepHistoryUpTo = (dir: string, step: number): void => {
  const folder = historyDir(dir)
  if (!existsSync(folder)) return
  for (const f of readdirSync(folder)) {
    const saved = historyStep(f)
    if ((saved !== null && saved > step) || (saved === null && isHistoryEntry(f))) rmSync(path.join(folder, f), { force: true })
  }
}

/** The history file of `step`; a step that was not saved is a `UsageError` (for `flag`) listing the saved ones. */
export const savedStepFile = (dir: string, step: number, flag: string): string => {
  const steps = savedSteps(dir)
  if (!steps.includes(step)) {
    const saved = steps.length === 0 ? `${dir} keeps no weights history (train with --save-every N)` : `saved steps: ${steps.join(', ')}`
    throw new UsageError(`${flag}: step ${step} is not in ${historyDir(dir)} (${saved})`)
  }
  return historyFile(dir, step)
}

// A run's weights history (`train --save-every N`): the weights at chosen steps, one file per step,
// `<run>/history/step-000300.safetensors`. Each file is a float32 TransformerLens checkpoint with its
// config (model and task) in the safetensors `__metadata__` — the same bytes `export` writes — so one
// file is a whole model: `analyze`, `predict`, `export` and Python read it as it is. float32 keeps the
// weights exact (an analysis of step S is the analysis of the model as it was at S); the file holds
// nothing else (no optimiser moments), so a p = 97 paper model takes 0.9 MB a step.
//
// Crash safety, in the order train writes: a step's metrics line, then its history file (atomic),
// then its checkpoint (state.json). A resumed run removes the files after state.json's step (the loop
// writes them again, identically), like the metrics lines after it.
import { existsSync, readdirSync, rmSync } from 'node:fs'
import path from 'node:path'
import { type MetricsRecord, fourierMeasures, logitMeasures } from '@grokscope/analysis'
import { type HostParams, encodeTransformerLensCheckpoint } from '@grokscope/model'
import { TEMP_FILE, UsageError, writeAtomic } from './files.js'
import { isRunFolder, loadModel } from './model-file.js'
import type { HistoryPoint } from './report/history.js'
import type { RunConfig } from './run-config.js'
import { weightsMeta } from './run-folder.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** The folder of a run's weights history. */
export const HISTORY_DIR = 'history'

/** A history file's name: `step-000300.safetensors` (the step in group 1). */
export const HISTORY_FILE = /^step-(\d+)\.safetensors$/

// ─────────────────────────────────────────────────────────────────────────────
// paths
// ─────────────────────────────────────────────────────────────────────────────

/** The history folder of the run in `dir`. */
export const historyDir = (dir: string): string => path.join(dir, HISTORY_DIR)

/** The file of the weights at `step` (`history/step-000300.safetensors`). */
export const historyFile = (dir: string, step: number): string => path.join(historyDir(dir), `step-${String(step).padStart(6, '0')}.safetensors`)

/** The steps whose weights the run in `dir` keeps, in order (none without a history folder). */
export const savedSteps = (dir: string): ReadonlyArray<number> => {
  const folder = historyDir(dir)
  if (!existsSync(folder)) return []
  return readdirSync(folder)
    .flatMap((f) => {
      const m = HISTORY_FILE.exec(f)
      return m === null ? [] : [Number(m[1])]
    })
    .sort((a, b) => a - b)
}

/** What a command given a target and `--step` loads: the target itself without a step, else the run's history file of that step (`UsageError` when the target is no run). */
export const modelSource = (target: string, step: number | undefined): string => {
  if (step === undefined) return target
  if (!isRunFolder(target)) throw new UsageError(`--step: ${target} is not a run folder (the weights history is a run's: <run>/${HISTORY_DIR}/)`)
  return savedStepFile(target, step, '--step')
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

// ─────────────────────────────────────────────────────────────────────────────
// writing
// ─────────────────────────────────────────────────────────────────────────────

/** Writes the weights at `step` into the history (atomic). */
export const saveHistory = (dir: string, config: RunConfig, step: number, host: HostParams): void => {
  const { safetensors } = encodeTransformerLensCheckpoint(config.model, host, { ...weightsMeta(config), steps: step }, `grokscope-step-${step}`)
  writeAtomic(historyFile(dir, step), safetensors)
}

/** Removes the history files after `step` (a resumed run writes them again) and the temporary files of interrupted writes. */
export const keepHistoryUpTo = (dir: string, step: number): void => {
  const folder = historyDir(dir)
  if (!existsSync(folder)) return
  for (const f of readdirSync(folder)) {
    const m = HISTORY_FILE.exec(f)
    if ((m !== null && Number(m[1]) > step) || (TEMP_FILE.test(f) && HISTORY_FILE.test(f.replace(TEMP_FILE, '')))) rmSync(path.join(folder, f), { force: true })
  }
}

// ─────────────────────────────────────────────────────────────────────────────
// reading
// ─────────────────────────────────────────────────────────────────────────────

/**
 * What the report's history slider shows of each saved step, computed from its weights: the
 * Fourier measures of W_E and W_L, each operation's key frequencies with its restricted and full
 * loss over all p² pairs, and the evaluation recorded at that step (if one was).
 */
export const historyPoints = (dir: string, records: ReadonlyArray<MetricsRecord>, eta: number): ReadonlyArray<HistoryPoint> =>
  savedSteps(dir).map((step) => {
    const model = loadModel(historyFile(dir, step))
    const { p, ops, seed } = model.task
    return {
      step,
      record: records.find((r) => r.step === step) ?? null,
      ...fourierMeasures(model.config, model.host, p, eta),
      logits: ops.map((op, i) => ({ op: op.id, measures: logitMeasures(model.config, model.host, p, i, op, seed) })),
    }
  })

// The run folder: its files, how each is written so that a crash at any moment
// leaves a resumable run, and how each is read back, decoded into the types written.
//
// The order of writes is the crash-safety argument:
// - a new run writes its step-0 weights history (with --save-every), metrics.jsonl
//   (empty), state.json (step 0) and weights.json, then config.json last: a folder
//   with config.json always has a state.json;
// - the loop's first evaluation is of the initial weights (step 0): a resumed run
//   at step 0 without that line writes it then;
// - each evaluation appends its metrics line (one write, flushed), then that step's
//   weights history file (atomic, history.ts), before the checkpoint of that step,
//   so every line and history file up to state.json's step is on disk;
// - a checkpoint writes state.json (the source of truth, atomic) then weights.json;
// - on resume, lines and history files after state.json's step (and a torn last
//   line) are dropped: the loop writes them again, identically.
import { existsSync, readdirSync, rmSync } from 'node:fs'
import path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { type GrokOutcome, type MetricsRecord, decodeMetricsLine, round } from '@grokscope/analysis'
import { type Fingerprint, encodeWeightsFile, fingerprintOf, toHost } from '@grokscope/model'
import type { PhaseBoundaries } from '@grokscope/measures'
import { type StopReason, type TrainState, decodeTrainState, encodeTrainState } from '@grokscope/train'
import { MAX_TEXT_BYTES, TEMP_FILE, UsageError, appendLine, orUsageError, readJson, readText, writeAtomic, writeJson } from './files.js'
import { fingerprintDifference, recordedFingerprint } from './fingerprint.js'
import { oneLine } from './format.js'
import { type RunConfig, type Transfer, decodeRunConfig, encodeRunConfig } from './run-config.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** The files of a run folder. */
export const FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  weights: 'weights.json',
  state: 'state.json',
  summary: 'summary.json',
  curves: 'curves.svg',
} as const

/** A run folder: where it is, and the path of each of its files. */
export interface RunFolder {
  readonly dir: string
  readonly file: { readonly [K in keyof typeof FILES]: string }
}

/** The metrics of a run, read back: each line decoded, in order, and the warning about a torn last line that was dropped. */
export interface MetricsLog {
  readonly records: ReadonlyArray<MetricsRecord>
  /** The lines as written (without their newline), one per record. */
  readonly lines: ReadonlyArray<string>
  readonly warning: string | null
}

/** Loss and accuracy, as summary.json holds them. */
export interface SummaryMetrics {
  readonly loss: number
  readonly acc: number
}

/** summary.json. */
export interface RunSummary {
  readonly status: 'finished' | 'interrupted'
  readonly stopped_by: StopReason | 'interrupt'
  readonly grokked: boolean
  readonly grok_step: number | null
  /** Whether every evaluation from the grok step to the last kept test accuracy at or above the threshold (false: never grokked). */
  readonly stayed_grokked: boolean
  /** The last evaluation's test accuracy, when the run grokked. */
  readonly last_test_acc_after_grok: number | null
  /** The lowest test accuracy from the grok step on, when the run grokked. */
  readonly min_test_acc_after_grok: number | null
  readonly steps: number
  readonly resumed_from_step: number | null
  /** The last evaluation. */
  readonly final: { readonly step: number; readonly train: SummaryMetrics; readonly test: SummaryMetrics } | null
  readonly measures: { readonly W_E: { readonly ffd: number; readonly fcr: number }; readonly W_L: { readonly ffd: number; readonly fcr: number } } | null
  readonly wall_time_s: number
  readonly steps_per_s: number
  readonly ms_per_step: number | null
  readonly backend: string
  readonly threads: number
  /** The source, loaded and frozen parts (config.json's `transfer`), or null: trained from scratch. */
  readonly transfer: Transfer | null
  readonly files: typeof FILES
  /** Where memorisation, circuit formation and cleanup end (`recordPhases` of the run's metrics). */
  readonly phases?: PhaseBoundaries
}

// ─────────────────────────────────────────────────────────────────────────────
// constructors
// ─────────────────────────────────────────────────────────────────────────────

/** The run folder at `dir` (nothing is read or written). */
export const runFolder = (dir: string): RunFolder => {
  const at = (name: string) => path.join(dir, name)
  return {
    dir,
    file: { config: at(FILES.config), metrics: at(FILES.metrics), weights: at(FILES.weights), state: at(FILES.state), summary: at(FILES.summary), curves: at(FILES.curves) },
  }
}

/** Whether the folder holds a run (its config.json, written last when a run starts). */
export const holdsRun = (run: RunFolder): boolean => existsSync(run.file.config)

// ─────────────────────────────────────────────────────────────────────────────
// config and state
// ─────────────────────────────────────────────────────────────────────────────

/** config.json, decoded; the error names the file and the field. */
export const readConfig = (run: RunFolder): RunConfig => orUsageError(run.file.config)(decodeRunConfig(readJson(run.file.config)))

/** The run's fingerprint (its task and model shape), as config.json records it. */
export const runFingerprint = (config: RunConfig): Fingerprint => fingerprintOf(encodeRunConfig(config).task, config.model)

/**
 * state.json, decoded and checked against the run: its fingerprint against config.json's
 * (a state of another run is refused; one from before fingerprints has none), the model's
 * shapes and the optimiser's chain (makes tensors: the backend must be ready).
 */
export const readState = (run: RunFolder, config: RunConfig): TrainState => {
  if (!existsSync(run.file.state)) throw new UsageError(`--resume: ${run.dir} has no ${FILES.state} to resume from`)
  const doc = readJson(run.file.state, MAX_TEXT_BYTES)
  const recorded = orUsageError(run.file.state)(recordedFingerprint(doc))
  const difference = recorded === null ? null : fingerprintDifference(run.file.state, recorded, run.file.config, runFingerprint(config))
  if (difference !== null) throw new UsageError(difference)
  return orUsageError(run.file.state)(decodeTrainState(doc, config.model, config.optimizer))
}

/** What weights.json records of the task besides the model (the fixtures' `config` fields), and the run's fingerprint. */
export const weightsMeta = (config: RunConfig): Readonly<Record<string, unknown>> => {
  const { task } = encodeRunConfig(config)
  return { ...task, op: task.ops[0], op_tokens: task.ops.map((_, i) => task.p + i), frac_train: task.frac, input: '[a, op, b]', fingerprint: runFingerprint(config) }
}

/** A checkpoint: state.json (atomic; what --resume continues from), then weights.json at the same step; both carry the run's fingerprint. */
export const saveCheckpoint = (run: RunFolder, config: RunConfig, s: TrainState): void => {
  writeJson(run.file.state, { ...encodeTrainState(s), fingerprint: runFingerprint(config) })
  writeJson(run.file.weights, encodeWeightsFile(config.model, toHost(s.params), { ...weightsMeta(config), steps: s.step }))
}

/** Writes config.json (atomic), with the run's fingerprint. */
export const writeConfig = (run: RunFolder, config: RunConfig): void => writeJson(run.file.config, { ...encodeRunConfig(config), fingerprint: runFingerprint(config) }, 2)

/** Starts a run: empty metrics, the step-0 checkpoint, then config.json, which makes the folder a run. */
export const createRun = (run: RunFolder, config: RunConfig, initial: TrainState): void => {
  writeAtomic(run.file.metrics, '')
  saveCheckpoint(run, config, initial)
  writeConfig(run, config)
}

/** Removes the temporary files of writes that a crash interrupted (`state.json.1234.tmp`). */
export const removeStrayTemps = (run: RunFolder): void => {
  const names = new Set<string>(Object.values(FILES))
  for (const f of readdirSync(run.dir)) {
    if (TEMP_FILE.test(f) && names.has(f.replace(TEMP_FILE, ''))) rmSync(path.join(run.dir, f), { force: true })
  }
}

// ─────────────────────────────────────────────────────────────────────────────
// metrics
// ─────────────────────────────────────────────────────────────────────────────

/** Appends one evaluation's record (one write, flushed). */
export const appendMetrics = (run: RunFolder, r: MetricsRecord): void => appendLine(run.file.metrics, JSON.stringify(r))

/**
 * Decodes metrics.jsonl text. A last line that is not JSON is torn (a crash while
 * appending it): it is dropped with a warning. Any other bad line, and steps that
 * do not increase, are a `Left` naming the file and the line.
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
    if (previous !== undefined && !(r.right.step > previous.step)) return E.left(`${where}: step ${r.right.step} after step ${previous.step} (steps must increase)`)
    records.push(r.right)
    lines.push(line)
  }
  return E.right({ records, lines, warning })
}

/** metrics.jsonl, decoded (none yet: empty); a bad line is a `UsageError`. */
export const readMetrics = (run: RunFolder): MetricsLog =>
  existsSync(run.file.metrics) ? orUsageError()(decodeMetricsLog(run.file.metrics, readText(run.file.metrics))) : { records: [], lines: [], warning: null }

/**
 * Keeps the lines up to `step` (the checkpoint a resumed run continues after),
 * rewritten atomically one per line (so that a last line that lost its newline
 * or was torn cannot run into the next one).
 */
export const keepMetricsUpTo = (run: RunFolder, log: MetricsLog, step: number): MetricsLog => {
  const n = log.records.findIndex((r) => r.step > step)
  const kept = n < 0 ? log : { ...log, records: log.records.slice(0, n), lines: log.lines.slice(0, n) }
  writeAtomic(run.file.metrics, kept.lines.map((l) => `${l}\n`).join(''))
  return kept
}

/** The first grokked step recorded in these records, if any. */
export const recordedGrokStep = (records: ReadonlyArray<MetricsRecord>): number | null => records.find((r) => r.grok_step !== null)?.grok_step ?? null

// ─────────────────────────────────────────────────────────────────────────────
// summary
// ─────────────────────────────────────────────────────────────────────────────

/** How a session of training ended. */
export interface SessionEnd {
  readonly interrupted: boolean
  readonly stoppedBy: StopReason
  readonly grokStep: number | null
  readonly steps: number
  readonly resumedFrom: number | null
  /** The run's last evaluation (this session's, or an earlier one's). */
  readonly last: MetricsRecord | null
  /** Whether the run stayed grokked (`grokOutcome` of all its records). */
  readonly outcome: GrokOutcome
  readonly wallTimeS: number
  readonly stepsRun: number
  readonly backend: string
  readonly threads: number
  readonly transfer: Transfer | null
}

/** summary.json's content. */
export const runSummary = (s: SessionEnd): RunSummary => ({
  status: s.interrupted ? 'interrupted' : 'finished',
  stopped_by: s.interrupted ? 'interrupt' : s.stoppedBy,
  grokked: s.grokStep !== null,
  grok_step: s.grokStep,
  stayed_grokked: s.grokStep !== null && s.outcome.stayed_grokked,
  last_test_acc_after_grok: s.grokStep === null ? null : s.outcome.last_test_acc_after_grok,
  min_test_acc_after_grok: s.grokStep === null ? null : s.outcome.min_test_acc_after_grok,
  steps: s.steps,
  resumed_from_step: s.resumedFrom,
  final:
    s.last === null
      ? null
      : { step: s.last.step, train: { loss: s.last.train_loss, acc: s.last.train_acc }, test: { loss: s.last.test_loss, acc: s.last.test_acc } },
  measures: s.last === null ? null : { W_E: { ffd: s.last.W_E.ffd, fcr: s.last.W_E.fcr }, W_L: { ffd: s.last.W_L.ffd, fcr: s.last.W_L.fcr } },
  wall_time_s: round(s.wallTimeS, 3),
  steps_per_s: round(s.stepsRun / Math.max(s.wallTimeS, 1e-9), 3),
  ms_per_step: s.stepsRun === 0 ? null : round((1000 * s.wallTimeS) / s.stepsRun, 3),
  backend: s.backend,
  threads: s.threads,
  transfer: s.transfer,
  files: FILES,
})

/** Writes summary.json (atomic). */
export const writeSummary = (run: RunFolder, s: RunSummary): void => writeJson(run.file.summary, s, 2)

/**
 * The run folder of a run trained in the page, as the CLI writes it: `config.json`
 * (the CLI's run-config codec's document), `weights.json` (`encodeWeightsFile`),
 * `metrics.jsonl` (one `MetricsRecord` a line), `state.json` (`encodeTrainState`:
 * `grokscope train --resume` continues it) and `summary.json`, zipped under the
 * CLI's default folder name. Pure: the caller gives the weights and the clock's readings.
 *
 * @example
 * import type { MetricsRecord } from '@grokscope/analysis'
 * import type { Task } from '@grokscope/data'
 * import type { ModelConfig } from '@grokscope/model'
 * import { type TrainState, PAPER_ADAMW } from '@grokscope/train'
 * import { type RunEnd, WEB_LOOP, runZip } from './RunFiles.js'
 * declare const task: Task, model: ModelConfig, records: ReadonlyArray<MetricsRecord>, state: TrainState, end: RunEnd  // a run in the page
 * const { name, zip } = runZip({ task, model, optimizer: PAPER_ADAMW, loop: WEB_LOOP, records, state, end })
 * // name: the CLI's name of the run's folder (runName); zip: a .zip holding that folder: config.json, …
 *
 * @since 0.1.0
 */
import { strToU8, zipSync } from 'fflate'
import { type MetricsRecord, grokOutcome, recordPhases } from '@grokscope/analysis'
import { type Task, TaskCodec } from '@grokscope/data'
import { type Fingerprint, type ModelConfig, encodeWeightsFile, fingerprintOf, toHost } from '@grokscope/model'
import {
  type AdamWOptions,
  type StopReason,
  type TrainState,
  GROK_THRESHOLD,
  PAPER_EVAL_EVERY,
  PAPER_MAX_STEPS,
  PAPER_STOP_AFTER_GROK,
  encodeTrainState,
} from '@grokscope/train'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** The loop settings as config.json holds them (snake case, as the CLI writes them). */
export interface LoopSettings {
  readonly max_steps: number
  readonly eval_every: number
  readonly stop_after_grok: number | null
  readonly grok_threshold: number
  readonly checkpoint_every: number
  readonly measure_every: number
}

/** How the page's run ended. */
export interface RunEnd {
  readonly stopped: boolean
  readonly stoppedBy: StopReason
  readonly grokStep: number | null
  readonly wallTimeS: number
  readonly backend: string
  /** When it ended (ms since the epoch): the files' time in the .zip. */
  readonly endedAtMs: number
}

/** Everything a run folder is written from. */
export interface RunInput {
  readonly task: Task
  readonly model: ModelConfig
  readonly optimizer: AdamWOptions
  readonly loop: LoopSettings
  readonly records: ReadonlyArray<MetricsRecord>
  /** The final state (read, not freed). */
  readonly state: TrainState
  readonly end: RunEnd
}

/** The files of a run folder, by name, as text. */
export type RunFiles = Readonly<Record<'config.json' | 'weights.json' | 'metrics.jsonl' | 'state.json' | 'summary.json', string>>

// ─────────────────────────────────────────────────────────────────────────────
// constants
// ─────────────────────────────────────────────────────────────────────────────

/** The config.json version written (the CLI's). */
export const RUN_VERSION = '0.1.0'

/** The CLI's default loop: the paper's budget, evaluation every 100 steps, stop 2000 steps after grokking. */
export const WEB_LOOP: LoopSettings = {
  max_steps: PAPER_MAX_STEPS,
  eval_every: PAPER_EVAL_EVERY,
  stop_after_grok: PAPER_STOP_AFTER_GROK,
  grok_threshold: GROK_THRESHOLD,
  checkpoint_every: 1000,
  measure_every: 0,
}

/** The file names the CLI's summary.json lists. */
const FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  weights: 'weights.json',
  state: 'state.json',
  summary: 'summary.json',
  curves: 'curves.svg',
} as const

// ─────────────────────────────────────────────────────────────────────────────
// utils
// ─────────────────────────────────────────────────────────────────────────────

const round = (x: number, digits: number): number => Number(x.toFixed(digits))

/** The CLI's default folder name: `<ops>-p<p>-r<frac>-s<seed>`. */
export const runName = (task: Task): string =>
  `${task.ops.map((op) => op.id.replace(/[^A-Za-z0-9+-]+/g, '_')).join('+')}-p${task.p}-r${task.frac}-s${task.seed}`

// ─────────────────────────────────────────────────────────────────────────────
// documents
// ─────────────────────────────────────────────────────────────────────────────

/** The run's fingerprint (task and model shape), as the CLI's config.json records it and its state.json and weights.json carry it. */
const fingerprint = (r: Pick<RunInput, 'task' | 'model'>): Fingerprint => fingerprintOf(TaskCodec.encode(r.task), r.model)

/** config.json's document. */
export const configDocument = (r: Pick<RunInput, 'task' | 'model' | 'optimizer' | 'loop'>): unknown => ({
  grokscope: RUN_VERSION,
  task: TaskCodec.encode(r.task),
  model: r.model,
  optimizer: { ...r.optimizer, frozen: [...r.optimizer.frozen] },
  loop: r.loop,
  fingerprint: fingerprint(r),
})

/** What weights.json records of the task besides the model (the fixtures' `config` fields) and the fingerprint, as the CLI writes it. */
const weightsMeta = (task: Task, model: ModelConfig, step: number): Readonly<Record<string, unknown>> => {
  const t = TaskCodec.encode(task)
  return { ...t, op: t.ops[0], op_tokens: t.ops.map((_, i) => t.p + i), frac_train: t.frac, input: '[a, op, b]', fingerprint: fingerprint({ task, model }), steps: step }
}

/** summary.json's document, the CLI's fields. */
export const summaryDocument = (r: RunInput): unknown => {
  const last = r.records.at(-1) ?? null
  const steps = r.state.step
  const outcome = grokOutcome(r.records, r.loop.grok_threshold)
  const grokked = r.end.grokStep !== null
  const wall = Math.max(r.end.wallTimeS, 1e-9)
  return {
    status: r.end.stopped ? 'interrupted' : 'finished',
    stopped_by: r.end.stopped ? 'interrupt' : r.end.stoppedBy,
    grokked,
    grok_step: r.end.grokStep,
    stayed_grokked: grokked && outcome.stayed_grokked,
    last_test_acc_after_grok: grokked ? outcome.last_test_acc_after_grok : null,
    min_test_acc_after_grok: grokked ? outcome.min_test_acc_after_grok : null,
    steps,
    resumed_from_step: null,
    final: last === null ? null : { step: last.step, train: { loss: last.train_loss, acc: last.train_acc }, test: { loss: last.test_loss, acc: last.test_acc } },
    measures: last === null ? null : { W_E: { ffd: last.W_E.ffd, fcr: last.W_E.fcr }, W_L: { ffd: last.W_L.ffd, fcr: last.W_L.fcr } },
    wall_time_s: round(r.end.wallTimeS, 3),
    steps_per_s: round(steps / wall, 3),
    ms_per_step: steps === 0 ? null : round((1000 * r.end.wallTimeS) / steps, 3),
    backend: r.end.backend,
    threads: 1,
    transfer: null,
    files: FILES,
    phases: recordPhases(r.records),
  }
}

/** The run folder's files (reads the state's tensors). */
export const runFiles = (r: RunInput): RunFiles => ({
  'config.json': `${JSON.stringify(configDocument(r), null, 2)}\n`,
  'weights.json': JSON.stringify(encodeWeightsFile(r.model, toHost(r.state.params), weightsMeta(r.task, r.model, r.state.step))),
  'metrics.jsonl': r.records.map((m) => `${JSON.stringify(m)}\n`).join(''),
  'state.json': JSON.stringify({ ...encodeTrainState(r.state), fingerprint: fingerprint(r) }),
  'summary.json': `${JSON.stringify(summaryDocument(r), null, 2)}\n`,
})

/** The run folder as a .zip (deflated) holding one folder, named as the CLI names it. */
export const runZip = (r: RunInput): { readonly name: string; readonly zip: Uint8Array } => {
  const name = runName(r.task)
  const files = runFiles(r)
  return { name, zip: zipSync({ [name]: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)])) }, { level: 6, mtime: r.end.endedAtMs }) }
}

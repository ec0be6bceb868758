/**
 * A run's summary.json: how its last session ended (finished or interrupted, and by
 * what: a diverged run is finished, `stopped_by: "diverged"` at `diverged_step`), whether
 * and when it grokked and whether it stayed grokked, its last evaluation with finite
 * losses and its measures, its speed. One codec writes and reads it; fields newer than
 * 0.1.0's first summaries are optional when read, and a `null` number (a non-finite one,
 * as 0.2.0 wrote a diverged run's) reads as NaN.
 *
 * @example
 * import { decodeSummary, runSummary, EMPTY_RUN_END } from '@grokscope/runs'
 * const s = runSummary({ ...EMPTY_RUN_END, interrupted: true, steps: 100, wallTimeS: 2, stepsRun: 100 })
 * s.status // => 'interrupted'
 * s.ms_per_step // => 20
 * decodeSummary(JSON.parse(JSON.stringify(s)))._tag // => 'Right'
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { firstProblem } from '@grokscope/data'
import type { StopReason } from '@grokscope/train'
import { type Transfer, TransferCodec } from './Config.js'
import { RUN_FILES } from './Files.js'
import { type GrokOutcome, grokOutcome } from './Outcome.js'
import { JsonNumber, type MetricsRecord, recordPhases, round } from './Record.js'
import { type Stability, runStability } from './Stability.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

const Metrics = t.type({ loss: JsonNumber, acc: JsonNumber })
const Measure = t.type({ ffd: JsonNumber, fcr: JsonNumber })
const NullableNumber = t.union([t.number, t.null])
const Excursion = t.readonly(t.tuple([t.number, t.number]))
const StabilityCodec: t.Type<Stability, unknown, unknown> = t.readonly(t.type({
  fitted_step: NullableNumber,
  unstable: t.boolean,
  excursions: t.readonlyArray(Excursion),
  excursion_count: t.number,
  ended_outside: t.boolean,
  lowest_train_acc: NullableNumber,
  highest_loss_rise: NullableNumber,
}))
const Phases = t.type({ memorisationEnd: NullableNumber, circuitFormationEnd: NullableNumber, cleanupEnd: NullableNumber })

/** summary.json: the fields every summary has, then the newer ones (optional when read). */
export const SummaryCodec = t.intersection([
  t.type({
    status: t.keyof({ finished: null, interrupted: null }),
    /** `max-steps`, `grokked`, `callback`, `interrupt` or `diverged` (read as any text: a newer reason is kept as it is). */
    stopped_by: t.string,
    grokked: t.boolean,
    grok_step: NullableNumber,
    steps: t.number,
    /** The last evaluation whose losses are finite (of a diverged run: the last one before it diverged). */
    final: t.union([t.null, t.type({ step: t.number, train: Metrics, test: Metrics })]),
    measures: t.union([t.null, t.type({ W_E: Measure, W_L: Measure })]),
    wall_time_s: t.number,
  }),
  t.partial({
    /** Whether every evaluation from the grok step to the last kept test accuracy at or above the threshold (false: never grokked). */
    stayed_grokked: t.boolean,
    /** The last evaluation's test accuracy, when the run grokked. */
    last_test_acc_after_grok: NullableNumber,
    /** The lowest test accuracy from the grok step on, when the run grokked. */
    min_test_acc_after_grok: NullableNumber,
    resumed_from_step: NullableNumber,
    steps_per_s: t.number,
    ms_per_step: NullableNumber,
    backend: t.string,
    threads: t.number,
    /** The source, loaded and frozen parts (config.json's `transfer`), or null: trained from scratch. */
    transfer: t.union([TransferCodec, t.null]),
    files: t.record(t.string, t.string),
    /** Where memorisation, circuit formation and cleanup end (`recordPhases` of the run's metrics). */
    phases: Phases,
    /** Whether the run left its fitted training set again (`runStability` of its metrics; newer than 0.2.0). */
    stability: StabilityCodec,
    /** The step at which a diverged run's loss or weights were first not finite (only with `stopped_by: "diverged"`). */
    diverged_step: t.number,
  }),
])

/** summary.json, decoded. */
export type Summary = t.TypeOf<typeof SummaryCodec>

/** How a run's last session of training ended. */
export interface RunEnd {
  readonly interrupted: boolean
  readonly stoppedBy: StopReason
  /** The step at which the loss or the weights were first not finite: the run diverged and stopped there (null: it did not). */
  readonly divergedStep: number | null
  readonly grokStep: number | null
  readonly steps: number
  readonly resumedFrom: number | null
  /** The run's evaluations (this session's and earlier ones'), in step order. */
  readonly records: ReadonlyArray<MetricsRecord>
  readonly grokThreshold: number
  readonly wallTimeS: number
  readonly stepsRun: number
  readonly backend: string
  readonly threads: number
  readonly transfer: Transfer | null
}

/** A run that took no step and evaluated nothing: a base for `runSummary`'s input. */
export const EMPTY_RUN_END: RunEnd = {
  interrupted: false,
  stoppedBy: 'max-steps',
  divergedStep: null,
  grokStep: null,
  steps: 0,
  resumedFrom: null,
  records: [],
  grokThreshold: 0.99,
  wallTimeS: 0,
  stepsRun: 0,
  backend: 'wasm',
  threads: 1,
  transfer: null,
}

// ─────────────────────────────────────────────────────────────────────────────
// constructors
// ─────────────────────────────────────────────────────────────────────────────

/**
 * Whether a record's losses are finite (a diverged run's last record's are not).
 *
 * @since 0.3.0
 */
export const finiteLosses = (r: MetricsRecord): boolean => Number.isFinite(r.train_loss) && Number.isFinite(r.test_loss)

/** summary.json's content; a diverged run is finished, stopped by `diverged` (not interrupted, whatever the caller asked). */
export const runSummary = (s: RunEnd): Summary => {
  const last = s.records.filter(finiteLosses).at(-1) ?? null
  const outcome: GrokOutcome = grokOutcome(s.records, s.grokThreshold)
  const diverged = s.divergedStep !== null
  return {
    status: s.interrupted && !diverged ? 'interrupted' : 'finished',
    stopped_by: diverged ? 'diverged' : s.interrupted ? 'interrupt' : s.stoppedBy,
    ...(s.divergedStep === null ? {} : { diverged_step: s.divergedStep }),
    grokked: s.grokStep !== null,
    grok_step: s.grokStep,
    stayed_grokked: s.grokStep !== null && outcome.stayed_grokked,
    last_test_acc_after_grok: s.grokStep === null ? null : outcome.last_test_acc_after_grok,
    min_test_acc_after_grok: s.grokStep === null ? null : outcome.min_test_acc_after_grok,
    steps: s.steps,
    resumed_from_step: s.resumedFrom,
    final:
      last === null
        ? null
        : { step: last.step, train: { loss: last.train_loss, acc: last.train_acc }, test: { loss: last.test_loss, acc: last.test_acc } },
    measures: last === null ? null : { W_E: { ffd: last.W_E.ffd, fcr: last.W_E.fcr }, W_L: { ffd: last.W_L.ffd, fcr: last.W_L.fcr } },
    wall_time_s: round(s.wallTimeS, 3),
    steps_per_s: round(s.stepsRun / Math.max(s.wallTimeS, 1e-9), 3),
    ms_per_step: s.stepsRun === 0 ? null : round((1000 * s.wallTimeS) / s.stepsRun, 3),
    backend: s.backend,
    threads: s.threads,
    transfer: s.transfer,
    files: { ...RUN_FILES },
    phases: recordPhases(s.records, s.grokThreshold),
    stability: runStability(s.records),
  }
}

/** A parsed summary.json; `Left` names the field. */
export const decodeSummary = (u: unknown): E.Either<string, Summary> => E.mapLeft(firstProblem)(SummaryCodec.decode(u))

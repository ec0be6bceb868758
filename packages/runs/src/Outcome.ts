/**
 * Whether a run that grokked stayed grokked: "grokked" is the first evaluation whose
 * test accuracy (of every operation) reaches the threshold, which hides a model that
 * groks and then falls back (the fast recipe at p = 23, r = 0.7: sub grokked at step
 * 300 and ended at 0.35). The outcome reads every evaluation from the grok step to
 * the last: whether each one stayed at or above the threshold, and the last and the
 * lowest test accuracy among them. A mixture's accuracy here is its worst operation's,
 * the accuracy the grokking rule reads.
 *
 * @example
 * import { type MetricsRecord, grokOutcome } from '@grokscope/runs'
 * declare const records: ReadonlyArray<MetricsRecord>  // a run's metrics.jsonl, in step order
 * grokOutcome(records)  // { grok_step, stayed_grokked, last_test_acc_after_grok, min_test_acc_after_grok }
 *
 * @since 0.1.0
 */
import type { MetricsRecord } from './Record.js'

/** A run's grokking outcome (the summary's and the results table's fields). */
export interface GrokOutcome {
  /** The first step whose test accuracy reached the threshold; `null`: it never did. */
  readonly grok_step: number | null
  /** Whether every evaluation from the grok step to the last stayed at or above the threshold (`false` when it never grokked). */
  readonly stayed_grokked: boolean
  /** The last evaluation's test accuracy, when the run grokked. */
  readonly last_test_acc_after_grok: number | null
  /** The lowest test accuracy from the grok step on, when the run grokked. */
  readonly min_test_acc_after_grok: number | null
}

/**
 * The test accuracy the grokking rule reads: of every operation, the lowest (a single operation's: `test_acc`); an
 * operation without test pairs (NaN) does not count.
 */
export const gatingTestAcc = (r: MetricsRecord): number => {
  const perOp = r.per_op === undefined ? [] : Object.values(r.per_op).map((m) => m.test.acc).filter((a) => !Number.isNaN(a))
  return perOp.length === 0 ? r.test_acc : Math.min(...perOp)
}

/**
 * The outcome of a run's records (in step order): the grok step is the first one
 * recorded (`grok_step` of the lines), or, for records that do not carry it, the first
 * step at or above `threshold`.
 */
export const grokOutcome = (records: ReadonlyArray<MetricsRecord>, threshold = 0.99): GrokOutcome => {
  const recorded = records.find((r) => r.grok_step !== null)?.grok_step ?? null
  const grokStep = recorded ?? records.find((r) => gatingTestAcc(r) >= threshold)?.step ?? null
  const after = grokStep === null ? [] : records.filter((r) => r.step >= grokStep).map(gatingTestAcc)
  if (grokStep === null || after.length === 0) {
    return { grok_step: grokStep, stayed_grokked: false, last_test_acc_after_grok: null, min_test_acc_after_grok: null }
  }
  return {
    grok_step: grokStep,
    stayed_grokked: after.every((a) => a >= threshold),
    last_test_acc_after_grok: after.at(-1)!,
    min_test_acc_after_grok: Math.min(...after),
  }
}

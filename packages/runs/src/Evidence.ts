/**
 * A run's evidence for the claims (`RunEvidence` of Claims.ts), from what its folder holds: its
 * summary and metrics give whether and when it fitted, grokked, stayed grokked, left its fitted
 * training set or diverged, and the curve claim 5 reads; its weights (the end's, or the grok
 * step's when it grokked and fell back: `evidenceStep`) give the measures the pattern claims read
 * (`weightEvidence`). The caller reads the files; everything here is pure but for the forward passes
 * of `weightEvidence` over all `p²` pairs (tfjs, disposed).
 *
 * @example
 * import { evidenceOf, evidenceStep } from '@grokscope/runs'
 * const run = { name: 'add-p7-r0.6-s0', ops: ['add'], p: 7, frac: 0.6, seed: 0, variant: { load: [], freeze: [] }, config: null }
 * const read = { summary: null, records: [], measures: null, weightsAt: 'end', sourceGrokked: null } as const  // no folder yet
 * const e = evidenceOf({ run, stage: 'ops', transfer: 'scratch', ...read })
 * e.finished // => false
 * evidenceStep([]) // => null
 *
 * @since 0.4.0
 */
import { fourierMeasures, logitsMapOf, multiplicativeMeasures } from '@grokscope/analysis'
import { asymmetry, cosineShare } from '@grokscope/measures'
import type { HostParams, ModelConfig } from '@grokscope/model'
import type { CurvePoint, RunEvidence, TransferKind, WeightEvidence } from './Claims.js'
import { gatingTestAcc, grokOutcome } from './Outcome.js'
import type { PlannedRun } from './Plan.js'
import type { MetricsRecord } from './Record.js'
import { FIT_ACC, runStability } from './Stability.js'
import type { Summary } from './Summary.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** What a planned run's folder gave: its summary and metrics (none: not started), and the measures of the weights read. */
export interface EvidenceInput {
  readonly run: PlannedRun
  readonly stage: string
  readonly transfer: TransferKind
  /** summary.json (null: none). A run is finished when its status is `finished` (a diverged run is finished). */
  readonly summary: Summary | null
  /** metrics.jsonl's records, in step order. */
  readonly records: ReadonlyArray<MetricsRecord>
  readonly measures: WeightEvidence | null
  readonly weightsAt: 'end' | 'grok'
  /** For a transfer run: whether its source grokked and stayed grokked (`grokkedAndStayed`); null for a run from scratch. */
  readonly sourceGrokked: boolean | null
}

// ─────────────────────────────────────────────────────────────────────────────
// measures
// ─────────────────────────────────────────────────────────────────────────────

/**
 * The measures of a model's weights that the claims read: FFD/FCR of `W_E` and `W_L` (additive basis, η = 0.5), the
 * cosines' share of `W_E`'s spectrum, FFD/FCR of `W_E` in the multiplicative basis, and the asymmetry of its first
 * operation's logits map (`logitsMapOf`: `mapClasses` classes per forward pass over all `p²` pairs, by default all), from
 * forward passes in chunks of at most `chunk` pairs.
 */
export const weightEvidence = (c: ModelConfig, host: HostParams, p: number, chunk?: number, mapClasses?: number): WeightEvidence => {
  const additive = fourierMeasures(c, host, p)
  const multiplicative = multiplicativeMeasures(c, host, p)
  return {
    ffdWE: additive.W_E.ffd,
    fcrWE: additive.W_E.fcr,
    cosShareWE: cosineShare(additive.W_E.spectrum),
    ffdWL: additive.W_L.ffd,
    fcrWL: additive.W_L.fcr,
    mulFfdWE: multiplicative?.W_E.ffd ?? null,
    mulFcrWE: multiplicative?.W_E.fcr ?? null,
    asymmetry: asymmetry(logitsMapOf(c, host, p, 0, chunk, mapClasses)),
  }
}

// ─────────────────────────────────────────────────────────────────────────────
// constructors
// ─────────────────────────────────────────────────────────────────────────────

/** Whether a run's records show it grokked and stayed grokked (a transfer run's source must have, to count). */
export const grokkedAndStayed = (records: ReadonlyArray<MetricsRecord>): boolean => {
  const o = grokOutcome(records)
  return o.grok_step !== null && o.stayed_grokked
}

/** The step whose weights the evidence reads: the grok step of a run that grokked and fell back, else null (the end's weights). */
export const evidenceStep = (records: ReadonlyArray<MetricsRecord>): number | null => {
  const o = grokOutcome(records)
  return o.grok_step !== null && !o.stayed_grokked ? o.grok_step : null
}

const finiteOrNull = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null)

/** The curve claim 5 reads: each evaluation's step, accuracies and `W_E`'s FFD and FCR. */
const curveOf = (records: ReadonlyArray<MetricsRecord>): ReadonlyArray<CurvePoint> =>
  records.map((r) => ({ step: r.step, trainAcc: r.train_acc, testAcc: gatingTestAcc(r), ffdWE: r.W_E.ffd, fcrWE: r.W_E.fcr }))

/**
 * A planned run's evidence. A run without a finished summary is `finished: false` with every field empty; a finished
 * one reads its outcome from its records (`grokOutcome`, `runStability`: the summary's stability when it has one).
 */
export const evidenceOf = (i: EvidenceInput): RunEvidence => {
  const { run, summary, records } = i
  const base = {
    name: run.name,
    stage: i.stage,
    op: run.ops.join('+'),
    p: run.p,
    frac: run.frac,
    seed: run.seed,
    transfer: i.transfer,
    sourceGrokked: i.sourceGrokked,
  }
  if (summary?.status !== 'finished') {
    return {
      ...base,
      finished: false,
      steps: 0,
      grokStep: null,
      stayedGrokked: false,
      fitStep: null,
      unstable: false,
      diverged: false,
      finalTestAcc: null,
      bestTestAcc: null,
      weightsAt: 'end',
      measures: null,
      curve: [],
    }
  }
  const outcome = grokOutcome(records)
  const tests = records.map(gatingTestAcc).filter(Number.isFinite)
  return {
    ...base,
    finished: true,
    steps: summary.steps,
    grokStep: outcome.grok_step,
    stayedGrokked: outcome.grok_step !== null && outcome.stayed_grokked,
    fitStep: records.find((r) => r.train_acc >= FIT_ACC)?.step ?? null,
    unstable: (summary.stability ?? runStability(records)).unstable,
    diverged: summary.stopped_by === 'diverged',
    finalTestAcc: finiteOrNull(summary.final?.test.acc),
    bestTestAcc: tests.length === 0 ? null : Math.max(...tests),
    weightsAt: i.weightsAt,
    measures: i.measures,
    curve: curveOf(records),
  }
}

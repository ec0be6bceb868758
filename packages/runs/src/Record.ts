/**
 * The record a run keeps of each evaluation (one line of `metrics.jsonl`): losses
 * and accuracies, per operation for a mixture, FFD/FCR of `W_E` and `W_L` in both
 * bases, weight norms, and at `--measure-every` the all-pairs logit measures. Built
 * by a pure function and read back with an io-ts codec of the same type.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { decodeMetricsLine, metricsRecord } from '@grokscope/runs'
 * import { initParams, paperConfig, toHost } from '@grokscope/model'
 * const config = paperConfig({ dVocab: 8, nOut: 7, dModel: 16, nHeads: 2, dHead: 8, dMlp: 32 })
 * const metrics = { loss: 1.5, accuracy: 0.25, perOp: [] }  // an evaluation of the training loop
 * const record = metricsRecord({
 *   step: 100,
 *   train: metrics,
 *   test: metrics,
 *   grokStep: null,
 *   host: toHost(initParams(config, 0)),
 *   config,
 *   p: 7,
 *   ops: [{ id: 'add', op: null }],
 *   seed: 0,
 *   measureLogits: false,
 *   elapsedS: 12.5,
 *   numTensors: 40,
 * })
 * const line = JSON.stringify(record)  // a line of metrics.jsonl
 * decodeMetricsLine(JSON.parse(line))  // => E.right(record)
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import {
  type LogitMeasures,
  type ModelOp,
  fourierMeasures,
  hostWeightNorms,
  logitMeasures,
  multiplicativeMeasures,
} from '@grokscope/analysis'
import { firstProblem } from '@grokscope/data'
import { type PhaseBoundaries, fourierNorms, gini, phaseBoundaries } from '@grokscope/measures'
import type { HostParams, ModelConfig } from '@grokscope/model'
import type { Evaluation, Metrics } from '@grokscope/train'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/**
 * A number that JSON may hold as `null` (JSON has no NaN or ±Infinity): `null` decodes to NaN.
 *
 * @since 0.3.0
 */
export const JsonNumber = new t.Type<number, number | null, unknown>(
  'a number or null',
  (u): u is number => typeof u === 'number',
  (u, c) => (typeof u === 'number' ? t.success(u) : u === null ? t.success(NaN) : t.failure(u, c)),
  (n) => (Number.isNaN(n) ? null : n),
)

const OpMetricsCodec = t.type({ loss: JsonNumber, acc: JsonNumber })

// `gini` (the Gini coefficient of the Fourier norms) is newer than 0.1.0's lines.
const WeightMeasuresCodec = t.intersection([
  t.type({ ffd: JsonNumber, fcr: JsonNumber }),
  t.partial({ ffd_mult: JsonNumber, fcr_mult: JsonNumber, gini: JsonNumber }),
])

// The excluded losses (on the training pairs) are newer than 0.1.0's lines; so is `key_rule`
// (the key-frequency rule as `--key-freqs` spells it; without it, the lines' rule was `energy:0.1`).
const LogitMeasuresCodec: t.Type<LogitMeasures, unknown, unknown> = t.intersection([
  t.type({ asymmetry: JsonNumber, key: t.array(t.number), n_key: t.number, restricted_loss: JsonNumber, full_loss: JsonNumber }),
  t.partial({ key_rule: t.string, train_loss: JsonNumber, excluded_loss: JsonNumber, excluded: t.array(JsonNumber) }),
])

/** One line of `metrics.jsonl`. */
export const MetricsRecordCodec = t.intersection([
  t.type({
    step: t.number,
    train_loss: JsonNumber,
    train_acc: JsonNumber,
    test_loss: JsonNumber,
    test_acc: JsonNumber,
    W_E: WeightMeasuresCodec,
    W_L: WeightMeasuresCodec,
    grok_step: t.union([t.number, t.null]),
    elapsed_s: t.number,
    num_tensors: t.number,
  }),
  t.partial({
    per_op: t.record(t.string, t.type({ train: OpMetricsCodec, test: OpMetricsCodec })),
    weight_norm: JsonNumber,
    weight_norms: t.record(t.string, JsonNumber),
    logits: t.record(t.string, LogitMeasuresCodec),
  }),
])

/** One line of `metrics.jsonl`. */
export type MetricsRecord = t.TypeOf<typeof MetricsRecordCodec>

/** What a record is made of: an evaluation, the weights then, the task, and the caller's clock reading. */
export interface RecordInput {
  readonly step: number
  readonly train: Evaluation
  readonly test: Evaluation
  readonly grokStep: number | null
  readonly host: HostParams
  readonly config: ModelConfig
  readonly p: number
  readonly ops: ReadonlyArray<ModelOp>
  readonly seed: number
  /** Also evaluate all `p²` pairs (asymmetry, key frequencies, restricted and full loss, and given `trainLabels` the excluded losses). */
  readonly measureLogits: boolean
  /** Pairs per forward pass of those measures (default: all `p²` in one pass). */
  readonly chunk?: number
  /** Per operation, the label of each training pair (`a·p + b`) and −1 for the others (`trainPairLabels`): for the excluded losses. */
  readonly trainLabels?: ReadonlyArray<Int32Array>
  readonly elapsedS: number
  /** tfjs tensors alive (`tf.memory().numTensors`): flat over a healthy run. */
  readonly numTensors: number
}

// ─────────────────────────────────────────────────────────────────────────────
// constructors
// ─────────────────────────────────────────────────────────────────────────────

/** `x` with `digits` decimals, as a number (keeps the lines short). */
export const round = (x: number, digits = 6): number => Number(x.toFixed(digits))

const opMetrics = (m: Metrics) => ({ loss: m.loss, acc: m.accuracy })

/** The record of one evaluation. */
export const metricsRecord = (r: RecordInput): MetricsRecord => {
  const add = fourierMeasures(r.config, r.host, r.p)
  const mult = multiplicativeMeasures(r.config, r.host, r.p)
  const norms = hostWeightNorms(r.host)
  const logits = r.measureLogits
    ? Object.fromEntries(r.ops.flatMap((op, i) => {
        const m = logitMeasures(r.config, r.host, r.p, i, op, r.seed, r.chunk, r.trainLabels?.[i])
        return m === null ? [] : [[op.id, m] as const]
      }))
    : undefined
  return {
    step: r.step,
    train_loss: r.train.loss,
    train_acc: r.train.accuracy,
    test_loss: r.test.loss,
    test_acc: r.test.accuracy,
    ...(r.ops.length > 1
      ? {
          per_op: Object.fromEntries(
            r.ops.map((op, i) => [op.id, { train: opMetrics(r.train.perOp[i]!), test: opMetrics(r.test.perOp[i]!) }]),
          ),
        }
      : {}),
    W_E: {
      ffd: round(add.W_E.ffd),
      fcr: round(add.W_E.fcr),
      ...(mult === null ? {} : { ffd_mult: round(mult.W_E.ffd), fcr_mult: round(mult.W_E.fcr) }),
      gini: round(gini(fourierNorms(add.W_E.spectrum))),
    },
    W_L: {
      ffd: round(add.W_L.ffd),
      fcr: round(add.W_L.fcr),
      ...(mult === null ? {} : { ffd_mult: round(mult.W_L.ffd), fcr_mult: round(mult.W_L.fcr) }),
      gini: round(gini(fourierNorms(add.W_L.spectrum))),
    },
    weight_norm: round(norms.total),
    weight_norms: Object.fromEntries(Object.entries(norms.perMatrix).map(([k, v]) => [k, round(v)])),
    ...(logits === undefined ? {} : { logits }),
    grok_step: r.grokStep,
    elapsed_s: round(r.elapsedS, 3),
    num_tensors: r.numTensors,
  }
}

// ─────────────────────────────────────────────────────────────────────────────
// decoding
// ─────────────────────────────────────────────────────────────────────────────

/** A parsed line of `metrics.jsonl`; `Left` names the field. */
export const decodeMetricsLine = (u: unknown): E.Either<string, MetricsRecord> => E.mapLeft(firstProblem)(MetricsRecordCodec.decode(u))

/** The phase boundaries (`phaseBoundaries` of `@grokscope/measures`) of a run's records, in step order. */
export const recordPhases = (records: ReadonlyArray<MetricsRecord>, threshold?: number): PhaseBoundaries =>
  phaseBoundaries(records.map((r) => ({ step: r.step, trainAcc: r.train_acc, testLoss: r.test_loss, testAcc: r.test_acc })), threshold)

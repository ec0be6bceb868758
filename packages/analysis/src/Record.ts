/**
 * The record a run keeps of each evaluation (one line of `metrics.jsonl`): losses
 * and accuracies, per operation for a mixture, FFD/FCR of `W_E` and `W_L` in both
 * bases, weight norms, and at `--measure-every` the all-pairs logit measures. Built
 * by a pure function and read back with an io-ts codec of the same type.
 *
 * @example
 * import { metricsRecord, decodeMetricsLine } from '@grokscope/analysis'
 * const line = JSON.stringify(metricsRecord({ ...evaluation, host, config, p, ops, seed, measureLogits: false, elapsedS, numTensors }))
 * decodeMetricsLine(JSON.parse(line))  // Right(the same record)
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { firstProblem, labelTable } from '@grokscope/data'
import { asymmetry, keyFrequencyAnalysis, logitsFourierMap } from '@grokscope/measures'
import type { HostParams, ModelConfig } from '@grokscope/model'
import type { Evaluation, Metrics } from '@grokscope/train'
import { allPairsOutputs } from './AllPairs.js'
import type { ModelOp } from './Task.js'
import { fourierMeasures, hostWeightNorms, multiplicativeMeasures } from './Weights.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** A number that JSON may hold as `null` (JSON has no NaN): `null` decodes to NaN. */
const Num = new t.Type<number, number | null, unknown>(
  'a number or null',
  (u): u is number => typeof u === 'number',
  (u, c) => (typeof u === 'number' ? t.success(u) : u === null ? t.success(NaN) : t.failure(u, c)),
  (n) => (Number.isNaN(n) ? null : n),
)

const OpMetricsCodec = t.type({ loss: Num, acc: Num })

const WeightMeasuresCodec = t.intersection([t.type({ ffd: Num, fcr: Num }), t.partial({ ffd_mult: Num, fcr_mult: Num })])

const LogitMeasuresCodec = t.type({ asymmetry: Num, key: t.array(t.number), n_key: t.number, restricted_loss: Num, full_loss: Num })

/** One line of `metrics.jsonl`. */
export const MetricsRecordCodec = t.intersection([
  t.type({
    step: t.number,
    train_loss: Num,
    train_acc: Num,
    test_loss: Num,
    test_acc: Num,
    W_E: WeightMeasuresCodec,
    W_L: WeightMeasuresCodec,
    grok_step: t.union([t.number, t.null]),
    elapsed_s: t.number,
    num_tensors: t.number,
  }),
  t.partial({
    per_op: t.record(t.string, t.type({ train: OpMetricsCodec, test: OpMetricsCodec })),
    weight_norm: Num,
    weight_norms: t.record(t.string, Num),
    logits: t.record(t.string, LogitMeasuresCodec),
  }),
])

/** One line of `metrics.jsonl`. */
export type MetricsRecord = t.TypeOf<typeof MetricsRecordCodec>

/** The all-pairs logit measures of one operation. */
export type LogitMeasures = t.TypeOf<typeof LogitMeasuresCodec>

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
  /** Also evaluate all `p²` pairs (asymmetry, key frequencies, restricted and full loss). */
  readonly measureLogits: boolean
  /** Pairs per forward pass of those measures (default: all `p²` in one pass). */
  readonly chunk?: number
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

/** Asymmetry, key frequencies, restricted and full loss of operation `i` (token `p + i`) on all pairs; `null` when its labels are unknown. */
export const logitMeasures = (c: ModelConfig, host: HostParams, p: number, i: number, op: ModelOp, seed: number, chunk?: number): LogitMeasures | null => {
  if (op.op === null) return null
  const { logits } = allPairsOutputs(c, host, p, i, chunk)
  const kf = keyFrequencyAnalysis(logits, labelTable(op.op, p, seed), p)
  return { asymmetry: asymmetry(logitsFourierMap(logits, p)), key: [...kf.key], n_key: kf.key.length, restricted_loss: kf.losses.keyOnly, full_loss: kf.losses.all }
}

/** The record of one evaluation. */
export const metricsRecord = (r: RecordInput): MetricsRecord => {
  const add = fourierMeasures(r.config, r.host, r.p)
  const mult = multiplicativeMeasures(r.config, r.host, r.p)
  const norms = hostWeightNorms(r.host)
  const logits = r.measureLogits
    ? Object.fromEntries(r.ops.flatMap((op, i) => {
        const m = logitMeasures(r.config, r.host, r.p, i, op, r.seed, r.chunk)
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
      ? { per_op: Object.fromEntries(r.ops.map((op, i) => [op.id, { train: opMetrics(r.train.perOp[i]!), test: opMetrics(r.test.perOp[i]!) }])) }
      : {}),
    W_E: { ffd: round(add.W_E.ffd), fcr: round(add.W_E.fcr), ...(mult === null ? {} : { ffd_mult: round(mult.W_E.ffd), fcr_mult: round(mult.W_E.fcr) }) },
    W_L: { ffd: round(add.W_L.ffd), fcr: round(add.W_L.fcr), ...(mult === null ? {} : { ffd_mult: round(mult.W_L.ffd), fcr_mult: round(mult.W_L.fcr) }) },
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

/**
 * The all-pairs logit measures of one operation, as a run records them at
 * `--measure-every` and the report's history shows them: the asymmetry of the logits
 * map, the key frequencies (by the `auto` rule) with the restricted and full loss, and
 * given the training pairs' labels Nanda's excluded losses there.
 *
 * @example
 * import { trainPairLabels } from '@grokscope/analysis'
 * // tokens [a, op, b] of two training pairs of p = 3 (op token 3) and their labels
 * Array.from(trainPairLabels(Int32Array.from([0, 3, 1, 2, 3, 2]), Int32Array.from([1, 1]), 3, 1)[0]!) // => [-1, 1, -1, -1, -1, -1, -1, -1, 1]
 *
 * @since 0.2.0
 */
import { labelTable } from '@grokscope/data'
import {
  type Matrix,
  asymmetry,
  crossEntropySink,
  excludedLossesSink,
  fourierMapBlock,
  keySelection,
  mapOfSquares,
  pairSpectraSink,
  showKeyRule,
} from '@grokscope/measures'
import type { HostParams, ModelConfig } from '@grokscope/model'
import { forEachPairRow } from './AllPairs.js'
import type { ModelOp } from './Task.js'

/**
 * The all-pairs logit measures of one operation (a metrics line's `logits.<op>`; the excluded losses are newer than
 * 0.1.0's lines, and so is `key_rule`).
 */
export interface LogitMeasures {
  readonly asymmetry: number
  /** The key-frequency rule as `--key-freqs` spells it (missing in 0.1.0's lines, whose rule was `energy:0.1`). */
  readonly key_rule?: string
  readonly key: Array<number>
  readonly n_key: number
  readonly restricted_loss: number
  readonly full_loss: number
  readonly train_loss?: number
  readonly excluded_loss?: number
  readonly excluded?: Array<number>
}

/**
 * Per operation, the labels of the training pairs at `a·p + b` and −1 elsewhere, from a training set's `[a, op, b]`
 * tokens (op token `p + i`).
 */
export const trainPairLabels = (tokens: Int32Array, labels: Int32Array, p: number, nOps: number): ReadonlyArray<Int32Array> => {
  const out = Array.from({ length: nOps }, () => new Int32Array(p * p).fill(-1))
  for (let n = 0; n < labels.length; n++) out[tokens[3 * n + 1]! - p]![tokens[3 * n]! * p + tokens[3 * n + 2]!] = labels[n]!
  return out
}

/**
 * The logits map of operation `i` (`logitsFourierMap` of its logits on all `p²` pairs), streamed: `mapClasses` classes of
 * its transform per forward pass over the pairs (by default all: one pass, `p²·n_out` values), chunks of at most
 * `chunk` pairs per forward.
 *
 * @since 0.5.0
 */
export const logitsMapOf = (c: ModelConfig, host: HostParams, p: number, i: number, chunk?: number, mapClasses?: number): Matrix => {
  const n = c.nOut
  const width = Math.max(1, Math.min(n, Math.floor(mapClasses ?? n)))
  const squares = new Float64Array(p * p)
  for (let from = 0; from < n; from += width) {
    const block = fourierMapBlock(p, n, from, Math.min(n, from + width))
    forEachPairRow(c, host, p, i, chunk ?? Infinity, (a, logits) => block.addRow(a, logits))
    block.addSquaresTo(squares)
  }
  return mapOfSquares(squares, p)
}

/**
 * Asymmetry, key frequencies (by the default rule, `auto`: see `keyFrequencies`), restricted and full loss of operation
 * `i` (token `p + i`) on all pairs, and given its training pairs' labels, Nanda's excluded losses there: without each
 * key frequency (`excluded`, in `key`'s order) and without all of them (`excluded_loss`), beside the training loss of
 * the same logits (`train_loss`). `null` when the operation's labels are unknown. Streamed one row `a` at a time from
 * forward passes of at most `chunk` pairs: the logits map's transform (`p²·n_out` values) is all it holds of size p³;
 * with training labels, the logits are computed twice.
 */
export const logitMeasures = (
  c: ModelConfig,
  host: HostParams,
  p: number,
  i: number,
  op: ModelOp,
  seed: number,
  chunk?: number,
  trainLabels?: Int32Array,
): LogitMeasures | null => {
  if (op.op === null) return null
  const n = c.nOut
  const labels = labelTable(op.op, p, seed)
  const block = fourierMapBlock(p, n, 0, n)
  const spectra = pairSpectraSink(p, n)
  const full = crossEntropySink(labels, p, n)
  forEachPairRow(c, host, p, i, chunk ?? Infinity, (a, logits) => {
    block.addRow(a, logits)
    spectra.addRow(a, logits)
    full.addRow(a, logits)
  })
  const squares = new Float64Array(p * p)
  block.addSquaresTo(squares)
  const s = spectra.spectra()
  const kf = keySelection(s, labels, full.mean())
  const base = {
    asymmetry: asymmetry(mapOfSquares(squares, p)),
    key_rule: showKeyRule(kf.rule),
    key: [...kf.key],
    n_key: kf.key.length,
    restricted_loss: kf.restricted,
    full_loss: kf.full,
  }
  if (trainLabels === undefined) return base
  const excluded = excludedLossesSink(s, kf.key, trainLabels)
  forEachPairRow(c, host, p, i, chunk ?? Infinity, (a, logits) => excluded.addRow(a, logits))
  const ex = excluded.losses()
  return { ...base, train_loss: ex.full, excluded_loss: ex.allKey, excluded: [...ex.perFrequency] }
}

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
import { asymmetry, excludedLosses, keyFrequencies, logitsFourierMap, showKeyRule } from '@grokscope/measures'
import type { HostParams, ModelConfig } from '@grokscope/model'
import { allPairsOutputs } from './AllPairs.js'
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
 * Asymmetry, key frequencies (by the default rule, `auto`: see `keyFrequencies`), restricted and full loss of operation
 * `i` (token `p + i`) on all pairs, and given its training pairs' labels, Nanda's excluded losses there: without each
 * key frequency (`excluded`, in `key`'s order) and without all of them (`excluded_loss`), beside the training loss of
 * the same logits (`train_loss`). `null` when the operation's labels are unknown.
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
  const { logits } = allPairsOutputs(c, host, p, i, chunk)
  const kf = keyFrequencies(logits, labelTable(op.op, p, seed), p)
  const base = {
    asymmetry: asymmetry(logitsFourierMap(logits, p)),
    key_rule: showKeyRule(kf.rule),
    key: [...kf.key],
    n_key: kf.key.length,
    restricted_loss: kf.restricted,
    full_loss: kf.full,
  }
  if (trainLabels === undefined) return base
  const ex = excludedLosses(logits, trainLabels, p, kf.key)
  return { ...base, train_loss: ex.full, excluded_loss: ex.allKey, excluded: [...ex.perFrequency] }
}

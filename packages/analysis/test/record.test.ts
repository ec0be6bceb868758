// The metrics record: built from an evaluation, written as JSON, read back by its codec unchanged.
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { resolveOperation } from '@grokscope/data'
import { disposeParams, initParams, paperConfig, toHost } from '@grokscope/model'
import { type MetricsRecord, decodeMetricsLine, metricsRecord } from '../src/index.js'

const P = 7
const config = paperConfig({ dVocab: P + 2, nOut: P, dModel: 16, nHeads: 2, dHead: 8, dMlp: 32 })
const op = (id: string) => {
  const r = resolveOperation(id)
  if (E.isLeft(r)) throw new Error(id)
  return { id, op: r.right }
}
const evaluation = (loss: number, accuracy: number) => ({ loss, accuracy, perOp: [{ loss, accuracy }, { loss: NaN, accuracy: NaN }] })

const record = (measureLogits: boolean): MetricsRecord => {
  const params = initParams(config, 3)
  const host = toHost(params)
  disposeParams(params)
  return metricsRecord({
    step: 100,
    train: evaluation(0.5, 0.75),
    test: evaluation(2.5, 0.1),
    grokStep: null,
    host,
    config,
    p: P,
    ops: [op('add'), op('mul')],
    seed: 0,
    measureLogits,
    elapsedS: 1.23456,
    numTensors: tf.memory().numTensors,
  })
}

describe('metricsRecord', () => {
  it('a record survives JSON and decodeMetricsLine unchanged (NaN travels as null)', () => {
    const r = record(true)
    const back = decodeMetricsLine(JSON.parse(JSON.stringify(r)))
    expect(E.isRight(back)).toBe(true)
    if (E.isRight(back)) expect(back.right).toEqual(r)
    expect(Number.isNaN(r.per_op?.mul?.train.loss)).toBe(true)
  })

  it('a mixture has per-operation metrics and, when measured, logit measures for every operation', () => {
    const r = record(true)
    expect(Object.keys(r.per_op ?? {})).toEqual(['add', 'mul'])
    expect(Object.keys(r.logits ?? {})).toEqual(['add', 'mul'])
    for (const m of Object.values(r.logits ?? {})) {
      expect(m.n_key).toBe(m.key.length)
      expect(m.asymmetry).toBeGreaterThanOrEqual(0)
      expect(m.asymmetry).toBeLessThanOrEqual(Math.SQRT2 + 1e-12)
    }
    expect(record(false).logits).toBeUndefined()
  })

  it('the record carries the FFD/FCR of W_E and W_L in both bases, within their ranges', () => {
    const r = record(false)
    for (const m of [r.W_E, r.W_L]) for (const x of [m.ffd, m.fcr, m.ffd_mult!, m.fcr_mult!]) expect(x >= 0 && x <= 1).toBe(true)
    expect(r.weight_norm).toBeCloseTo(Math.hypot(...Object.values(r.weight_norms ?? {})), 4)
    expect(r.elapsed_s).toBe(1.235)
  })

  it('building a record leaves no tensor behind', () => {
    record(true)
    const before = tf.memory().numTensors
    record(true)
    expect(tf.memory().numTensors).toBe(before)
  })
})

describe('decodeMetricsLine', () => {
  it('any JSON value gives a record or a one-line Left, never a throw (2,000 cases)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (u) => {
        const r = decodeMetricsLine(u)
        if (E.isLeft(r)) expect(r.left).not.toContain('\n')
      }),
      { numRuns: 2000 },
    )
  })

  it('a valid record with one field deleted or replaced is a Left that names that field (1,000 cases)', () => {
    const valid = JSON.parse(JSON.stringify(record(false))) as Record<string, unknown>
    const required = ['step', 'train_loss', 'train_acc', 'test_loss', 'test_acc', 'W_E', 'W_L', 'grok_step', 'elapsed_s', 'num_tensors']
    fc.assert(
      fc.property(fc.constantFrom(...required), fc.constantFrom(undefined, 'x', true, [], {}), (field, value) => {
        const r = decodeMetricsLine({ ...valid, [field]: value })
        expect(E.isLeft(r)).toBe(true)
        if (E.isLeft(r)) expect(r.left.startsWith(field)).toBe(true)
      }),
      { numRuns: 1000 },
    )
  })
})

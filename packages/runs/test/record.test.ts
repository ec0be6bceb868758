// The metrics record: built from an evaluation, written as JSON, read back by its codec unchanged.
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { resolveOperation } from '@grokscope/data'
import { disposeParams, initParams, paperConfig, toHost } from '@grokscope/model'
import { excludedLosses, fourierNorms, gini } from '@grokscope/measures'
import { allPairsOutputs, fourierMeasures, trainPairLabels } from '@grokscope/analysis'
import { type MetricsRecord, decodeMetricsLine, metricsRecord, recordPhases } from '../src/index.js'

const P = 7
const config = paperConfig({ dVocab: P + 2, nOut: P, dModel: 16, nHeads: 2, dHead: 8, dMlp: 32 })
const op = (id: string) => {
  const r = resolveOperation(id)
  if (E.isLeft(r)) throw new Error(id)
  return { id, op: r.right }
}
const evaluation = (loss: number, accuracy: number) => ({ loss, accuracy, perOp: [{ loss, accuracy }, { loss: NaN, accuracy: NaN }] })

// Training pairs of both operations: (a, b) with a + b even, labels as a table lookup would give (any value in ℤ_p).
const trainSet = () => {
  const rows: number[][] = []
  for (let i = 0; i < 2; i++) {
    for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) if ((a + b) % 2 === 0) rows.push([a, P + i, b, (a * 3 + b + i) % P])
  }
  return { tokens: Int32Array.from(rows.flatMap((r) => r.slice(0, 3))), labels: Int32Array.from(rows.map((r) => r[3]!)) }
}

const record = (measureLogits: boolean, trainLabels?: ReadonlyArray<Int32Array>): MetricsRecord => {
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
    ...(trainLabels === undefined ? {} : { trainLabels }),
    elapsedS: 1.23456,
    numTensors: tf.memory().numTensors,
  })
}

describe('metricsRecord', () => {
  it('carries the Gini coefficient of the Fourier norms of W_E and W_L', () => {
    const params = initParams(config, 3)
    const host = toHost(params)
    disposeParams(params)
    const m = fourierMeasures(config, host, P)
    const r = record(false)
    expect(r.W_E.gini).toBeCloseTo(gini(fourierNorms(m.W_E.spectrum)), 6)
    expect(r.W_L.gini).toBeCloseTo(gini(fourierNorms(m.W_L.spectrum)), 6)
    expect(r.W_E.gini).toBeGreaterThan(0)
  })

  it('given the training pairs, the measured logits carry the excluded losses of every key frequency on them', () => {
    const { tokens, labels } = trainSet()
    const trainLabels = trainPairLabels(tokens, labels, P, 2)
    expect(Array.from(trainLabels[1]!.subarray(0, P))).toEqual([1, -1, 3, -1, 5, -1, 0])
    const r = record(true, trainLabels)
    const params = initParams(config, 3)
    const host = toHost(params)
    disposeParams(params)
    for (const [i, id] of ['add', 'mul'].entries()) {
      const m = r.logits![id]!
      const want = excludedLosses(allPairsOutputs(config, host, P, i).logits, trainLabels[i]!, P, m.key)
      expect(m.excluded).toEqual([...want.perFrequency])
      expect([m.excluded_loss, m.train_loss]).toEqual([want.allKey, want.full])
    }
    expect(E.map((x: MetricsRecord) => x.logits)(decodeMetricsLine(JSON.parse(JSON.stringify(r))))).toEqual(E.right(r.logits))
    expect(record(true).logits!.add!.excluded).toBeUndefined()
  })

  it('a line written before Gini and the excluded losses still decodes', () => {
    const r = record(true)
    const old = JSON.parse(
      JSON.stringify({ ...r, W_E: { ffd: r.W_E.ffd, fcr: r.W_E.fcr }, W_L: { ffd: r.W_L.ffd, fcr: r.W_L.fcr } }),
    ) as unknown
    expect(E.isRight(decodeMetricsLine(old))).toBe(true)
  })

  it('recordPhases reads the records’ accuracies and test loss', () => {
    const line = (step: number, train_acc: number, test_loss: number, test_acc: number): MetricsRecord => ({
      ...record(false),
      step,
      train_acc,
      test_loss,
      test_acc,
    })
    expect(recordPhases([line(100, 1, 5, 0), line(200, 1, 2, 0.5), line(300, 1, 0.01, 1)])).toEqual({
      memorisationEnd: 100,
      circuitFormationEnd: 200,
      cleanupEnd: 300,
    })
  })

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

import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { decodeTask, makeDataset } from '@grokscope/data'
import { disposeParams, initParams } from '@grokscope/model'
import {
  type EvalReport,
  type EvaluationSource,
  type PerExample,
  PAPER_ADAMW,
  defaultLoopOptions,
  disposeTrainData,
  disposeTrainState,
  evaluate,
  asyncEvaluations,
  evaluatePerExample,
  evaluatePerExampleAsync,
  initTrainState,
  modelConfigFor,
  prepareTrainData,
  summarize,
  train,
} from '../src/index.js'

const runs = { numRuns: Number(process.env.GROKSCOPE_RUNS ?? 100) }

/** Per-example results with each example's operation, and how many operations there are. */
const perExampleArb = fc.integer({ min: 1, max: 4 }).chain((nOps) =>
  fc
    .array(fc.tuple(fc.float({ min: 0, max: 50, noNaN: true }), fc.boolean(), fc.nat({ max: nOps - 1 })), { minLength: 1, maxLength: 60 })
    .map((rows) => ({
      nOps,
      r: { losses: Float32Array.from(rows.map(([l]) => l)), correct: Uint8Array.from(rows.map(([, ok]) => (ok ? 1 : 0))) } as PerExample,
      ops: Int32Array.from(rows.map(([, , op]) => op)),
    })),
)

describe('summarize', () => {
  it('gives the mean loss and the fraction right, overall and per operation (NaN for an operation without examples)', () => {
    fc.assert(
      fc.property(perExampleArb, ({ nOps, r, ops }) => {
        const got = summarize(r, ops, nOps)
        const mean = (xs: number[]) => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length)
        const all = Array.from(r.losses.keys())
        const close = (a: number, b: number) => (Number.isNaN(b) ? Number.isNaN(a) : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)))
        expect(close(got.loss, mean(all.map((i) => r.losses[i]!)))).toBe(true)
        expect(got.accuracy).toBe(mean(all.map((i) => r.correct[i]!)))
        expect(got.perOp).toHaveLength(nOps)
        got.perOp.forEach((m, op) => {
          const mine = all.filter((i) => ops[i] === op)
          expect(close(m.loss, mean(mine.map((i) => r.losses[i]!)))).toBe(true)
          expect(close(m.accuracy, mean(mine.map((i) => r.correct[i]!)))).toBe(true)
        })
      }),
      runs,
    )
  })
})

const dataset = () => {
  const t = decodeTask({ p: 7, ops: ['add', 'mul'], frac: 0.6, seed: 0 })
  if (E.isLeft(t)) throw new Error('bad task')
  return makeDataset(t.right)
}
const small = { dModel: 16, nHeads: 2, dHead: 8, dMlp: 32 }

describe('evaluate', () => {
  it('is summarize of evaluatePerExample, whose results are per example: a loss ≥ 0 and a 0 or 1', () => {
    const d = dataset()
    const c = modelConfigFor(d, small)
    const data = prepareTrainData(c, d)
    const params = initParams(c, 3)
    const r = evaluatePerExample(c, params, data.test)
    expect(r.losses).toHaveLength(d.test.size)
    expect(r.losses.every((l) => l >= 0)).toBe(true)
    expect(r.correct.every((x) => x === 0 || x === 1)).toBe(true)
    expect(evaluate(c, params, data.test, data.testOps, data.nOps)).toEqual(summarize(r, data.testOps, data.nOps))
    disposeParams(params)
    disposeTrainData(data)
  })

  it('read back asynchronously, gives the same results as synchronously, whole or in chunks, and leaves no tensor behind', async () => {
    const d = dataset()
    const c = modelConfigFor(d, small)
    const params = initParams(c, 4)
    for (const chunk of [Infinity, 5]) {
      const data = prepareTrainData(c, d, chunk)
      const before = tf.memory().numTensors
      for (const set of [data.train, data.test]) {
        expect(await evaluatePerExampleAsync(c, params, set)).toEqual(evaluatePerExample(c, params, set))
      }
      const both = await asyncEvaluations(c, data).perExample(params)
      expect(both).toEqual({ train: evaluatePerExample(c, params, data.train), test: evaluatePerExample(c, params, data.test) })
      expect(tf.memory().numTensors).toBe(before)
      disposeTrainData(data)
    }
    disposeParams(params)
  })
})

describe('train with an evaluation source', () => {
  it('asks the source at every evaluation, with that step’s weights, and reports its results summarised per operation', async () => {
    const d = dataset()
    const c = modelConfigFor(d, small)
    const data = prepareTrainData(c, d)
    const asked: number[] = []
    // Planted results: every training example right with loss 2; a test example right exactly when its operation is the first.
    const source: EvaluationSource = {
      perExample: (params) => {
        asked.push(params['embed.W_E']!.dataSync()[0]!)
        const planted = (n: number, right: (i: number) => boolean): PerExample => ({
          losses: new Float32Array(n).fill(2),
          correct: Uint8Array.from({ length: n }, (_, i) => (right(i) ? 1 : 0)),
        })
        return Promise.resolve({ train: planted(d.train.size, () => true), test: planted(d.test.size, (i) => d.test.opIndex[i] === 0) })
      },
    }
    const reports: Array<{ step: number; firstWeight: number; train: EvalReport['train']; test: EvalReport['test'] }> = []
    const r = await train(
      c,
      data,
      initTrainState(initParams(c, 0)),
      { ...defaultLoopOptions(PAPER_ADAMW), maxSteps: 30, evalEvery: 10, stopAfterGrok: null, evaluations: source },
      {
        onEval: (e) =>
          void reports.push({ step: e.step, firstWeight: e.params['embed.W_E']!.dataSync()[0]!, train: e.train, test: e.test }),
      },
    )
    expect(reports.map((e) => e.step)).toEqual([10, 20, 30])
    expect(asked).toEqual(reports.map((e) => e.firstWeight))
    const testShare = d.test.opIndex.filter((op) => op === 0).length / d.test.size
    for (const e of reports) {
      expect(e.train).toEqual({ loss: 2, accuracy: 1, perOp: [{ loss: 2, accuracy: 1 }, { loss: 2, accuracy: 1 }] })
      expect(e.test).toEqual({ loss: 2, accuracy: testShare, perOp: [{ loss: 2, accuracy: 1 }, { loss: 2, accuracy: 0 }] })
    }
    expect(r.grokStep).toBeNull()
    disposeTrainState(r.state)
    disposeTrainData(data)
  })
})

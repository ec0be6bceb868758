import * as E from 'fp-ts/lib/Either.js'
import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { decodeTask, makeDataset } from '@grokscope/data'
import { disposeInputs, disposeParams, initParams, lossAndGrads, prepareBatch, prepareChunked } from '@grokscope/model'
import {
  PAPER_ADAMW,
  defaultLoopOptions,
  disposeTrainData,
  disposeTrainState,
  evaluate,
  evaluatePerExample,
  initTrainState,
  modelConfigFor,
  prepareTrainData,
  train,
} from '@grokscope/train'
// The package as built and imported by name: its worker threads run dist/GradWorker.js.
import { type Pool, forEvaluation, startPool } from '@grokscope/node'

const dataset = (p = 13, frac = 0.5) => {
  const t = decodeTask({ p, ops: ['add', 'mul'], frac, seed: 1 })
  if (E.isLeft(t)) throw new Error('bad task')
  return makeDataset(t.right)
}

describe('the gradient pool', () => {
  it.each([
    [1, Infinity],
    [2, Infinity],
    [3, Infinity],
    [1, 5],
    [2, 7],
  ])('with %i thread(s) and chunks of at most %d examples gives the full-batch loss and gradients, ' +
    'and leaks no tensor', async (threads, chunk) => {
    const d = dataset()
    const c = modelConfigFor(d, { dModel: 32, nHeads: 2, dHead: 16, dMlp: 64 })
    const params = initParams(c, 4)
    const batch = prepareBatch(c, d.train.tokens, d.train.labels)
    const want = lossAndGrads(c, params, batch)
    const pool = await startPool(c, d, threads, { step: chunk, evaluation: Infinity })
    const before = tf.memory().numTensors
    for (let i = 0; i < 3; i++) {
      const got = await pool.lossAndGrads(params)
      expect(Math.abs(got.loss.dataSync()[0]! - want.loss.dataSync()[0]!)).toBeLessThan(1e-5)
      for (const [name, g] of Object.entries(want.grads)) {
        const err = tf.tidy(() => tf.max(tf.abs(tf.sub(got.grads[name]!, g))).dataSync()[0]!)
        const scale = tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]!)
        expect(err, name).toBeLessThan(1e-5 * Math.max(scale, 1e-2))
      }
      tf.dispose([got.loss, ...Object.values(got.grads)])
    }
    expect(tf.memory().numTensors).toBe(before)
    await pool.close()
    tf.dispose([want.loss, want.logits, ...Object.values(want.grads)])
    disposeInputs(batch)
    disposeParams(params)
  }, 60_000)

  it.each([
    [1, Infinity, 13, 0.5],
    [2, Infinity, 13, 0.5],
    [3, 11, 13, 0.5],
    [2, 4, 13, 0.5],
    [4, Infinity, 3, 0.9], // 2 test examples: two of the four threads' test shards are empty
  ])('with %i thread(s) and evaluation chunks of at most %d examples gives every example’s loss and correctness (p = %i, r = %d), ' +
    'and leaks no tensor', async (threads, chunk, p, frac) => {
    const d = dataset(p, frac)
    const c = modelConfigFor(d, { dModel: 32, nHeads: 2, dHead: 16, dMlp: 64 })
    const params = initParams(c, 5)
    const whole = {
      train: prepareChunked(c, d.train.tokens, d.train.labels, Infinity),
      test: prepareChunked(c, d.test.tokens, d.test.labels, Infinity),
    }
    const want = { train: evaluatePerExample(c, params, whole.train), test: evaluatePerExample(c, params, whole.test) }
    const pool = await startPool(c, d, threads, { step: Infinity, evaluation: chunk })
    const before = tf.memory().numTensors
    for (let i = 0; i < 2; i++) {
      const got = await pool.perExample(params)
      for (const set of ['train', 'test'] as const) {
        expect(got[set].losses).toHaveLength(d[set].size)
        expect(Array.from(got[set].correct), set).toEqual(Array.from(want[set].correct))
        const worst = got[set].losses.reduce((m, l, j) => Math.max(m, Math.abs(l - want[set].losses[j]!)), 0)
        expect(worst, set).toBeLessThan(1e-5 * Math.max(1, ...want[set].losses))
      }
    }
    expect(tf.memory().numTensors).toBe(before)
    await pool.close()
    disposeInputs(whole.train)
    disposeInputs(whole.test)
    disposeParams(params)
  }, 60_000)

  it('evaluates with the weights it is given at each call, not those of an earlier call', async () => {
    const d = dataset()
    const c = modelConfigFor(d, { dModel: 32, nHeads: 2, dHead: 16, dMlp: 64 })
    const pool = await startPool(c, d, 2)
    const [a, b] = [initParams(c, 1), initParams(c, 2)]
    const test = prepareChunked(c, d.test.tokens, d.test.labels, Infinity)
    for (const params of [a, b, a]) {
      const got = await pool.perExample(params)
      const want = evaluatePerExample(c, params, test)
      const worst = got.test.losses.reduce((m, l, j) => Math.max(m, Math.abs(l - want.losses[j]!)), 0)
      expect(worst).toBeLessThan(1e-5 * Math.max(1, ...want.losses))
    }
    await pool.close()
    disposeInputs(test)
    disposeParams(a)
    disposeParams(b)
  }, 60_000)

  it.each([
    [1, Infinity, Infinity],
    [2, Infinity, Infinity],
    [2, 7, 5],
    [3, 11, Infinity],
  ])('with %i thread(s), step chunks of %d and evaluation chunks of %d, a training loop takes each evaluation’s training-set ' +
    'results from the next step’s pass (no second pass over it): the same as the set evaluated alone', async (threads, step, evaluation) => {
    const d = dataset()
    const c = modelConfigFor(d, { dModel: 32, nHeads: 2, dHead: 16, dMlp: 64 })
    const data = prepareTrainData(c, d)
    const pool = await startPool(c, d, threads, { step, evaluation })
    const asked: string[] = []
    const counted: Pool = {
      ...pool,
      lossAndGrads: (params) => (asked.push('step'), pool.lossAndGrads(params)),
      lossGradsAndExamples: (params) => (asked.push('step+train'), pool.lossGradsAndExamples(params)),
      perExample: (params) => (asked.push('both'), pool.perExample(params)),
      perExampleOf: (params, set) => (asked.push(set), pool.perExampleOf(params, set)),
    }
    const before = tf.memory().numTensors
    const steps: number[] = []
    const r = await train(
      c,
      data,
      initTrainState(initParams(c, 3)),
      { ...defaultLoopOptions({ ...PAPER_ADAMW, lr: 1e-2 }), maxSteps: 60, evalEvery: 20, gradients: counted, evaluations: counted },
      {
        onEval: (e) => {
          steps.push(e.step)
          const alone = evaluate(c, e.params, data.train, data.trainOps, data.nOps)
          expect(e.train.accuracy, `step ${e.step}`).toBe(alone.accuracy)
          expect(Math.abs(e.train.loss - alone.loss), `step ${e.step}`).toBeLessThan(1e-6 * Math.max(alone.loss, 1e-3))
          e.train.perOp.forEach((m, i) => expect(m.accuracy).toBe(alone.perOp[i]!.accuracy))
        },
      },
    )
    expect(steps).toEqual([20, 40, 60])
    // Steps 20 and 40: the test set alone, the training set from step 21's and 41's pass; step 60, the last, both alone.
    expect(asked.filter((a) => a !== 'step')).toEqual(['test', 'step+train', 'test', 'step+train', 'test', 'train'])
    expect(asked.filter((a) => a === 'step')).toHaveLength(58)
    disposeTrainState(r.state)
    expect(tf.memory().numTensors).toBe(before)
    await pool.close()
    disposeTrainData(data)
  }, 120_000)

  it.each([
    [1, Infinity],
    [2, Infinity],
    [3, 16],
  ])('with %i thread(s) and evaluation chunks of at most %d, an evaluation of the test set that may stop early stops once ' +
    'all threads together found more wrong examples than allowed, and gives the whole set’s results when it may not', async (threads, chunk) => {
    const d = dataset(31, 0.3)
    const c = modelConfigFor(d, { dModel: 32, nHeads: 2, dHead: 16, dMlp: 64 })
    const params = initParams(c, 6)
    const whole = prepareChunked(c, d.test.tokens, d.test.labels, Infinity)
    const want = evaluatePerExample(c, params, whole)
    const wrong = want.correct.reduce((a, x) => a + 1 - x, 0)
    expect(wrong).toBeGreaterThan(d.test.size / 2)
    const pool = await startPool(c, d, threads, { step: Infinity, evaluation: chunk })
    const all = await pool.perExampleOf(params, 'test', wrong)
    expect(all.complete).toBe(true)
    expect(Array.from(all.correct)).toEqual(Array.from(want.correct))
    const stopped = await pool.perExampleOf(params, 'test', 10)
    expect(stopped.complete).toBe(false)
    const reached = stopped.losses.filter((l) => !Number.isNaN(l)).length
    expect(reached).toBeLessThan(d.test.size)
    expect(stopped.correct.reduce((a, x) => a + x, 0)).toBeLessThanOrEqual(want.correct.reduce((a, x) => a + x, 0))
    stopped.losses.forEach((l, i) => (Number.isNaN(l) ? undefined : expect(stopped.correct[i]).toBe(want.correct[i])))
    // The next evaluation starts its count afresh.
    expect((await pool.perExampleOf(params, 'test', wrong)).complete).toBe(true)
    await pool.close()
    disposeInputs(whole)
    disposeParams(params)
  }, 60_000)

  it('evaluates a shard from its step batch when that is one resident chunk, without a second upload; else chunks it anew', () => {
    const d = dataset()
    const c = modelConfigFor(d, { dModel: 32, nHeads: 2, dHead: 16, dMlp: 64 })
    const resident = prepareChunked(c, d.train.tokens, d.train.labels, Infinity)
    const before = tf.memory().numTensors
    expect(forEvaluation(c, resident, Infinity)).toBe(resident)
    expect(forEvaluation(c, resident, d.train.size)).toBe(resident)
    expect(tf.memory().numTensors).toBe(before)
    const smaller = forEvaluation(c, resident, 7)
    expect([smaller.chunkSize, smaller.resident, smaller.size]).toEqual([7, null, d.train.size])
    const chunked = prepareChunked(c, d.train.tokens, d.train.labels, 5)
    const whole = forEvaluation(c, chunked, Infinity)
    expect(whole).not.toBe(chunked)
    expect(whole.resident).not.toBeNull()
    disposeInputs(whole)
    disposeInputs(resident)
  })
})

import * as E from 'fp-ts/lib/Either.js'
import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { decodeTask, makeDataset } from '@grokscope/data'
import { initParams, toHost } from '@grokscope/model'
import {
  type EvalReport,
  GROK_THRESHOLD,
  PAPER_ADAMW,
  PAPER_EVAL_EVERY,
  PAPER_MAX_STEPS,
  PAPER_STOP_AFTER_GROK,
  decodeTrainState,
  defaultLoopOptions,
  disposeTrainData,
  disposeTrainState,
  encodeTrainState,
  initTrainState,
  modelConfigFor,
  prepareTrainData,
  train,
} from '../src/index.js'

const dataset = (ops: string[] = ['add']) => {
  const t = decodeTask({ p: 7, ops, frac: 0.6, seed: 0 })
  if (E.isLeft(t)) throw new Error('bad task')
  return makeDataset(t.right)
}
const small = { dModel: 16, nHeads: 2, dHead: 8, dMlp: 32 }
/** A small model on a small task, its tensors, and a fresh state to start from. */
const setup = (ops?: string[]) => {
  const d = dataset(ops)
  const c = modelConfigFor(d, small)
  return { c, data: prepareTrainData(c, d), fresh: () => initTrainState(initParams(c, 0)) }
}
const options = { ...defaultLoopOptions({ ...PAPER_ADAMW, lr: 3e-3 }), maxSteps: 40, evalEvery: 10 }

describe('train', () => {
  it('keeps tf.memory().numTensors flat over 300 steps', async () => {
    const { c, data, fresh } = setup(['add', 'mul'])
    const counts: number[] = []
    const result = await train(c, data, fresh(), { ...options, maxSteps: 300, evalEvery: 25, stopAfterGrok: null }, {
      onEval: (e) => void counts.push(tf.memory().numTensors - e.heldTensors),
    })
    expect(counts).toHaveLength(12)
    expect(new Set(counts).size).toBe(1)
    disposeTrainState(result.state)
    disposeTrainData(data)
  })

  it('evaluates at every multiple of evalEvery and at the last step, and stops at maxSteps', async () => {
    const { c, data, fresh } = setup()
    const steps: number[] = []
    const r = await train(c, data, fresh(), { ...options, maxSteps: 35, stopAfterGrok: null }, { onEval: (e) => void steps.push(e.step) })
    expect(steps).toEqual([10, 20, 30, 35])
    expect(r.stoppedBy).toBe('max-steps')
    expect(r.state.step).toBe(35)
    disposeTrainState(r.state)
    disposeTrainData(data)
  })

  it('with evaluateStart, also evaluates the initial weights first (step 0, before any update), ' +
    'and not again when starting later', async () => {
    const { c, data, fresh } = setup()
    const seen: string[] = []
    const r = await train(c, data, fresh(), { ...options, maxSteps: 12, evalEvery: 5, stopAfterGrok: null, evaluateStart: true }, {
      onEval: (e) => void seen.push(`eval ${e.step}`),
      onStep: (step) => void seen.push(`step ${step}`),
    })
    expect(seen.slice(0, 3)).toEqual(['eval 0', 'step 1', 'step 2'])
    expect(seen.filter((x) => x.startsWith('eval'))).toEqual(['eval 0', 'eval 5', 'eval 10', 'eval 12'])
    disposeTrainState(r.state)
    // The step-0 evaluation is of the initial weights: the same loss as an evaluation without a step.
    const zero: EvalReport['train'][] = []
    const again = await train(
      c,
      data,
      fresh(),
      { ...options, maxSteps: 1, evaluateStart: true },
      { onEval: (e) => void zero.push(e.train) },
    )
    const none = await train(c, data, fresh(), { ...options, maxSteps: 1 }, { onEval: (e) => void zero.push(e.train) })
    expect(zero).toHaveLength(3)
    expect(zero[0]!.loss).not.toBe(zero[1]!.loss)
    expect(zero[1]!.loss).toBe(zero[2]!.loss)
    disposeTrainState(again.state)
    disposeTrainState(none.state)
    disposeTrainData(data)
  })

  it('learns: the train loss falls', async () => {
    const { c, data, fresh } = setup()
    const reports: EvalReport['train'][] = []
    const r = await train(
      c,
      data,
      fresh(),
      { ...options, maxSteps: 200, stopAfterGrok: null },
      { onEval: (e) => void reports.push(e.train) },
    )
    expect(reports.at(-1)!.loss).toBeLessThan(reports[0]!.loss / 2)
    expect(reports.at(-1)!.accuracy).toBe(1)
    disposeTrainState(r.state)
    disposeTrainData(data)
  })

  it('stops stopAfterGrok steps after the first step whose test accuracy reaches the threshold', async () => {
    const { c, data, fresh } = setup()
    // A threshold of 0 groks at the first evaluation.
    const r = await train(c, data, fresh(), { ...options, maxSteps: 1000, grokThreshold: 0, stopAfterGrok: 20 })
    expect(r).toMatchObject({ grokStep: 10, stoppedBy: 'grokked' })
    expect(r.state.step).toBe(30)
    disposeTrainState(r.state)
    disposeTrainData(data)
  })

  it('either callback can stop the run', async () => {
    const { c, data, fresh } = setup()
    const r = await train(c, data, fresh(), options, { onEval: (e) => (e.step === 20 ? 'stop' : undefined) })
    expect(r.stoppedBy).toBe('callback')
    expect(r.state.step).toBe(20)
    disposeTrainState(r.state)
    const s = await train(c, data, fresh(), options, { onStep: (step) => (step === 13 ? 'stop' : undefined) })
    expect(s.stoppedBy).toBe('callback')
    expect(s.state.step).toBe(13)
    disposeTrainState(s.state)
    disposeTrainData(data)
  })

  it('reports every step with its state, after that step\'s evaluation', async () => {
    const { c, data, fresh } = setup()
    const seen: string[] = []
    const r = await train(c, data, fresh(), { ...options, maxSteps: 12, evalEvery: 5, stopAfterGrok: null }, {
      onEval: (e) => void seen.push(`eval ${e.step}`),
      onStep: (step, s) => {
        expect(s.step).toBe(step)
        seen.push(`step ${step}`)
      },
    })
    expect(seen).toEqual([
      ...[1, 2, 3, 4].map((s) => `step ${s}`),
      'eval 5',
      'step 5',
      ...[6, 7, 8, 9].map((s) => `step ${s}`),
      'eval 10',
      'step 10',
      'step 11',
      'eval 12',
      'step 12',
    ])
    disposeTrainState(r.state)
    disposeTrainData(data)
  })

  it('a checkpoint taken in onStep, on its own schedule, resumes to the same weights as one run straight through', async () => {
    const { c, data, fresh } = setup()
    const straight = await train(c, data, fresh(), { ...options, stopAfterGrok: null })
    // evalEvery 10 and checkpoints every 7: the last checkpoint before step 40 is at 35, between evaluations.
    let saved: unknown = null
    const first = await train(c, data, fresh(), { ...options, stopAfterGrok: null }, {
      onStep: (step, s) => {
        if (step % 7 === 0) saved = JSON.parse(JSON.stringify(encodeTrainState(s)))
        return step === 38 ? 'stop' : undefined
      },
    })
    disposeTrainState(first.state)
    const decoded = decodeTrainState(saved, c)
    if (E.isLeft(decoded)) throw new Error(decoded.left)
    expect(decoded.right.step).toBe(35)
    const resumed = await train(c, data, decoded.right, { ...options, stopAfterGrok: null })
    expect(toHost(resumed.state.params)).toEqual(toHost(straight.state.params))
    disposeTrainState(straight.state)
    disposeTrainState(resumed.state)
    disposeTrainData(data)
  })

  it.each([
    ['Grokfast-EMA', { ...PAPER_ADAMW, lr: 3e-3, filters: [{ kind: 'grokfast-ema' as const, alpha: 0.98, lambda: 2 }] }],
    ['Grokfast-MA', { ...PAPER_ADAMW, lr: 3e-3, warmup: 5, filters: [{ kind: 'grokfast-ma' as const, window: 10, lambda: 5 }] }],
    [
      'SGD with momentum and Grokfast-EMA',
      {
        ...PAPER_ADAMW,
        kind: 'sgd' as const,
        lr: 0.1,
        momentum: 0.9,
        weightDecay: 0.01,
        filters: [{ kind: 'grokfast-ema' as const, alpha: 0.9, lambda: 1 }],
      },
    ],
  ])('with %s in the chain, a state saved through JSON and resumed ends bit for bit as one run straight through', async (_, optimizer) => {
    const d = dataset()
    const c = modelConfigFor(d, small)
    const data = prepareTrainData(c, d)
    const fresh = () => initTrainState(initParams(c, 0), optimizer)
    const o = { ...defaultLoopOptions(optimizer), maxSteps: 40, evalEvery: 10, stopAfterGrok: null }
    const straight = await train(c, data, fresh(), o)
    let saved: unknown = null
    const first = await train(c, data, fresh(), o, {
      onStep: (step, s) => {
        if (step === 23) saved = JSON.parse(JSON.stringify(encodeTrainState(s)))
        return step === 23 ? 'stop' : undefined
      },
    })
    disposeTrainState(first.state)
    const decoded = decodeTrainState(saved, c, optimizer)
    if (E.isLeft(decoded)) throw new Error(decoded.left)
    const resumed = await train(c, data, decoded.right, o)
    expect(toHost(resumed.state.params)).toEqual(toHost(straight.state.params))
    expect(encodeTrainState(resumed.state)).toEqual(encodeTrainState(straight.state))
    // The filter changed the training: the same run without it ends elsewhere.
    const plain = await train(c, data, initTrainState(initParams(c, 0), { ...optimizer, filters: [] }), {
      ...o,
      optimizer: { ...optimizer, filters: [] },
    })
    expect(toHost(plain.state.params)).not.toEqual(toHost(straight.state.params))
    for (const r of [straight, resumed, plain]) disposeTrainState(r.state)
    disposeTrainData(data)
  }, 60_000)

  it('the paper\'s settings are the named constants', () => {
    expect(defaultLoopOptions(PAPER_ADAMW)).toMatchObject({
      maxSteps: PAPER_MAX_STEPS,
      evalEvery: PAPER_EVAL_EVERY,
      stopAfterGrok: PAPER_STOP_AFTER_GROK,
      grokThreshold: GROK_THRESHOLD,
    })
    expect([PAPER_MAX_STEPS, GROK_THRESHOLD]).toEqual([300_000, 0.99])
  })

  it('a run saved and resumed ends with the same weights as one run straight through', async () => {
    const { c, data, fresh } = setup()
    const straight = await train(c, data, fresh(), { ...options, stopAfterGrok: null })
    const half = await train(c, data, fresh(), { ...options, maxSteps: 20, stopAfterGrok: null })
    const saved = JSON.parse(JSON.stringify(encodeTrainState(half.state)))
    disposeTrainState(half.state)
    const decoded = decodeTrainState(saved, c)
    if (E.isLeft(decoded)) throw new Error(decoded.left)
    const resumed = await train(c, data, decoded.right, { ...options, stopAfterGrok: null })
    expect(resumed.state.step).toBe(40)
    expect(toHost(resumed.state.params)).toEqual(toHost(straight.state.params))
    disposeTrainState(straight.state)
    disposeTrainState(resumed.state)
    disposeTrainData(data)
  })
})

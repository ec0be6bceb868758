// analyzeModel streams the all-pairs analyses one row `a` at a time (forward chunks of any size, the logits map in
// blocks of classes): equal to the whole-array analyses of before (test-support/analyses-reference.ts, the test
// oracle, on allPairsOutputs' logits and activations) within float summation order, stated as
// |x − y| ≤ 1e-9·max(|x|, |y|) + 1e-12·(the largest magnitude of that quantity), on the PyTorch fixtures (trained,
// p = 31) and on small random models; and it leaves no tensor behind.
import { readFileSync } from 'node:fs'
import * as tf from '@tensorflow/tfjs-core'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { labelTable } from '@grokscope/data'
import { DEFAULT_KEY_RULE, type KeyRule, asymmetry } from '@grokscope/measures'
import { type HostParams, type ModelConfig, decodeWeightsFile, disposeParams, initParams, paperConfig, toHost } from '@grokscope/model'
import { type ModelTask, type OpAnalysis, allPairsOutputs, analyzeModel, logitMeasures, logitsMapOf, modelTask } from '../src/index.js'
import {
  referenceKeyFrequencyAnalysis,
  referenceLogitsFourierMap,
  referenceNeuronFrequencies,
} from '../../../test-support/analyses-reference.js'
import { close, sameAnalysis } from '../../../test-support/tolerance.js'
import { FIXTURES, fixturePath } from '../../../test-support/fixtures.js'


/** Today's analyses of operation `i` of a model, on its whole all-pairs outputs. */
const reference = (c: ModelConfig, host: HostParams, task: ModelTask, i: number, rule: KeyRule): OpAnalysis => {
  const { p } = task
  const { logits, acts } = allPairsOutputs(c, host, p, i)
  const map = referenceLogitsFourierMap(logits, p)
  const op = task.ops[i]!
  return {
    op: op.id,
    logitsMap: map.data,
    asymmetry: asymmetry(map),
    keyFrequencies: op.op === null ? null : referenceKeyFrequencyAnalysis(logits, labelTable(op.op, p, task.seed), p, p, rule),
    neurons: referenceNeuronFrequencies(acts, p, c.dMlp),
  }
}

const same = (got: OpAnalysis, want: OpAnalysis): void => {
  expect(got.op).toBe(want.op)
  close(got.logitsMap, want.logitsMap, 'logits map')
  close([got.asymmetry], [want.asymmetry], 'asymmetry')
  expect(Array.from(got.neurons.frequency)).toEqual(Array.from(want.neurons.frequency))
  expect(Array.from(got.neurons.counts)).toEqual(Array.from(want.neurons.counts))
  close(got.neurons.fraction, want.neurons.fraction, 'neuron fractions')
  const [k, r] = [got.keyFrequencies, want.keyFrequencies]
  if (k === null || r === null) return expect(k).toBe(r)
  sameAnalysis(k, r)
}

const now = () => performance.now()
const ENERGY: KeyRule = { kind: 'energy', threshold: 0.1 }

describe.each(FIXTURES)('the fixture %s (trained, p = 31)', (name) => {
  const decoded = decodeWeightsFile(JSON.parse(readFileSync(fixturePath(name), 'utf8')))
  if (E.isLeft(decoded)) throw new Error(decoded.left)
  const w = decoded.right
  const task = modelTask(w)
  if (E.isLeft(task)) throw new Error(task.left)
  const { p, ops, seed } = task.right

  it.each([
    ['one pass, one forward chunk; the auto and energy rules', undefined, undefined, [DEFAULT_KEY_RULE, ENERGY]],
    ['chunks of 37 pairs, 16 classes of the map per pass', 37, 16, [DEFAULT_KEY_RULE]],
    ['chunks of 100 pairs (not a divisor of p or p²), 7 classes per pass (not a divisor of p)', 100, 7, [DEFAULT_KEY_RULE]],
  ])('streamed (%s) = the whole-array analyses', async (_, chunk, mapClasses, rules) => {
    const before = tf.memory().numTensors
    for (const rule of rules) {
      // Let vitest's worker answer its messages between analyses (each blocks for a second or two).
      await new Promise((resolve) => setImmediate(resolve))
      const got = analyzeModel(w.config, w.host, p, ops, seed, {
        now,
        keyRule: rule,
        ...(chunk === undefined ? {} : { chunk }),
        ...(mapClasses === undefined ? {} : { mapClasses }),
      })
      got.perOp.forEach((o, i) => same(o, reference(w.config, w.host, task.right, i, rule)))
    }
    expect(tf.memory().numTensors).toBe(before)
  }, 120_000)
})

describe('small random models', () => {
  it('analyzeModel over any forward chunk (1 pair and up) and classes per pass = the whole-array analyses; no tensor left', async () => {
    const before = tf.memory().numTensors
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(7, 11),
        fc.integer({ min: 0, max: 1000 }),
        fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 11 * 11 + 5 })),
        fc.integer({ min: 1, max: 15 }),
        async (p, seed, chunk, mapClasses) => {
          await new Promise((resolve) => setImmediate(resolve))
          const c = paperConfig({ dVocab: p + 2, nOut: p, dModel: 16, nHeads: 2, dHead: 8, dMlp: 24 })
          const params = initParams(c, seed)
          const host = toHost(params)
          disposeParams(params)
          const ops = [{ id: 'add', op: null }, { id: 'op1', op: null }]
          const task = modelTask({ config: c, host, meta: { p, ops: ['add', 'sub'], seed } })
          if (E.isLeft(task)) throw new Error(task.left)
          const got = analyzeModel(c, host, p, task.right.ops, seed, { now, chunk, mapClasses })
          got.perOp.forEach((o, i) => same(o, reference(c, host, task.right, i, DEFAULT_KEY_RULE)))
          const unknown = analyzeModel(c, host, p, ops, seed, { now, chunk, mapClasses }).perOp[1]!
          expect(unknown.keyFrequencies).toBeNull()
          same(unknown, reference(c, host, { p, ops, seed }, 1, DEFAULT_KEY_RULE))
          expect(tf.memory().numTensors).toBe(before)
        },
      ),
      { numRuns: 8 },
    )
  }, 120_000)

  it('logitsMapOf in blocks of classes and logitMeasures (with the excluded losses) agree with the whole arrays', () => {
    const p = 11
    const c = paperConfig({ dVocab: p + 1, nOut: p, dModel: 16, nHeads: 2, dHead: 8, dMlp: 24 })
    const params = initParams(c, 3)
    const host = toHost(params)
    disposeParams(params)
    const { logits } = allPairsOutputs(c, host, p, 0)
    for (const classes of [1, 4, p]) close(logitsMapOf(c, host, p, 0, 17, classes).data, referenceLogitsFourierMap(logits, p).data, 'map')
    const task = modelTask({ config: c, host, meta: { p, ops: ['add'], seed: 0 } })
    if (E.isLeft(task)) throw new Error(task.left)
    const op = task.right.ops[0]!
    const train = labelTable(op.op!, p, 0).map((y, i) => (i % 3 === 0 ? y : -1))
    const m = logitMeasures(c, host, p, 0, op, 0, 5, train)!
    const kf = referenceKeyFrequencyAnalysis(logits, labelTable(op.op!, p, 0), p)
    expect(m.key).toEqual([...kf.key])
    close([m.restricted_loss, m.full_loss], [kf.restricted, kf.full], 'losses')
  })
})

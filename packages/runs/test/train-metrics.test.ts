// Issue 27: the training set's loss and accuracy at an evaluation come from the next step's forward pass (the same
// weights), not from a second pass. Every record must equal an evaluation of that step's weights on its own (the old
// path) up to float32 summation order, and a run resumed from a checkpoint must record what a run straight through does.
import * as E from 'fp-ts/lib/Either.js'
import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { makeDataset } from '@grokscope/data'
import { type HostParams, disposeParams, fromHost } from '@grokscope/model'
import {
  type TrainState,
  decodeTrainState,
  disposeTrainData,
  disposeTrainState,
  encodeTrainState,
  evaluate,
  prepareTrainData,
} from '@grokscope/train'
import { SMALL_RUN, configOf } from '../../../test-support/runs.js'
import { type MetricsRecord, type RunConfig, type RunSettings, type SessionStart, initialState, trainSession } from '../src/index.js'

/** Trains `config` from `start`; returns the records, the weights at every evaluation and the final state (encoded). */
const session = async (config: RunConfig, start: SessionStart) => {
  const dataset = makeDataset(config.task)
  const data = prepareTrainData(config.model, dataset)
  const weights = new Map<number, HostParams>()
  const end = await trainSession(
    config,
    start,
    { dataset, data, now: () => 0, backend: 'test', threads: 1 },
    {
      record: () => undefined,
      history: () => undefined,
      checkpoint: () => undefined,
      progress: (r, _rate, host) => void weights.set(r.step, host),
    },
  )
  const final = encodeTrainState(end.state)
  disposeTrainState(end.state)
  disposeTrainData(data)
  return { records: end.records, weights, final }
}

const fresh = (config: RunConfig): SessionStart => {
  const s = initialState(config, null)
  if (E.isLeft(s)) throw new Error(s.left)
  return { state: s.right, records: [], resumed: false }
}

/** The old path: the training set evaluated on its own with these weights. */
const evaluatedAlone = (config: RunConfig, host: HostParams) => {
  const dataset = makeDataset(config.task)
  const data = prepareTrainData(config.model, dataset)
  const params = fromHost(config.model, host)
  const e = evaluate(config.model, params, data.train, data.trainOps, data.nOps)
  disposeParams(params)
  disposeTrainData(data)
  return e
}

const compare = (config: RunConfig, records: ReadonlyArray<MetricsRecord>, weights: ReadonlyMap<number, HostParams>) => {
  for (const r of records) {
    const alone = evaluatedAlone(config, weights.get(r.step)!)
    expect(r.train_acc, `step ${r.step}`).toBe(alone.accuracy)
    expect(Math.abs(r.train_loss - alone.loss), `step ${r.step}`).toBeLessThanOrEqual(1e-6 * Math.max(alone.loss, 1e-3))
  }
}

const settings = (p: number, ops: ReadonlyArray<string>): RunSettings => ({
  ...SMALL_RUN,
  ops: [...ops],
  p,
  frac: 0.5,
  lr: 1e-2,
  steps: 300,
  evalEvery: 20,
  checkpointEvery: 100,
  stopAfterGrok: null,
})

describe('the training set’s metrics from the next step’s pass', () => {
  it.each([
    [7, ['add']],
    [11, ['mul', 'sub']],
    [13, ['add']],
  ] as const)('p = %i, %j: every record’s train loss and accuracy (300 steps, every 20) equal the set evaluated alone', async (p, ops) => {
    const config = configOf(settings(p, ops))
    const before = tf.memory().numTensors
    const { records, weights } = await session(config, fresh(config))
    expect(records.map((r) => r.step)).toEqual(Array.from({ length: 16 }, (_, i) => 20 * i))
    compare(config, records, weights)
    expect(tf.memory().numTensors).toBe(before)
    // The run learns: its training accuracy moves, so the comparison is not of constants.
    expect(new Set(records.map((r) => r.train_acc)).size).toBeGreaterThan(2)
  }, 120_000)

  it('a run stopped at a checkpoint and resumed records exactly what the run straight through does', async () => {
    const straight = configOf(settings(11, ['add']))
    const first = configOf({ ...settings(11, ['add']), steps: 100 })
    const whole = await session(straight, fresh(straight))
    const part = await session(first, fresh(first))
    const state: TrainState = E.getOrElseW((e: string) => {
      throw new Error(e)
    })(decodeTrainState(part.final, straight.model, straight.optimizer))
    const rest = await session(straight, { state, records: part.records, resumed: true })
    const strip = (r: MetricsRecord) => ({ ...r, elapsed_s: 0 })
    expect(rest.records.map(strip)).toEqual(whole.records.map(strip))
    compare(straight, rest.records, new Map([...part.weights, ...rest.weights]))
  }, 120_000)
})

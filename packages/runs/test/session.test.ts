// The training session: what it hands its sinks, in which order, and what it ends with.
import * as E from 'fp-ts/lib/Either.js'
import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { makeDataset } from '@grokscope/data'
import { disposeTrainData, disposeTrainState, prepareTrainData } from '@grokscope/train'
import { SMALL_RUN, configOf } from '../../../test-support/runs.js'
import { type RunConfig, type RunSettings, initialState, trainSession } from '../src/index.js'

const SMALL: RunSettings = { ...SMALL_RUN, checkpointEvery: 20, saveEvery: 15, stopAfterGrok: null }

/** Trains `config` from step 0 with sinks that log what they are handed; `stopAt` stops it there, as a Stop button. */
const session = async (config: RunConfig, stopAt: number | null = null) => {
  const dataset = makeDataset(config.task)
  const data = prepareTrainData(config.model, dataset)
  const start = initialState(config, null)
  if (E.isLeft(start)) throw new Error(start.left)
  const calls: string[] = []
  const tensors: number[] = []
  const end = await trainSession(
    config,
    { state: start.right, records: [], resumed: false },
    { dataset, data, now: () => 0, backend: 'wasm', threads: 1 },
    {
      record: (r) => {
        calls.push(`record ${r.step}`)
        tensors.push(r.num_tensors)
      },
      history: (step) => {
        calls.push(`history ${step}`)
      },
      checkpoint: (state) => {
        calls.push(`checkpoint ${state.step}`)
      },
      step: (step) => (step === stopAt ? 'stop' : undefined),
    },
  )
  disposeTrainState(end.state)
  disposeTrainData(data)
  return { end, calls, tensors }
}

describe('trainSession', () => {
  it('at a step, records the evaluation, then keeps the weights, then checkpoints; ' +
    'the last step’s weights are kept at the end', async () => {
    const { end, calls } = await session(configOf(SMALL))
    expect(calls).toEqual([
      'record 0',
      'record 10',
      'history 15',
      'record 20',
      'checkpoint 20',
      'record 30',
      'history 30',
      'record 40',
      'checkpoint 40',
      'history 40',
    ])
    expect(end.records.map((r) => r.step)).toEqual([0, 10, 20, 30, 40])
    expect(end.summary).toMatchObject({ status: 'finished', stopped_by: 'max-steps', steps: 40, resumed_from_step: null, grokked: false })
    expect(end.summary.final?.step).toBe(40)
  })

  it('stopped by a sink, it keeps the weights and checkpoints where it stopped, and says it was interrupted', async () => {
    const { end, calls } = await session(configOf(SMALL), 25)
    expect(calls.slice(-2)).toEqual(['history 25', 'checkpoint 25'])
    expect(end.interrupted).toBe(true)
    expect(end.summary).toMatchObject({ status: 'interrupted', stopped_by: 'interrupt', steps: 25 })
  })

  it('keeps the tensor count flat across evaluations, and frees all it made', async () => {
    const before = tf.memory().numTensors
    const { tensors } = await session(configOf({ ...SMALL, saveEvery: undefined }))
    expect(new Set(tensors.slice(1)).size).toBe(1)
    expect(tf.memory().numTensors).toBe(before)
  })

  it('a run that groks keeps the weights of its grok step and says so; stop-after-grok ends it', async () => {
    // a*b mod 23 on 60 % of the pairs, the example program's model and learning rate: it groks at about step 300.
    const grokking = { ...SMALL, ops: ['mul'], p: 23, dModel: 64, heads: 4, dHead: 16, dMlp: 256, lr: 1e-2, steps: 2000, evalEvery: 10 }
    const config = configOf({ ...grokking, saveEvery: 1000, checkpointEvery: 1000, stopAfterGrok: 20 })
    const { end, calls } = await session(config)
    const grok = end.summary.grok_step
    expect(grok).not.toBeNull()
    expect(calls).toContain(`history ${grok}`)
    expect(end.summary).toMatchObject({ grokked: true, stopped_by: 'grokked', steps: grok! + 20 })
  }, 120_000)

  it('refuses to copy parts from a model of another p', () => {
    const config = configOf({ ...SMALL, initFrom: '/a/run', load: ['embed'] })
    const source = configOf({ ...SMALL, p: 11 })
    const start = initialState(config, { config: source.model, ops: ['add'], host: {} })
    expect(start).toEqual(E.left('the source model has p = 11, this run p = 7 (they must be equal)'))
  })
})

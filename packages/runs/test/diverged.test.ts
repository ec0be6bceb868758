// Issue 24, case 8: a run that diverges (its loss or weights stop being finite) is a result, not an error: the session
// stops at that step with no history file or checkpoint of it, the summary says `diverged` and where, and every outcome
// of a summary survives its codec.
import * as E from 'fp-ts/lib/Either.js'
import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { makeDataset } from '@grokscope/data'
import { type EvaluationSource, disposeTrainData, disposeTrainState, prepareTrainData } from '@grokscope/train'
import { SMALL_RUN, configOf } from '../../../test-support/runs.js'
import {
  EMPTY_RUN_END,
  type MetricsRecord,
  type RunConfig,
  type RunSettings,
  decodeSummary,
  initialState,
  runStatus,
  runSummary,
  trainSession,
} from '../src/index.js'

const SMALL: RunSettings = { ...SMALL_RUN, checkpointEvery: 20, saveEvery: 10, stopAfterGrok: null }

/** Trains `config` from step 0 (with `evaluations` when given), logging what the sinks are handed. */
const session = async (config: RunConfig, evaluations?: EvaluationSource) => {
  const dataset = makeDataset(config.task)
  const data = prepareTrainData(config.model, dataset)
  const start = initialState(config, null)
  if (E.isLeft(start)) throw new Error(start.left)
  const calls: string[] = []
  const end = await trainSession(
    config,
    { state: start.right, records: [], resumed: false },
    { dataset, data, now: () => 0, backend: 'wasm', threads: 1, ...(evaluations === undefined ? {} : { evaluations }) },
    {
      record: (r) => {
        calls.push(`record ${r.step}`)
      },
      history: (step) => {
        calls.push(`history ${step}`)
      },
      checkpoint: (state) => {
        calls.push(`checkpoint ${state.step}`)
      },
    },
  )
  disposeTrainState(end.state)
  disposeTrainData(data)
  return { end, calls, dataset }
}

/** An evaluation source whose `bad`-th evaluation (0: the initial weights) has non-finite losses, the others finite ones. */
const failingAt = (config: RunConfig, bad: number): EvaluationSource => {
  const { train, test } = makeDataset(config.task)
  let calls = 0
  const per = (n: number, loss: number) => ({ losses: new Float32Array(n).fill(loss), correct: new Uint8Array(n) })
  return {
    perExample: () => {
      const loss = calls++ === bad ? NaN : 1
      return Promise.resolve({ train: per(train.labels.length, loss), test: per(test.labels.length, loss) })
    },
  }
}

describe('a run that diverges', () => {
  it('with lr 1e30, stops at the first step whose weights are not finite: no history file or checkpoint of it, ' +
    'the summary says diverged at that step, its final evaluation is a finite one', async () => {
    const before = tf.memory().numTensors
    const { end, calls } = await session(configOf({ ...SMALL, lr: 1e30 }))
    expect(end.divergedStep).not.toBeNull()
    const at = end.divergedStep!
    expect(at).toBeGreaterThan(0)
    expect(at).toBeLessThan(40)
    expect(end.summary).toMatchObject({ status: 'finished', stopped_by: 'diverged', diverged_step: at, steps: at })
    expect(calls.filter((c) => !c.startsWith('record') && Number(c.split(' ')[1]) >= at)).toEqual([])
    expect(Number.isFinite(end.summary.final!.train.loss)).toBe(true)
    expect(runStatus({ holdsRun: true, summary: end.summary, failure: null })).toBe('diverged')
    expect(tf.memory().numTensors).toBe(before)
  })

  it('any evaluation with a non-finite loss ends the session there as diverged, after its record, before its history ' +
    'and checkpoint', async () => {
    const config = configOf(SMALL)
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 4 }), async (bad) => {
        const step = 10 * bad
        const { end, calls } = await session(config, failingAt(config, bad))
        expect(end.divergedStep).toBe(step)
        expect(end.records.at(-1)!.step).toBe(step)
        expect(calls.at(-1)).toBe(`record ${step}`)
        expect(end.summary).toMatchObject({ stopped_by: 'diverged', diverged_step: step, steps: step })
        expect(end.summary.final?.step ?? null).toBe(bad === 0 ? null : step - 10)
      }),
      { numRuns: 6 },
    )
  })

  it('a run that does not diverge says nothing of it', async () => {
    const { end } = await session(configOf(SMALL))
    expect(end.divergedStep).toBeNull()
    expect(end.summary.stopped_by).toBe('max-steps')
    expect('diverged_step' in end.summary).toBe(false)
  })
})

/** A metrics record at `step` with these losses (NaN: not finite). */
const record = (step: number, loss: number, acc: number): MetricsRecord => ({
  step,
  train_loss: loss,
  train_acc: acc,
  test_loss: loss,
  test_acc: acc,
  W_E: { ffd: 0.5, fcr: 0.5 },
  W_L: { ffd: 0.5, fcr: 0.5 },
  grok_step: null,
  elapsed_s: step,
  num_tensors: 10,
})

describe('summary.json', () => {
  it('round-trips every outcome through JSON and its codec: finished, interrupted, grokked or not, diverged at any step', () => {
    const loss = fc.oneof(fc.double({ min: 0, max: 10, noNaN: true }), fc.constantFrom(NaN, Infinity, -Infinity))
    fc.assert(
      fc.property(
        fc.array(fc.tuple(loss, fc.double({ min: 0, max: 1, noNaN: true })), { maxLength: 8 }),
        fc.boolean(),
        fc.option(fc.nat(1000)),
        fc.option(fc.nat(1000)),
        fc.constantFrom('max-steps' as const, 'grokked' as const, 'callback' as const),
        (rows, interrupted, divergedStep, grokStep, stoppedBy) => {
          const records = rows.map(([l, a], i) => record(10 * i, l, a))
          const s = runSummary({ ...EMPTY_RUN_END, interrupted, stoppedBy, divergedStep, grokStep, records, steps: 80 })
          const text = JSON.stringify(s)
          const decoded = decodeSummary(JSON.parse(text))
          expect(decoded._tag).toBe('Right')
          if (E.isRight(decoded)) expect(JSON.stringify(decoded.right)).toBe(text)
          expect(s.stopped_by).toBe(divergedStep !== null ? 'diverged' : interrupted ? 'interrupt' : stoppedBy)
          if (divergedStep !== null) expect(s).toMatchObject({ status: 'finished', diverged_step: divergedStep })
          // The final evaluation is the last with finite losses.
          const finite = records.filter((r) => Number.isFinite(r.train_loss) && Number.isFinite(r.test_loss)).at(-1)
          expect(s.final?.step ?? null).toBe(finite?.step ?? null)
        },
      ),
    )
  })

  it('a summary 0.2.0 wrote of a diverged run (null losses and measures) is read, its nulls as NaN', () => {
    const s = JSON.parse(JSON.stringify(runSummary({ ...EMPTY_RUN_END, records: [record(0, 1, 0.1)] }))) as Record<string, unknown>
    const old = {
      ...s,
      final: { step: 60, train: { loss: null, acc: 0.05 }, test: { loss: null, acc: 0.13 } },
      measures: { W_E: { ffd: 0, fcr: null }, W_L: { ffd: 0, fcr: null } },
    }
    const decoded = decodeSummary(old)
    expect(decoded._tag).toBe('Right')
    if (E.isRight(decoded)) expect(decoded.right.final?.train.loss).toBeNaN()
  })
})

// runEvidence on real tiny runs (a+b mod 7 trained through runTraining): what a finished run's folder says, the grok
// step's weights of a run that grokked and fell back, a transfer run's source, and the runs that are not finished
// (missing, interrupted, damaged), which give `finished: false` evidence and never throw; and measureMsPerStep.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { type MetricsRecord, type PlannedRun, type RunSettings, metricsLine, plannedRun, weightEvidence } from '@grokscope/runs'
import { SMALL_RUN, configOf } from '../../../test-support/runs.js'
import { loadModel, measureMsPerStep, readMetrics, runEvidence, runFolder, runTraining } from '../src/index.js'

const tmp = () => mkdtempSync(path.join(tmpdir(), 'grokscope-evidence-'))

/** Four evaluations after step 0, the weights kept every 10 steps, and the all-pairs measures at the last evaluation. */
const SETTINGS: RunSettings = { ...SMALL_RUN, seed: 0, saveEvery: 10, measureEvery: 40 }
const RUN: PlannedRun = plannedRun(configOf(SETTINGS))

/** A copy of a run whose records say its test accuracy was `acc(step)` (the grok step recorded as the loop records it). */
const withTestAcc = (from: string, acc: (step: number) => number): string => {
  const dir = path.join(tmp(), RUN.name)
  cpSync(from, dir, { recursive: true })
  const records = readMetrics(runFolder(dir)).records
  const grok = records.find((r) => acc(r.step) >= 0.99)?.step ?? null
  const lines = records.map(
    (r): MetricsRecord => ({ ...r, test_acc: acc(r.step), grok_step: grok !== null && r.step >= grok ? grok : null }),
  )
  writeFileSync(path.join(dir, 'metrics.jsonl'), lines.map((r) => `${metricsLine(r)}\n`).join(''))
  return dir
}

describe('runEvidence', () => {
  let finished = ''
  beforeAll(async () => {
    finished = path.join(tmp(), RUN.name)
    await runTraining(configOf(SETTINGS), finished)
  }, 120_000)

  it('of a finished run: its outcome and curve from its files, the measures of its weights.json', async () => {
    const warnings: string[] = []
    const e = await runEvidence(RUN, finished, 'ops', 'scratch', null, { onWarning: (w) => warnings.push(w) })
    const records = readMetrics(runFolder(finished)).records
    const summary = JSON.parse(readFileSync(path.join(finished, 'summary.json'), 'utf8')) as { grok_step: number | null; steps: number }
    expect(warnings).toEqual([])
    expect(e).toMatchObject({
      name: RUN.name,
      stage: 'ops',
      op: 'add',
      p: 7,
      frac: 0.6,
      seed: 0,
      transfer: 'scratch',
      finished: true,
      steps: summary.steps,
      grokStep: summary.grok_step,
      fitStep: records.find((r) => r.train_acc >= 0.99)?.step ?? null,
      diverged: false,
      weightsAt: 'end',
      sourceGrokked: null,
    })
    expect(e.curve.map((c) => c.step)).toEqual([0, 10, 20, 30, 40])
    expect(e.curve.map((c) => [c.trainAcc, c.testAcc, c.ffdWE, c.fcrWE])).toEqual(
      records.map((r) => [r.train_acc, r.test_acc, r.W_E.ffd, r.W_E.fcr]),
    )
    expect(e.bestTestAcc).toBe(Math.max(...records.map((r) => r.test_acc)))
    const model = loadModel(path.join(finished, 'weights.json'))
    expect(e.measures).toEqual(weightEvidence(model.config, model.host, 7))
    // The same weights as the last evaluation's: its FFD/FCR and its all-pairs asymmetry (computed in one pass there).
    const last = records.at(-1)!
    expect(e.measures!.ffdWE).toBeCloseTo(last.W_E.ffd, 5)
    expect(e.measures!.fcrWE).toBeCloseTo(last.W_E.fcr, 5)
    expect(e.measures!.asymmetry).toBeCloseTo(last.logits!.add!.asymmetry, 5)
    expect(e.measures!.cosShareWE).toBeGreaterThan(0)
    expect(e.measures!.cosShareWE).toBeLessThan(1)
    expect(e.measures!.mulFfdWE).not.toBeNull()
  })

  it('of a run that grokked and fell back: the measures of its grok step’s history file', async () => {
    const dir = withTestAcc(finished, (step) => (step === 20 ? 1 : 0.5))
    const e = await runEvidence(RUN, dir, 'ops', 'scratch')
    expect(e).toMatchObject({ finished: true, grokStep: 20, stayedGrokked: false, weightsAt: 'grok', bestTestAcc: 1, finalTestAcc: expect.any(Number) })
    const at20 = loadModel(path.join(dir, 'history', 'step-000020.safetensors'))
    expect(e.measures).toEqual(weightEvidence(at20.config, at20.host, 7))
    const end = await runEvidence(RUN, finished, 'ops', 'scratch')
    expect(e.measures).not.toEqual(end.measures)
  })

  it('of a transfer run: whether its source grokked and stayed grokked', async () => {
    const stayed = withTestAcc(finished, (step) => (step >= 20 ? 1 : 0.5))
    const fell = withTestAcc(finished, (step) => (step === 20 ? 1 : 0.5))
    const never = withTestAcc(finished, () => 0.5)
    const kind = 'frozen random embedding'
    expect((await runEvidence(RUN, finished, 'transfer', kind, stayed)).sourceGrokked).toBe(true)
    expect((await runEvidence(RUN, finished, 'transfer', kind, fell)).sourceGrokked).toBe(false)
    expect((await runEvidence(RUN, finished, 'transfer', kind, never)).sourceGrokked).toBe(false)
    expect((await runEvidence(RUN, finished, 'transfer', kind, path.join(tmp(), 'none'))).sourceGrokked).toBe(false)
    expect((await runEvidence(RUN, stayed, 'ops', 'scratch')).stayedGrokked).toBe(true)
  })

  it('of a missing, an interrupted and a damaged run: not finished, no measures, never an exception; ' +
    'a damaged file is a warning naming it', async () => {
    const notFinished = { finished: false, steps: 0, grokStep: null, measures: null, curve: [], fitStep: null, bestTestAcc: null }
    const warnings: string[] = []
    const onWarning = (w: string) => warnings.push(w)
    expect(await runEvidence(RUN, path.join(tmp(), RUN.name), 'ops', 'scratch', null, { onWarning })).toMatchObject(notFinished)
    expect(warnings).toEqual([])

    const interrupted = path.join(tmp(), RUN.name)
    let step = 0
    await runTraining(configOf(SETTINGS), interrupted, { onStep: (s) => (step = s), shouldStop: () => step >= 15 })
    expect(await runEvidence(RUN, interrupted, 'ops', 'scratch', null, { onWarning })).toMatchObject(notFinished)
    expect(warnings).toEqual([])

    const damaged = path.join(tmp(), RUN.name)
    cpSync(finished, damaged, { recursive: true })
    writeFileSync(path.join(damaged, 'summary.json'), '{')
    expect(await runEvidence(RUN, damaged, 'ops', 'scratch', null, { onWarning })).toMatchObject(notFinished)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(path.join(damaged, 'summary.json'))

    const noMetrics = path.join(tmp(), RUN.name)
    cpSync(finished, noMetrics, { recursive: true })
    writeFileSync(path.join(noMetrics, 'metrics.jsonl'), 'not json\n{}\n')
    expect(await runEvidence(RUN, noMetrics, 'ops', 'scratch', null, { onWarning })).toMatchObject(notFinished)
    expect(warnings).toHaveLength(2)
  }, 60_000)

  it('leaves the tensor count as it found it', async () => {
    await runEvidence(RUN, finished, 'ops', 'scratch')
    const before = tf.memory().numTensors
    await runEvidence(RUN, finished, 'ops', 'scratch', null, { memoryMiB: 300 })
    expect(tf.memory().numTensors).toBe(before)
  })
})

describe('measureMsPerStep', () => {
  it('times the run’s steps: a positive, finite median; no tensor left behind', async () => {
    const before = tf.memory().numTensors
    const ms = await measureMsPerStep(configOf(SETTINGS), { threads: 1 }, 3)
    expect(ms).toBeGreaterThan(0)
    expect(Number.isFinite(ms)).toBe(true)
    expect(tf.memory().numTensors).toBe(before)
  }, 60_000)
})

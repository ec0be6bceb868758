// runTraining, the entry any Node program trains a run through (train and every run of a sweep do): a new run's folder,
// a run stopped and resumed to the weights of a run straight through, the folder checks, and a flat tensor count.
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import type { RunSettings } from '@grokscope/runs'
import { SMALL_RUN, configOf } from '../../../test-support/runs.js'
import { UsageError, readConfig, readMetrics, runFolder, runTraining } from '../src/index.js'

const tmp = () => mkdtempSync(path.join(tmpdir(), 'grokscope-training-'))
const json = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>

const SMALL: RunSettings = { ...SMALL_RUN, seed: 2, checkpointEvery: 10 }

describe('runTraining', () => {
  it('writes a new run’s folder, calls its hooks, releases the lock, and leaves the tensor count as it found it', async () => {
    const dir = path.join(tmp(), 'run')
    const before = tf.memory().numTensors
    const seen: number[] = []
    const r = await runTraining(configOf(SMALL), dir, { onEvaluation: (record) => seen.push(record.step) })
    expect(tf.memory().numTensors).toBe(before)
    expect(seen).toEqual([0, 10, 20, 30, 40])
    expect(r).toMatchObject({ dir, resumed: false, interrupted: false, summary: { status: 'finished', steps: 40 } })
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'curves.svg', 'metrics.jsonl', 'state.json', 'summary.json', 'weights.json'])
    expect(readConfig(runFolder(dir))).toEqual(configOf(SMALL))
    expect(json(path.join(dir, 'summary.json'))).toEqual(JSON.parse(JSON.stringify(r.summary)))
  })

  it('stopped by its caller, it is resumed to the weights and metrics of the run straight through', async () => {
    const root = tmp()
    const straight = await runTraining(configOf(SMALL), path.join(root, 'straight'))
    const dir = path.join(root, 'stopped')
    let step = 0
    const stopped = await runTraining(configOf(SMALL), dir, { onStep: (s) => (step = s), shouldStop: () => step >= 25 })
    expect(stopped).toMatchObject({ interrupted: true, summary: { status: 'interrupted', steps: 25 } })
    const resumed = await runTraining(configOf(SMALL), dir, {}, { start: 'resume' })
    expect(resumed).toMatchObject({ resumed: true, summary: { status: 'finished', steps: 40, resumed_from_step: 25 } })
    const state = (d: string) => json(path.join(d, 'state.json'))
    expect([state(dir).params, state(dir).opt]).toEqual([state(straight.dir).params, state(straight.dir).opt])
    const lines = (d: string) => readMetrics(runFolder(d)).records.map(({ elapsed_s: _, ...rest }) => rest)
    expect(lines(dir)).toEqual(lines(straight.dir))
  })

  it('refuses a folder that holds a run with other settings, a new run over a run, and a resume of nothing; ' +
    'nothing is written', async () => {
    const dir = path.join(tmp(), 'run')
    await runTraining(configOf(SMALL), dir)
    const weights = readFileSync(path.join(dir, 'weights.json'), 'utf8')
    await expect(runTraining(configOf({ ...SMALL, lr: 3e-3 }), dir)).rejects.toThrow(
      new UsageError(`${dir} holds a run with other settings (optimizer differ); resume it with its own, or choose another folder`),
    )
    await expect(runTraining(configOf(SMALL), dir, {}, { start: 'new' })).rejects.toThrow(/already holds a run/)
    const empty = path.join(tmp(), 'none')
    await expect(runTraining(configOf(SMALL), empty, {}, { start: 'resume' })).rejects.toThrow(/holds no run to resume/)
    expect(existsSync(empty)).toBe(false)
    expect(readFileSync(path.join(dir, 'weights.json'), 'utf8')).toBe(weights)
    expect(existsSync(path.join(dir, '.lock'))).toBe(false)
  })
})

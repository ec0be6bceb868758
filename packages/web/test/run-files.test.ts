// The run folder the page downloads is one the CLI reads: its config.json decodes with the
// CLI's codec, its fingerprint is the CLI's, its metrics decode with the CLI's reader, `analyze` reads it and `train --resume` continues it.
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { type MetricsRecord, grokOutcome, metricsRecord, recordPhases } from '@grokscope/analysis'
import { decodeRunConfig, encodeRunConfig, loadModel, readMetrics, runFolder } from '@grokscope/cli'
import { decodeTask, makeDataset } from '@grokscope/data'
import { initParams, toHost } from '@grokscope/model'
import { PAPER_ADAMW, disposeTrainData, disposeTrainState, initTrainState, modelConfigFor, prepareTrainData, train } from '@grokscope/train'
import { runFingerprint, runSummary } from '../../cli/src/run-folder.js'
import { cli } from '../../cli/test/run-cli.js'
import { type LoopSettings, WEB_LOOP, runName, runZip } from '../src/RunFiles.js'
import { unzipTo } from './unzip.js'

const small = { dModel: 16, nHeads: 2, dHead: 8, dMlp: 32 }
const loop: LoopSettings = { ...WEB_LOOP, eval_every: 10, max_steps: 40 }

/** The summary the CLI writes for a session that ended as the zipped one did, with the page's phases, as JSON reads it back. */
const cliSummary = (records: ReadonlyArray<MetricsRecord>, steps: number, grokStep: number | null, settings: LoopSettings): unknown => {
  const last = records.at(-1) ?? null
  const outcome = grokOutcome(records, settings.grok_threshold)
  const summary = runSummary({ interrupted: true, stoppedBy: 'callback', grokStep, steps, resumedFrom: null, last, outcome, wallTimeS: 2, stepsRun: steps, backend: 'wasm', threads: 1, transfer: null })
  return JSON.parse(JSON.stringify({ ...summary, phases: recordPhases(records) }))
}

/** Trains a small model on a+b mod 7 for 30 steps with the web's pieces and zips the run. */
const trainAndZip = async (settings: LoopSettings = loop) => {
  const t = decodeTask({ p: 7, ops: ['add'], frac: 0.6, seed: 3 })
  if (E.isLeft(t)) throw new Error('bad task')
  const task = t.right
  const dataset = makeDataset(task)
  const model = modelConfigFor(dataset, small)
  const data = prepareTrainData(model, dataset)
  const records: MetricsRecord[] = []
  const ops = task.ops.map((op) => ({ id: op.id, op }))
  const result = await train(
    model,
    data,
    initTrainState(initParams(model, task.seed)),
    { optimizer: PAPER_ADAMW, maxSteps: settings.max_steps, evalEvery: settings.eval_every, stopAfterGrok: null, grokThreshold: settings.grok_threshold, grokStep: null },
    {
      onEval: (r) => {
        records.push(metricsRecord({ ...r, host: toHost(r.params), config: model, p: task.p, ops, seed: task.seed, measureLogits: false, elapsedS: 0.5, numTensors: 1 }))
      },
      onStep: (step) => (step === 30 ? 'stop' : undefined),
    },
  )
  const before = tf.memory().numTensors
  const zipped = runZip({
    task,
    model,
    optimizer: PAPER_ADAMW,
    loop: settings,
    records,
    state: result.state,
    end: { stopped: true, stoppedBy: result.stoppedBy, grokStep: result.grokStep, wallTimeS: 2, backend: 'wasm', endedAtMs: Date.UTC(2026, 0, 1) },
  })
  const leaked = tf.memory().numTensors - before
  disposeTrainState(result.state)
  disposeTrainData(data)
  return { task, model, records, zipped, leaked, steps: result.state.step, grokStep: result.grokStep }
}

describe('the downloaded run folder', () => {
  it('is a folder named as the CLI names runs, with the CLI run files, read by the CLI as written', async () => {
    const { task, model, records, zipped, leaked, steps, grokStep } = await trainAndZip()
    expect(leaked).toBe(0)
    expect(zipped.name).toBe('add-p7-r0.6-s3')
    expect(runName(task)).toBe(zipped.name)
    const dir = mkdtempSync(path.join(tmpdir(), 'grokscope-web-'))
    expect(unzipTo(zipped.zip, dir)).toEqual(['', 'config.json', 'metrics.jsonl', 'state.json', 'summary.json', 'weights.json'].map((f) => `${zipped.name}/${f}`))
    const run = runFolder(path.join(dir, zipped.name))

    const config = JSON.parse(readFileSync(run.file.config, 'utf8')) as unknown
    const decoded = decodeRunConfig(config)
    if (E.isLeft(decoded)) throw new Error(decoded.left)
    expect(decoded.right.model).toEqual(model)
    expect(decoded.right.task.ops.map((op) => op.id)).toEqual(['add'])
    expect({ ...encodeRunConfig(decoded.right), fingerprint: runFingerprint(decoded.right) }).toEqual(config)
    const carried = runFingerprint(decoded.right)
    expect(JSON.parse(readFileSync(run.file.state, 'utf8'))).toMatchObject({ fingerprint: carried })
    expect(JSON.parse(readFileSync(run.file.weights, 'utf8'))).toMatchObject({ config: { fingerprint: carried } })

    const log = readMetrics(run)
    expect(log.warning).toBeNull()
    expect(log.records).toEqual(records)
    expect(log.records.map((r) => r.step)).toEqual([10, 20, 30])

    const weights = loadModel(run.dir)
    expect(weights.config).toEqual(model)
    expect(weights.meta.steps).toBe(steps)

    const summary = JSON.parse(readFileSync(run.file.summary, 'utf8')) as Record<string, unknown>
    expect(grokStep).toBeNull()
    expect(summary.grokked).toBe(false)
    expect(summary).toEqual(cliSummary(records, steps, grokStep, loop))
  }, 60_000)

  it('has the CLI’s summary.json for a session that grokked', async () => {
    // A threshold every evaluation reaches: the session groks at its first evaluation, so the outcome's fields are compared too.
    const grokking = { ...loop, grok_threshold: 0 }
    const { zipped, records, steps, grokStep } = await trainAndZip(grokking)
    expect(grokStep).toBe(10)
    const dir = mkdtempSync(path.join(tmpdir(), 'grokscope-web-'))
    unzipTo(zipped.zip, dir)
    const summary = JSON.parse(readFileSync(path.join(dir, zipped.name, 'summary.json'), 'utf8')) as unknown
    expect(summary).toMatchObject({ grokked: true, grok_step: 10, stayed_grokked: true, min_test_acc_after_grok: Math.min(...records.map((r) => r.test_acc)) })
    expect(summary).toEqual(cliSummary(records, steps, grokStep, grokking))
  }, 60_000)

  it('grokscope analyze reads it, and grokscope train --resume continues it', async () => {
    const { zipped, steps } = await trainAndZip()
    const dir = mkdtempSync(path.join(tmpdir(), 'grokscope-web-'))
    unzipTo(zipped.zip, dir)
    const folder = path.join(dir, zipped.name)
    const analyzed = await cli(['analyze', folder, '--json'])
    expect(analyzed.stderr).toBe('')
    expect(analyzed.code).toBe(0)
    const doc = JSON.parse(analyzed.stdout) as { p: number; ops: string[]; per_op: Array<{ key_frequencies: unknown }> }
    expect(doc.p).toBe(7)
    expect(doc.ops).toEqual(['add'])
    expect(doc.per_op[0]!.key_frequencies).not.toBeNull()

    const resumed = await cli(['train', '--resume', '--out', folder, '--steps', String(steps + 20), '--threads', '1', '--no-progress'])
    expect(resumed.code).toBe(0)
    const summary = JSON.parse(readFileSync(path.join(folder, 'summary.json'), 'utf8')) as { steps: number; resumed_from_step: number }
    expect(summary).toMatchObject({ steps: steps + 20, resumed_from_step: steps })
  }, 180_000)
})

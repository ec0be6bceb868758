// The run folder the page downloads is one the Node adapters (and so the CLI) read: the page trains
// through the same session (`trainSession` of @grokscope/runs) and zips runs' own documents; the folder's
// config.json decodes to the run's config, its files carry its fingerprint, its metrics and summary read
// back as written, and it is analysed and resumed as any run folder.
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { makeDataset } from '@grokscope/data'
import { readHost } from '@grokscope/model'
import { analyzeLoadedModel, loadModel, readMetrics, runFolder, runTraining } from '@grokscope/node'
import {
  PAPER_SETTINGS,
  type RunConfig,
  decodeRunConfig,
  decodeSummary,
  encodeRunConfig,
  initialState,
  makeRunConfig,
  runFingerprint,
  runName,
  trainSession,
} from '@grokscope/runs'
import { disposeTrainData, disposeTrainState, encodeTrainStateAsync, prepareTrainData } from '@grokscope/train'
import { runZip } from '../src/run-files.js'
import { unzipTo } from './unzip.js'

const CONFIG = makeRunConfig({
  ...PAPER_SETTINGS,
  ops: ['add'],
  p: 7,
  frac: 0.6,
  seed: 3,
  dModel: 16,
  heads: 2,
  dHead: 8,
  dMlp: 32,
  evalEvery: 10,
  steps: 40,
  stopAfterGrok: null,
})

const config = (): RunConfig => {
  if (E.isLeft(CONFIG)) throw new Error(CONFIG.left)
  return CONFIG.right
}

/** Trains a small model on a+b mod 7 with the page's session (stopped after 30 of 40 steps, as by the Stop button) and zips the run. */
const trainAndZip = async () => {
  const c = config()
  const dataset = makeDataset(c.task)
  const data = prepareTrainData(c.model, dataset)
  const start = initialState(c, null)
  if (E.isLeft(start)) throw new Error(start.left)
  const end = await trainSession(
    c,
    { state: start.right, records: [], resumed: false },
    { dataset, data, now: () => 0, backend: tf.getBackend(), threads: 1 },
    { record: () => undefined, history: () => undefined, checkpoint: () => undefined, step: (step) => (step === 30 ? 'stop' : undefined) },
  )
  const before = tf.memory().numTensors
  const [host, state] = [await readHost(end.state.params), await encodeTrainStateAsync(end.state)]
  const zipped = runZip({ config: c, records: end.records, host, state, summary: end.summary }, Date.UTC(2026, 0, 1))
  const leaked = tf.memory().numTensors - before
  disposeTrainState(end.state)
  disposeTrainData(data)
  return { records: end.records, summary: end.summary, zipped, leaked, steps: end.state.step }
}

describe('the downloaded run folder', () => {
  it('is a folder named as every run is named, holding the run documents, read back as written', async () => {
    const { records, summary, zipped, leaked, steps } = await trainAndZip()
    expect(leaked).toBe(0)
    expect(steps).toBe(30)
    expect(zipped.name).toBe('add-p7-r0.6-s3')
    expect(runName(config())).toBe(zipped.name)
    const dir = mkdtempSync(path.join(tmpdir(), 'grokscope-web-'))
    expect(unzipTo(zipped.zip, dir)).toEqual(
      ['', 'config.json', 'metrics.jsonl', 'state.json', 'summary.json', 'weights.json'].map((f) => `${zipped.name}/${f}`),
    )
    const run = runFolder(path.join(dir, zipped.name))

    const written = JSON.parse(readFileSync(run.file.config, 'utf8')) as unknown
    const decoded = decodeRunConfig(written)
    if (E.isLeft(decoded)) throw new Error(decoded.left)
    expect(decoded.right).toEqual(config())
    expect(written).toEqual(JSON.parse(JSON.stringify(encodeRunConfig(config()))))
    const carried = runFingerprint(config())
    expect(written).toMatchObject({ fingerprint: carried })
    expect(JSON.parse(readFileSync(run.file.state, 'utf8'))).toMatchObject({ step: 30, fingerprint: carried })
    expect(JSON.parse(readFileSync(run.file.weights, 'utf8'))).toMatchObject({ config: { fingerprint: carried, steps: 30 } })

    const log = readMetrics(run)
    expect(log.warning).toBeNull()
    expect(log.records).toEqual(JSON.parse(JSON.stringify(records)))
    expect(log.records.map((r) => r.step)).toEqual([0, 10, 20, 30])

    expect(loadModel(run.dir).config).toEqual(config().model)
    const read = decodeSummary(JSON.parse(readFileSync(run.file.summary, 'utf8')))
    expect(read).toEqual(E.right(JSON.parse(JSON.stringify(summary))))
    expect(summary).toMatchObject({ status: 'interrupted', stopped_by: 'interrupt', steps: 30, resumed_from_step: null })
  }, 60_000)

  it('is analysed as any run, and resumed to its budget', async () => {
    const { zipped, steps } = await trainAndZip()
    const dir = mkdtempSync(path.join(tmpdir(), 'grokscope-web-'))
    unzipTo(zipped.zip, dir)
    const folder = path.join(dir, zipped.name)
    const analysis = await analyzeLoadedModel(loadModel(folder))
    expect(analysis.p).toBe(7)
    expect(analysis.perOp.map((o) => o.op)).toEqual(['add'])
    expect(analysis.perOp[0]!.keyFrequencies).not.toBeNull()

    const resumed = await runTraining({ ...config(), loop: { ...config().loop, max_steps: steps + 20 } }, folder, {}, { start: 'resume' })
    expect(resumed.summary).toMatchObject({ status: 'finished', steps: steps + 20, resumed_from_step: steps })
    expect(readMetrics(runFolder(folder)).records.map((r) => r.step)).toEqual([0, 10, 20, 30, 40, 50])
  }, 180_000)
})

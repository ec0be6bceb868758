// A user embeds single stages, or runs whole sweeps from a program: every library, packed as it would
// be published and installed with npm into a plain Node project outside the workspace, used through
// its public entry points only; the example program of @grokscope/runs' README runs there as written.
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'

const packages = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const LIBRARIES = ['data', 'measures', 'model', 'train', 'analysis', 'charts', 'runs', 'report', 'node'] as const
let dir = ''

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'grokscope-embed-'))
  for (const name of LIBRARIES) execFileSync('pnpm', ['pack', '--pack-destination', dir], { cwd: path.join(packages, name), stdio: 'pipe' })
  const tarballs = readdirSync(dir).filter((f) => f.endsWith('.tgz'))
  expect(tarballs).toHaveLength(LIBRARIES.length)
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }))
  execFileSync(
    'npm',
    [
      'install', '--no-audit', '--no-fund', ...tarballs.map((t) => `./${t}`), '@tensorflow/tfjs-core@4.22.0',
      '@tensorflow/tfjs-backend-wasm@4.22.0',
    ],
    { cwd: dir, stdio: 'pipe' },
  )
}, 240_000)

const run = (source: string): unknown => {
  writeFileSync(path.join(dir, 'main.js'), source)
  return JSON.parse(execFileSync(process.execPath, ['main.js'], { cwd: dir, encoding: 'utf8' }))
}

it('@grokscope/data and @grokscope/measures work from a plain Node project', () => {
  const out = run(`import { decodeTask, makeDataset } from '@grokscope/data'
import { matrix, spectrum, ffd, fcr } from '@grokscope/measures'
const task = decodeTask({ p: 31, ops: ['add'], frac: 0.5, seed: 0 })
const d = makeDataset(task.right)
const p = 31
const W = matrix(p, 2, Array.from({ length: 2 * p }, (_, i) => Math.cos((2 * Math.PI * 3 * Math.floor(i / 2)) / p) + (i % 2) * Math.sin((2 * Math.PI * 3 * Math.floor(i / 2)) / p)))
const s = spectrum(W)
console.log(JSON.stringify({ train: d.train.size, test: d.test.size, ffd: ffd(s), fcr: fcr(s) }))
`) as { train: number; test: number; ffd: number; fcr: number }
  expect(out.train).toBe(480)
  expect(out.test).toBe(481)
  expect(out.ffd).toBeCloseTo(1 / 15, 12)
  expect(out.fcr).toBeGreaterThan(0)
})

it('a plain Node project trains 20 steps and evaluates through the public APIs of model, train and analysis', () => {
  const out = run(`import { createRequire } from 'node:module'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import { decodeTask, makeDataset } from '@grokscope/data'
import { initParams } from '@grokscope/model'
import { PAPER_ADAMW, defaultLoopOptions, evaluate, initTrainState, modelConfigFor, prepareTrainData, disposeTrainData, disposeTrainState, train } from '@grokscope/train'
import { fourierMeasures } from '@grokscope/analysis'
import { toHost } from '@grokscope/model'

const require = createRequire(import.meta.url)
setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep)
await tf.setBackend('wasm')
const task = decodeTask({ p: 23, ops: ['add'], frac: 0.5, seed: 0 }).right
const dataset = makeDataset(task)
const c = modelConfigFor(dataset, { dModel: 32, nHeads: 2, dHead: 16, dMlp: 64 })
const data = prepareTrainData(c, dataset)
const before = evaluate(c, initParams(c, 0), data.train, data.trainOps, data.nOps)
const tensors = []
const result = await train(c, data, initTrainState(initParams(c, 0)), { ...defaultLoopOptions(PAPER_ADAMW), maxSteps: 20, evalEvery: 10 }, {
  onEval: (e) => { tensors.push(tf.memory().numTensors - e.heldTensors) },
})
const after = evaluate(c, result.state.params, data.train, data.trainOps, data.nOps)
const m = fourierMeasures(c, toHost(result.state.params), 23)
disposeTrainState(result.state)
disposeTrainData(data)
console.log(JSON.stringify({ backend: tf.getBackend(), steps: result.state.step, before: before.loss, after: after.loss, tensors, ffd: m.W_E.ffd }))
`) as { backend: string; steps: number; before: number; after: number; tensors: number[]; ffd: number }
  expect(out.backend).toBe('wasm')
  expect(out.steps).toBe(20)
  expect(out.after).toBeLessThan(out.before)
  expect(out.tensors[1]).toBe(out.tensors[0])
  expect(out.ffd).toBeGreaterThan(0)
  expect(out.ffd).toBeLessThanOrEqual(1)
})

describe('the example program of @grokscope/runs', () => {
  const examples = path.join(packages, 'runs', 'examples')
  const FILES = ['plan.mjs', 'sweep.mjs'] as const

  it('is in the README as it is in the repository', () => {
    const readme = readFileSync(path.join(packages, 'runs', 'README.md'), 'utf8')
    for (const f of FILES) expect(readme, f).toContain(readFileSync(path.join(examples, f), 'utf8').trimEnd())
  })

  it('plans a 4-run sweep, trains it in its own process with no CLI, and prints the results table', () => {
    for (const f of FILES) copyFileSync(path.join(examples, f), path.join(dir, f))
    const out = execFileSync(process.execPath, ['sweep.mjs', 'sweeps/example'], { cwd: dir, encoding: 'utf8' })
    const ended = out.split('\n').filter((l) => /^(add|mul)-p23-r0\.6-s[01]: finished, /.test(l))
    expect(ended, out).toHaveLength(4)
    expect(out).toMatch(/^\| operation \| r = 0\.6 \|$/m)
    expect(out).toMatch(/^\| add \| \d\/2 · /m)
    expect(out).toMatch(/^\| mul \| \d\/2 · /m)
    const plan = JSON.parse(readFileSync(path.join(dir, 'sweeps', 'example', 'sweep.json'), 'utf8')) as {
      format: string
      runs: Array<{ name: string }>
    }
    expect(plan.format).toBe('grokscope-sweep/2')
    expect(plan.runs.map((r) => r.name)).toEqual(['add-p23-r0.6-s0', 'add-p23-r0.6-s1', 'mul-p23-r0.6-s0', 'mul-p23-r0.6-s1'])
  }, 300_000)
})

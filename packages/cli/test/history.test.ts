// The weights history (train --save-every, export --step, analyze --step, crash-safe on resume),
// exported checkpoints taken by the commands that recompute the split, and results on a folder of runs.
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { FIXTURES, fixturePath } from '../../../test-support/fixtures.js'
import { cli, metricSteps as steps } from './run-cli.js'

const tmp = () => mkdtempSync(path.join(tmpdir(), 'grokscope-history-'))
const read = (file: string) => readFileSync(file, 'utf8')
const json = (file: string): Record<string, unknown> => JSON.parse(read(file)) as Record<string, unknown>
const digest = (dir: string) =>
  readdirSync(dir)
    .sort()
    .map((f) => `${f}:${createHash('sha256').update(readFileSync(path.join(dir, f))).digest('hex')}`)
    .join('\n')
const name = (step: number) => `step-${String(step).padStart(6, '0')}.safetensors`

const TINY = [
  '--p', '11', '--frac', '0.6', '--d-model', '16', '--heads', '2', '--d-head', '8', '--d-mlp', '32', '--eval-every', '10', '--threads', '1',
  '--no-progress',
]

describe('train --save-every', () => {
  it('keeps the weights at every n steps (step 0 included) and at the end; export --step and analyze --step read them; ' +
    'a step not saved is exit 2 listing the saved ones', async () => {
    const out = path.join(tmp(), 'run')
    const r = await cli(['train', ...TINY, '--steps', '50', '--save-every', '20', '--out', out])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('history/')
    expect(readdirSync(path.join(out, 'history'))).toEqual([0, 20, 40, 50].map(name))
    expect(json(path.join(out, 'config.json')).loop).toMatchObject({ save_every: 20 })

    // The last history file holds the final weights: the same analysis as the run's weights.json.
    const analysis = async (args: ReadonlyArray<string>) => {
      const a = await cli(['analyze', ...args, '--json'])
      expect(a.code, a.stderr).toBe(0)
      const { file, timings_ms: _timings, ...rest } = JSON.parse(a.stdout) as Record<string, unknown>
      return { file, rest }
    }
    const final = await analysis([out])
    const at50 = await analysis([out, '--step', '50'])
    expect(at50.file).toBe(path.join(out, 'history', name(50)))
    expect(at50.rest).toEqual(final.rest)
    // Step 0 is the initial weights: another model.
    expect((await analysis([out, '--step', '0'])).rest).not.toEqual(final.rest)

    const exported = path.join(tmp(), 'tl')
    const e = await cli(['export', out, '--step', '20', '--out', exported])
    expect(e.code, e.stderr).toBe(0)
    expect(json(path.join(exported, 'config.json')).task).toMatchObject({ p: 11, ops: ['add'], frac: 0.6, seed: 0, steps: 20 })
    expect((await analysis([exported])).rest).toEqual((await analysis([out, '--step', '20'])).rest)

    for (const args of [
      ['export', out, '--step', '30', '--out', path.join(tmp(), 'x')],
      ['analyze', out, '--step', '30'],
    ]) {
      const bad = await cli(args)
      expect(bad.code).toBe(2)
      expect(bad.stderr).toBe(`grokscope: error: --step: step 30 is not in ${path.join(out, 'history')} (saved steps: 0, 20, 40, 50)\n`)
    }
    const noRun = await cli(['analyze', fixturePath(FIXTURES[0]), '--step', '0'])
    expect([noRun.code, noRun.stderr.trim().split('\n').length]).toEqual([2, 1])
    expect(noRun.stderr).toContain('--step: ')
    expect(noRun.stderr).toContain('is not a run folder')
    const summary = json(path.join(out, 'summary.json'))
    expect(summary).toMatchObject({ grokked: false, stayed_grokked: false, last_test_acc_after_grok: null, min_test_acc_after_grok: null })
  }, 120_000)

  it('a resumed run drops the history files after its checkpoint and writes them again, identically; no duplicate, none lost', async () => {
    const out = path.join(tmp(), 'run')
    const run = ['train', ...TINY, '--save-every', '10', '--checkpoint-every', '20', '--out', out]
    expect((await cli([...run, '--steps', '20'])).code).toBe(0)
    const at20 = path.join(tmp(), 'state-20.json')
    copyFileSync(path.join(out, 'state.json'), at20)
    const resume = ['train', '--resume', '--out', out, '--threads', '1', '--no-progress']
    expect((await cli([...resume, '--steps', '50'])).code).toBe(0)
    const history = path.join(out, 'history')
    expect(readdirSync(history)).toEqual([0, 10, 20, 30, 40, 50].map(name))
    const whole = digest(history)
    // A crash after the history of steps 30–50 but before their checkpoints (state.json back at 20), with a write of step 60 cut short,
    // a file of step 35 (the last step of a session that stopped there: this run, resumed, never saves it) and a step 40 not what
    // this run writes: all dropped, steps 30–50 written again.
    copyFileSync(at20, path.join(out, 'state.json'))
    writeFileSync(path.join(history, `${name(60)}.4242.tmp`), 'half a file')
    copyFileSync(path.join(history, name(30)), path.join(history, name(35)))
    writeFileSync(path.join(history, name(40)), 'another run')
    const again = await cli([...resume, '--steps', '50'])
    expect(again.code, again.stderr).toBe(0)
    expect(readdirSync(history)).toEqual([0, 10, 20, 30, 40, 50].map(name))
    expect(digest(history)).toBe(whole)
    expect(steps(out)).toEqual([0, 10, 20, 30, 40, 50])
  }, 120_000)
})

describe('an exported checkpoint', () => {
  it('is taken by predict --test-errors (the same errors as its run), analyze and report', async () => {
    const dir = tmp()
    const run = path.join(dir, 'run')
    expect((await cli(['train', ...TINY, '--ops', 'add,mul', '--steps', '40', '--out', run])).code).toBe(0)
    const exported = path.join(dir, 'tl')
    expect((await cli(['export', run, '--out', exported])).code).toBe(0)
    const errors = async (target: string) => {
      const r = await cli(['predict', target, '--test-errors', '--json'])
      expect(r.code, r.stderr).toBe(0)
      return JSON.parse(r.stdout) as Array<{ a: number; b: number; op: string; predicted: number; expected: number }>
    }
    const ofRun = await errors(run)
    // A model 40 steps into training gets test pairs wrong: the comparison is not of two empty lists.
    expect(ofRun.length).toBeGreaterThan(0)
    expect(await errors(exported)).toEqual(ofRun)
    // The run's weights.json records the split too.
    expect(await errors(path.join(run, 'weights.json'))).toEqual(ofRun)
    const text = await cli(['predict', exported, '--test-errors', '--op', 'mul'])
    expect(text.stdout).toMatch(new RegExp(`^${ofRun.filter((w) => w.op === 'mul').length} of \\d+ test pairs wrong`, 'm'))
    expect((await cli(['analyze', exported])).code).toBe(0)
    const report = await cli(['report', exported])
    expect(report.code, report.stderr).toBe(0)
    expect(existsSync(path.join(exported, 'report.html'))).toBe(true)
  }, 120_000)
})

describe('grokscope results on a folder of runs', () => {
  it('reads every run folder in it (as report does) and writes the table; a run folder or a folder without runs is exit 2', async () => {
    const dir = tmp()
    expect((await cli(['train', ...TINY, '--op', 'add', '--steps', '20', '--out', path.join(dir, 'add-s0')])).code).toBe(0)
    expect((await cli(['train', ...TINY, '--op', 'mul', '--seed', '1', '--steps', '30', '--out', path.join(dir, 'mul-s1')])).code).toBe(0)
    mkdirSync(path.join(dir, 'not-a-run'))
    const r = await cli(['results', dir, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const rows = JSON.parse(r.stdout) as Array<{
      run: string
      operation: string
      seed: number
      status: string
      steps: number
      stayed_grokked: boolean | null
    }>
    expect(rows.map((x) => [x.run, x.operation, x.seed, x.status, x.steps])).toEqual([
      ['add-s0', 'add', 0, 'finished', 20],
      ['mul-s1', 'mul', 1, 'finished', 30],
    ])
    expect(rows.every((x) => typeof x.stayed_grokked === 'boolean')).toBe(true)
    for (const f of ['results.csv', 'table.md', 'accuracy.svg', 'measures.svg']) expect(existsSync(path.join(dir, f)), f).toBe(true)
    expect(read(path.join(dir, 'table.md'))).toMatch(/^\| add \| /m)

    // add-s0's metrics rewritten as a run that grokked at step 10 and then fell (as the fast recipe's sub at p = 23, r = 0.7 did):
    // the table says it did not stay grokked and how low it fell; the report's outcome says so too.
    const file = path.join(dir, 'add-s0', 'metrics.jsonl')
    const fell = read(file)
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { step: number; test_acc: number; grok_step: number | null })
      .map((m) => ({ ...m, test_acc: m.step === 10 ? 1 : m.step === 20 ? 0.35 : m.test_acc, grok_step: m.step >= 10 ? 10 : null }))
    writeFileSync(file, fell.map((m) => `${JSON.stringify(m)}\n`).join(''))
    const again = await cli(['results', dir, '--json'])
    expect(again.code, again.stderr).toBe(0)
    expect((JSON.parse(again.stdout) as Array<Record<string, unknown>>)[0]).toMatchObject({
      run: 'add-s0',
      grok_step: 10,
      stayed_grokked: false,
      last_test_acc_after_grok: 0.35,
      min_test_acc_after_grok: 0.35,
    })
    expect(read(path.join(dir, 'table.md'))).toMatch(/^\| add \| 1\/1 · 10 · 1\.000 · stayed 0\/1 \(min 0\.350\) \|/m)
    expect((await cli(['report', path.join(dir, 'add-s0')])).code).toBe(0)
    expect(read(path.join(dir, 'add-s0', 'report.html'))).toContain(
      'grokked at step 10, then fell (lowest test accuracy after grokking 0.3500, last 0.3500)',
    )

    const oneRun = await cli(['results', path.join(dir, 'add-s0')])
    expect([oneRun.code, oneRun.stderr]).toEqual([
      2,
      `grokscope: error: ${path.join(dir, 'add-s0')} is a run folder (give a sweep folder or a folder of run folders; for one run: ` +
        `grokscope report ${path.join(dir, 'add-s0')})\n`,
    ])
    const empty = await cli(['results', path.join(dir, 'not-a-run')])
    expect(empty.code).toBe(2)
    expect(empty.stderr).toContain('has no sweep.json and no run folders')
  }, 120_000)
})

// Issue 24, part B: the files never report the wrong model, and a diverged run is a result, not an error.
// Case 4: a history file of another run (copied in), or with a neighbour config.json that says another model, is never read
// as the run's. Case 7: a model file whose operation has no defined pair is refused by every command that reads it. Case 8: a
// run that diverges stops there, is read by every command, and is a row of a sweep's results among normal ones.
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { beforeAll, describe, expect, it } from 'vitest'
import { claimSweepFolder, runSweep } from '@grokscope/node'
import { PAPER_SETTINGS, SCRATCH, makePlan } from '@grokscope/runs'
import { cli, copyOf, oneLineError, trainRuns } from './run-cli.js'

const tmp = () => mkdtempSync(path.join(tmpdir(), 'grokscope-truth-'))
const json = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
const name = (step: number) => `step-${String(step).padStart(6, '0')}.safetensors`

/** A safetensors file's bytes with its `__metadata__.config` document changed by `edit`. */
const withConfig = (bytes: Buffer, edit: (config: Record<string, unknown>) => void): Buffer => {
  const n = Number(bytes.readBigUInt64LE(0))
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as { __metadata__: { config: string } }
  const config = JSON.parse(header.__metadata__.config) as Record<string, unknown>
  edit(config)
  header.__metadata__.config = JSON.stringify(config)
  // The data offsets are relative to the end of the header: only its length changes.
  const text = Buffer.from(JSON.stringify(header), 'utf8')
  const length = Buffer.alloc(8)
  length.writeBigUInt64LE(BigInt(text.length))
  return Buffer.concat([length, text, bytes.subarray(8 + n)])
}

// Tiny and fast: 40 steps of a 16-wide model, the weights kept every 20.
const TINY = [
  '--p', '11', '--frac', '0.5', '--d-model', '16', '--heads', '2', '--d-head', '8', '--d-mlp', '32', '--steps', '40', '--eval-every', '10',
  '--save-every', '20', '--threads', '1', '--no-progress',
]

/** An add run, a mul run and an add run of another seed, trained once for the whole file. */
let runs: Record<'add' | 'mul' | 'seed1', string>

beforeAll(async () => {
  runs = await trainRuns({ add: ['--op', 'add', ...TINY], mul: ['--op', 'mul', ...TINY], seed1: ['--op', 'add', '--seed', '1', ...TINY] })
}, 120_000)

describe('case 4: a history file is its own run’s, by its own metadata', () => {
  it.each([
    ['analyze --step', (run: string) => ['analyze', run, '--step', '20']],
    ['export --step', (run: string) => ['export', run, '--step', '20', '--out', path.join(tmp(), 'tl')]],
    ['predict on the file', (run: string) => ['predict', path.join(run, 'history', name(20)), '--pairs', '3,5']],
    ['report (its history slider)', (run: string) => ['report', run]],
  ])('%s refuses a mul run’s history file copied into an add run', async (_, args) => {
    const run = copyOf(runs.add)
    cpSync(path.join(runs.mul, 'history', name(20)), path.join(run, 'history', name(20)))
    oneLineError(await cli(args(run)), /history\/step-000020\.safetensors is from op=mul p=11 .*config\.json says op=add \(the files of another run/)
  })

  it('a checkpoint config.json beside the history files (an export into history/) does not override their own metadata', async () => {
    const run = copyOf(runs.add)
    const exported = path.join(tmp(), 'tl-mul')
    expect((await cli(['export', runs.mul, '--out', exported])).code).toBe(0)
    cpSync(path.join(exported, 'config.json'), path.join(run, 'history', 'config.json'))
    cpSync(path.join(exported, 'model.safetensors'), path.join(run, 'history', 'model.safetensors'))
    const r = await cli(['analyze', run, '--step', '20'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout.split('\n')[0]).toBe(`${path.join(run, 'history', name(20))}: p = 11, operations: add`)
  })

  it('a history file without a fingerprint (written before them) is checked on the task fields it records: ' +
    'its own run’s is read, another seed’s refused', async () => {
    const run = copyOf(runs.add)
    const strip = (from: string) =>
      withConfig(readFileSync(path.join(from, 'history', name(20))), (c) => delete (c.task as Record<string, unknown>).fingerprint)
    writeFileSync(path.join(run, 'history', name(20)), strip(runs.add))
    const own = await cli(['analyze', run, '--step', '20'])
    expect(own.code, own.stderr).toBe(0)
    writeFileSync(path.join(run, 'history', name(20)), strip(runs.seed1))
    oneLineError(await cli(['analyze', run, '--step', '20']), /step-000020\.safetensors is from op=add p=11 frac=0\.5 seed=1, .* says seed=0/)
  })

  it('a history file of the run itself but of another step (renamed) is refused: its metadata says its step', async () => {
    const run = copyOf(runs.add)
    cpSync(path.join(runs.add, 'history', name(40)), path.join(run, 'history', name(20)))
    oneLineError(await cli(['analyze', run, '--step', '20']), /step-000020\.safetensors holds the weights of step 40, not of step 20/)
  })
})

describe('case 7: a model file whose operation has no defined pair', () => {
  it.each([
    ['analyze', (file: string) => ['analyze', file]],
    ['predict', (file: string) => ['predict', file, '--pairs', '3,5']],
    ['export', (file: string) => ['export', file, '--out', path.join(tmp(), 'tl')]],
    ['report', (file: string) => ['report', file, '--out', path.join(tmp(), 'r.html')]],
  ])('%s refuses it with one line', async (_, args) => {
    const weights = json(path.join(runs.add, 'weights.json'))
    const config = weights.config as Record<string, unknown>
    Object.assign(config, { op: 'a/(b-b)', ops: ['a/(b-b)'] })
    delete config.fingerprint
    const file = path.join(tmp(), 'weights.json')
    writeFileSync(file, JSON.stringify(weights))
    oneLineError(await cli(args(file)), /weights\.json: operation a\/\(b-b\) has no defined pair mod 11 \(every pair divides by 0\)/)
  })
})

describe('case 8: a run that diverges', () => {
  const diverged = { dir: '' }
  beforeAll(async () => {
    diverged.dir = path.join(tmp(), 'lr1e30')
    const r = await cli(['train', '--op', 'add', ...TINY, '--lr', '1e30', '--out', diverged.dir])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^done: add mod 11, did not grok, diverged at step \d+; /)
  }, 60_000)

  it('stops at the first non-finite step; summary.json says diverged and where; state.json and weights.json stay at the last ' +
    'finite checkpoint', () => {
    const summary = json(path.join(diverged.dir, 'summary.json'))
    expect(summary).toMatchObject({ status: 'finished', stopped_by: 'diverged' })
    const at = summary.diverged_step as number
    expect(summary.steps).toBe(at)
    expect(at).toBeLessThan(40)
    const weights = readFileSync(path.join(diverged.dir, 'weights.json'), 'utf8')
    expect(weights).not.toContain('null,')
    expect((JSON.parse(weights) as { config: { steps: number } }).config.steps).toBeLessThan(at)
    expect((json(path.join(diverged.dir, 'state.json')) as { step: number }).step).toBeLessThan(at)
    expect(existsSync(path.join(diverged.dir, 'history', name(at)))).toBe(false)
  })

  it('analyze and report read it; --resume refuses it with one line', async () => {
    const at = json(path.join(diverged.dir, 'summary.json')).diverged_step as number
    const a = await cli(['analyze', diverged.dir])
    expect(a.code, a.stderr).toBe(0)
    expect(a.stdout.split('\n')[1]).toMatch(
      new RegExp(`^the run diverged at step ${at} \\(its loss or weights were not finite\\): these are its weights of step \\d+, before it diverged$`),
    )
    const r = await cli(['report', diverged.dir])
    expect(r.code, r.stderr).toBe(0)
    expect(readFileSync(path.join(diverged.dir, 'report.html'), 'utf8')).toContain(`diverged at step ${at} (its loss or weights were not finite)`)
    oneLineError(await cli(['train', '--resume', '--out', diverged.dir, '--steps', '80']), /--resume: .* diverged at step \d+ /)
  })

  it('a weights.json with non-finite weights (as 0.2.0 wrote a diverged run’s) is said to be so in one line', async () => {
    const run = copyOf(diverged.dir)
    const weights = json(path.join(run, 'weights.json')) as { weights: { W_E: Array<Array<number | null>> } }
    weights.weights.W_E[0]![0] = null
    writeFileSync(path.join(run, 'weights.json'), JSON.stringify(weights))
    oneLineError(await cli(['analyze', run]), /weights\.json: weights file: weights\.W_E: null is not finite \(JSON's NaN or ±Infinity/)
    // The report of the run shows it, with one warning instead of the analysis.
    const report = await cli(['report', run])
    expect(report.code, report.stderr).toBe(0)
    expect(report.stderr).toMatch(/^grokscope: warning: .*weights\.W_E: null is not finite .*; the report shows the run without the analysis/)
    expect(report.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('a sweep with one diverged run: results lists it as a diverged row, the others as normal ones; report reads it', async () => {
    const planned = makePlan(
      { ops: [['add'], ['mul']], p: [11], fracs: [0.5], seeds: [0], variants: [SCRATCH] },
      { ...PAPER_SETTINGS, steps: 30, evalEvery: 10, dModel: 16, heads: 2, dHead: 8, dMlp: 32 },
    )
    if (E.isLeft(planned)) throw new Error(planned.left)
    // The mul run alone with a learning rate of 1e30.
    const plan = {
      ...planned.right,
      runs: planned.right.runs.map((r) =>
        r.ops[0] === 'mul' && r.config !== null ? { ...r, config: { ...r.config, optimizer: { ...r.config.optimizer, lr: 1e30 } } } : r,
      ),
    }
    const out = path.join(tmp(), 'sweep')
    claimSweepFolder(out, plan)
    const sweep = await runSweep(plan.runs, out, { jobs: 1 })
    expect(sweep).toMatchObject({ failed: 0 })
    const r = await cli(['results', out, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const rows = JSON.parse(r.stdout) as Array<{ operation: string; status: string; steps: number; train_loss: number | null }>
    expect(rows.map((x) => [x.operation, x.status])).toEqual([
      ['add', 'finished'],
      ['mul', 'diverged'],
    ])
    expect(rows[0]!.steps).toBe(30)
    expect(rows[1]!.steps).toBeLessThan(30)
    expect(Number.isFinite(rows[1]!.train_loss)).toBe(true)
    expect(readFileSync(path.join(out, 'table.md'), 'utf8')).toMatch(/\| mul \| 0\/1 · – · [0-9.]+ · \(1 diverged\) \|/)
    expect(readFileSync(path.join(out, 'results.csv'), 'utf8')).toMatch(/^mul-p11-r0\.5-s0,mul,11,0\.5,0,scratch,diverged,false,/m)
    const report = await cli(['report', out])
    expect(report.code, report.stderr).toBe(0)
  }, 120_000)
})

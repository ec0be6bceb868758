// Folders written by the previous release (0.1.0, commit f815b6d: fixtures/runs-0.1.0) read by this one: a sweep's
// results equal to those 0.1.0 wrote, its report, a run analysed (its final weights and a saved step), resumed to
// the weights of a run trained straight through by this version, and the sweep continued by the command that made it.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { LEGACY_DIR } from '../../../test-support/fixtures.js'
import { cli, metricSteps as steps } from './run-cli.js'

const read = (file: string) => readFileSync(file, 'utf8')
const json = (file: string) => JSON.parse(read(file)) as Record<string, unknown>

/** A copy of the fixtures (tests write into it; the checked-in folders stay as 0.1.0 wrote them). */
const copy = (): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'grokscope-legacy-'))
  cpSync(LEGACY_DIR, dir, { recursive: true })
  return dir
}

const SIZES = ['--d-model', '16', '--heads', '2', '--d-head', '8', '--d-mlp', '32', '--threads', '1']
// The command that made fixtures/runs-0.1.0/sweep.
const SWEEP = [
  'sweep', '--ops', 'add,mul,add+sub', '--p', '11', '--fracs', '0.5', '--seeds', '0..1', '--steps', '40', '--eval-every', '10',
  '--checkpoint-every', '20', ...SIZES, '--grokfast', 'ema', '--lr', '3e-3',
]

describe('a sweep written by 0.1.0', () => {
  it('results gives the results.csv 0.1.0 wrote, byte for byte, then the newer columns (stability), and the table', async () => {
    const dir = copy()
    const sweep = path.join(dir, 'sweep')
    const r = await cli(['results', sweep])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('6 runs: 6 finished')
    const lines = read(path.join(sweep, 'results.csv')).split('\n')
    // The stability columns are newer than 0.1.0, and last: none of these tiny runs fitted its training set and left it.
    expect(lines[0]!.endsWith(',unstable,unstable_from,unstable_min_train_acc')).toBe(true)
    for (const line of lines.slice(1, -1)) expect(line).toMatch(/,false,,$/)
    const older = lines.map((l) => l.split(',').slice(0, -3).join(',')).join('\n')
    expect(older).toBe(read(path.join(LEGACY_DIR, 'sweep', 'results.csv')))
    expect(read(path.join(sweep, 'table.md'))).toBe(read(path.join(LEGACY_DIR, 'sweep', 'table.md')))
  })

  it('report writes the folder’s page and each run’s', async () => {
    const dir = copy()
    const r = await cli(['report', path.join(dir, 'sweep')])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout.trim().split('\n')).toHaveLength(7)
    expect(read(path.join(dir, 'sweep', 'report.html'))).toContain('sweep: 6 runs')
    expect(read(path.join(dir, 'sweep', 'add+sub-p11-r0.5-s1', 'report.html'))).toContain('add, sub mod 11, r = 0.5, seed 1')
  })

  it('the command that made it continues it: finished runs are left, ' +
    'a run not trained yet is trained to the weights 0.1.0 gave it', async () => {
    const dir = copy()
    const sweep = path.join(dir, 'sweep')
    const missing = 'mul-p11-r0.5-s1'
    rmSync(path.join(sweep, missing), { recursive: true })
    rmSync(path.join(sweep, 'logs', `${missing}.log`))
    const r = await cli([...SWEEP, '--out', sweep])
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(r.stdout.match(/finished earlier/g)).toHaveLength(5)
    expect(r.stdout).toMatch(new RegExp(`${missing}: starting`))
    const weights = (root: string) => (json(path.join(root, missing, 'weights.json')) as { weights: unknown }).weights
    expect(weights(sweep)).toEqual(weights(path.join(LEGACY_DIR, 'sweep')))
    expect(steps(path.join(sweep, missing))).toEqual([0, 10, 20, 30, 40])

    const other = await cli([...SWEEP.map((a) => (a === '3e-3' ? '1e-3' : a)), '--out', sweep])
    expect(other.code).toBe(2)
    expect(other.stderr).toMatch(
      /^grokscope: error: --out: .* holds a different sweep \(the run settings differ \(.*--lr 0\.003 .* vs .*--lr 0\.001 /,
    )
  }, 120_000)
})

describe('a run folder written by 0.1.0', () => {
  it('analyze reads its final weights and a saved step', async () => {
    const dir = copy()
    const run = path.join(dir, 'run-add-p11')
    const final = await cli(['analyze', run, '--json'])
    expect(final.code, final.stderr).toBe(0)
    expect(JSON.parse(final.stdout)).toMatchObject({ p: 11, ops: ['add'] })
    const saved = await cli(['analyze', run, '--step', '20'])
    expect(saved.code, saved.stderr).toBe(0)
    expect(saved.stdout).toContain('history/step-000020.safetensors: p = 11, operations: add')
  })

  it('resumes to the weights and metrics of the same run trained straight through by this version', async () => {
    const dir = copy()
    const run = path.join(dir, 'run-add-p11')
    const resumed = await cli(['train', '--resume', '--steps', '80', '--no-progress', '--threads', '1', '--out', run])
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(json(path.join(run, 'summary.json'))).toMatchObject({ status: 'finished', steps: 80, resumed_from_step: 60 })
    // config.json, rewritten for the new budget, is this version's: the model in snake case.
    expect(json(path.join(run, 'config.json'))).toMatchObject({ grokscope: '0.5.0', model: { d_model: 16 }, loop: { max_steps: 80 } })
    const straight = path.join(dir, 'straight')
    const fresh = await cli([
      'train', '--op', 'add', '--p', '11', '--frac', '0.5', '--steps', '80', '--eval-every', '10', '--checkpoint-every', '20',
      '--save-every', '20', '--measure-every', '20', ...SIZES, '--no-progress', '--out', straight,
    ])
    expect(fresh.code, fresh.stderr).toBe(0)
    expect(steps(run)).toEqual(steps(straight))
    const state = (r: string) => json(path.join(r, 'state.json'))
    expect([state(run).params, state(run).opt]).toEqual([state(straight).params, state(straight).opt])
    const records = (r: string) => read(path.join(r, 'metrics.jsonl')).split('\n').filter((l) => l !== '').map((l) => {
      const { elapsed_s: _, ...rest } = JSON.parse(l) as Record<string, unknown>
      return rest
    })
    // The all-pairs measures (`logits`) up to step 60 are 0.1.0's, from its whole-array analyses; this version streams
    // them by rows: the same numbers up to float summation order (1e-12 relative here). Everything else is bit for bit.
    const withoutLogits = (rs: ReadonlyArray<Record<string, unknown>>) => rs.map(({ logits: _, ...rest }) => rest)
    const numbers = (x: unknown): number[] =>
      typeof x === 'number' ? [x] : x !== null && typeof x === 'object' ? Object.values(x).flatMap(numbers) : []
    const [a, b] = [records(run), records(straight)]
    expect(withoutLogits(a)).toEqual(withoutLogits(b))
    expect(JSON.stringify(a.map((r) => r.logits), (_, v: unknown) => (typeof v === 'number' ? 0 : v))).toBe(
      JSON.stringify(b.map((r) => r.logits), (_, v: unknown) => (typeof v === 'number' ? 0 : v)),
    )
    const [xs, ys] = [numbers(a.map((r) => r.logits)), numbers(b.map((r) => r.logits))]
    expect(xs.length).toBeGreaterThan(0)
    xs.forEach((x, i) => expect(Math.abs(x - ys[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(Math.abs(x), Math.abs(ys[i]!))))
  }, 120_000)
})

// grokscope sweep, results and train's transfer flags, through the built CLI on tiny models.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { MAIN, cli } from './run-cli.js'

const tmp = () => mkdtempSync(path.join(tmpdir(), 'grokscope-sweep-'))
const json = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
const weights = (run: string) => (json(path.join(run, 'weights.json')) as { weights: Record<string, number[][]> }).weights
const TINY = ['--d-model', '16', '--heads', '2', '--d-head', '8', '--d-mlp', '32', '--eval-every', '10', '--threads', '1']

describe('bad operations: one line, exit code 2, nothing written', () => {
  it.each([
    [['train', '--op', 'a/0', '--p', '11'], /^grokscope: error: --op: operation a\/0 has no defined pair mod 11/],
    [['train', '--op', 'a/(b-b)', '--p', '11'], /has no defined pair mod 11/],
    [['sweep', '--ops', 'add,a/(b-b)', '--p', '11'], /^grokscope: error: --ops: operation a ?\/ ?\(b - b\) has no defined pair mod 11/],
    [['sweep', '--ops', 'add', '--seeds', '0..x'], /--seeds: "0..x" is not allowed/],
    [['sweep', '--ops', 'add', '--shard', '2/2'], /--shard: "2\/2" is not allowed/],
    [['sweep', '--ops', 'add', '--transfer', 'load=embed'], /no --init-from/],
  ])('%j', async (args, message) => {
    const dir = tmp()
    const r = await cli([...args, '--out', path.join(dir, 'out')])
    expect(r.code).toBe(2)
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(message)
    expect(readdirSync(dir)).toEqual([])
  }, 60_000)
})

describe('frozen parts and transfer', () => {
  it('a frozen random embedding stays bit for bit at its initial value; a pre-grokked embedding is copied and kept', async () => {
    const dir = tmp()
    const at = (n: string) => path.join(dir, n)
    const common = ['--p', '7', '--frac', '0.6', '--seed', '3', '--steps', '30', ...TINY, '--no-progress']
    // The initial weights: everything frozen, so weights.json holds them after training.
    expect((await cli(['train', '--op', 'sub', ...common, '--freeze', 'full', '--out', at('init')])).code).toBe(0)
    expect((await cli(['train', '--op', 'sub', ...common, '--freeze', 'embed', '--out', at('frozen')])).code).toBe(0)
    const init = weights(at('init'))
    const frozen = weights(at('frozen'))
    expect(frozen.W_E).toEqual(init.W_E)
    expect(frozen.W_U).not.toEqual(init.W_U)
    expect(frozen.W_in).not.toEqual(init.W_in)
    expect(json(at('frozen/config.json')).transfer).toEqual({ source: null, loaded: [], frozen: ['embed'] })
    expect((json(at('frozen/config.json')).optimizer as { frozen: string[] }).frozen).toEqual(['embed.W_E'])

    // A source model on add; sub starts from its embedding (residue rows), frozen.
    expect((await cli(['train', '--op', 'add', ...common, '--out', at('src')])).code).toBe(0)
    const r = await cli([
      'train', '--op', 'sub', ...common, '--init-from', at('src'), '--load', 'embed', '--freeze', 'embed', '--out', at('moved'),
    ])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const src = weights(at('src'))
    const moved = weights(at('moved'))
    expect(moved.W_E!.slice(0, 7)).toEqual(src.W_E!.slice(0, 7))
    // The sub token is not in the source: its row is the fresh one.
    expect(moved.W_E![7]).toEqual(init.W_E![7])
    expect(moved.W_U).not.toEqual(src.W_U)
    const transfer = { source: at('src'), loaded: ['embed'], frozen: ['embed'] }
    expect(json(at('moved/config.json')).transfer).toEqual(transfer)
    expect(json(at('moved/summary.json')).transfer).toEqual(transfer)

    // A different d_model or p is one line, exit 2, nothing written.
    for (const [flags, message] of [
      [['--d-model', '8', '--d-head', '4'], /d_model = 16, this run 8/],
      [['--p', '11'], /p = 7, this run p = 11/],
    ] as const) {
      const bad = await cli(['train', '--op', 'sub', ...common, ...flags, '--init-from', at('src'), '--out', at('bad')])
      expect(bad.code).toBe(2)
      expect(bad.stderr).toMatch(message)
      expect(existsSync(at('bad'))).toBe(false)
    }
  }, 240_000)
})

describe('grokscope sweep and results', () => {
  it('runs a share, survives a run whose training fails, resumes to the same weights, ' +
    'and the results show every run by status', async () => {
    const dir = tmp()
    const out = path.join(dir, 'sweep')
    const sweep = [
      'sweep', '--ops', 'add,mul', '--p', '7', '--fracs', '0.6', '--seeds', '0', '--steps', '60', '--checkpoint-every', '10', ...TINY,
      '--out', out,
    ]

    // Shard 1 of 2 runs mul only; add is not started.
    const one = await cli([...sweep, '--shard', '1/2'])
    expect(one.code).toBe(0)
    expect(one.stdout).toMatch(/this is share 1\/2 \(--shard\): 1 runs/)
    expect(one.stdout).toMatch(/mul-p7-r0.6-s0: (grokked at step \d+|did not grok), 60 steps/)
    let results = await cli(['results', out, '--json'])
    expect(results.code).toBe(0)
    let rows = JSON.parse(results.stdout) as Array<{ run: string; status: string; steps: number | null }>
    expect(rows.map((r) => [r.run, r.status])).toEqual([
      ['add-p7-r0.6-s0', 'not started'],
      ['mul-p7-r0.6-s0', 'finished'],
    ])
    expect(readFileSync(path.join(out, 'table.md'), 'utf8')).toMatch(/\| add \| 0\/1 · – · – · \(1 not started\) \|/)
    for (const f of ['results.csv', 'accuracy.svg', 'measures.svg']) expect(existsSync(path.join(out, f))).toBe(true)

    // The whole grid with add's training made to fail after its first checkpoint (its metrics.jsonl turned into a
    // folder, so that the next append fails): add is failed, with a record in the logs; mul finished earlier.
    const addRun = path.join(out, 'add-p7-r0.6-s0')
    const metrics = path.join(addRun, 'metrics.jsonl')
    const failed = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [MAIN, ...sweep], { stdio: ['ignore', 'pipe', 'pipe'] })
      let stdout = ''
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
      const poll = setInterval(() => {
        // Lines of steps 0, 10 and 20: the checkpoint of step 10 is written.
        if (!existsSync(metrics) || readFileSync(metrics, 'utf8').split('\n').length - 1 < 3) return
        clearInterval(poll)
        renameSync(metrics, `${metrics}.kept`)
        mkdirSync(metrics)
      }, 20)
      child.on('error', reject)
      child.on('close', (code) => {
        clearInterval(poll)
        resolve({ code, stdout })
      })
    })
    expect(failed.code, failed.stdout).toBe(1)
    expect(failed.stdout).toMatch(
      /add-p7-r0.6-s0: failed \(\S*metrics\.jsonl: a folder where a file was expected \(EISDIR, \w+\); .*; see .*add-p7-r0.6-s0.log\)/,
    )
    expect(failed.stdout).toMatch(/mul-p7-r0.6-s0: finished earlier/)
    expect(json(path.join(out, 'logs', 'add-p7-r0.6-s0.failed.json'))).toMatchObject({
      error: expect.stringContaining('EISDIR') as unknown,
    })
    // The folder mended (its metrics put back): results show the failure; a rerun resumes it.
    rmSync(metrics, { recursive: true })
    renameSync(`${metrics}.kept`, metrics)
    results = await cli(['results', out, '--json'])
    rows = JSON.parse(results.stdout) as typeof rows
    expect(rows.map((r) => r.status)).toEqual(['failed', 'finished'])
    expect(readFileSync(path.join(out, 'results.csv'), 'utf8').split('\n')[1]).toMatch(/^add-p7-r0.6-s0,add,7,0.6,0,scratch,failed,/)

    // Rerunning resumes add; its weights equal those of an uninterrupted run.
    const again = await cli(sweep)
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/add-p7-r0.6-s0: resuming/)
    results = await cli(['results', out, '--json'])
    rows = JSON.parse(results.stdout) as typeof rows
    expect(rows.map((r) => [r.status, r.steps])).toEqual([
      ['finished', 60],
      ['finished', 60],
    ])
    const ref = path.join(dir, 'ref')
    expect((await cli([...sweep.slice(0, -1), ref, '--shard', '0/2'])).code).toBe(0)
    expect(readFileSync(path.join(ref, 'add-p7-r0.6-s0', 'weights.json'), 'utf8')).toBe(
      readFileSync(path.join(addRun, 'weights.json'), 'utf8'),
    )

    // Another plan for the same folder is an error; nothing changes.
    const other = await cli([...sweep.map((a) => (a === '60' ? '70' : a))])
    expect(other.code).toBe(2)
    expect(other.stderr).toMatch(/holds a different sweep \(the run settings differ/)
  }, 300_000)

  it('a SIGINT to the sweep process alone reaches its running runs: they stop cleanly, resumable, and the sweep exits 130', async () => {
    const out = path.join(tmp(), 'sweep')
    const sweep = [
      'sweep', '--ops', 'add', '--p', '7', '--fracs', '0.6', '--seeds', '0', '--steps', '100000', '--checkpoint-every', '10', ...TINY,
      '--out', out,
    ]
    const run = path.join(out, 'add-p7-r0.6-s0')
    const stopped = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [MAIN, ...sweep], { stdio: ['ignore', 'pipe', 'pipe'] })
      let stdout = ''
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString()
      })
      const poll = setInterval(() => {
        if (!existsSync(path.join(run, 'metrics.jsonl')) || readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').split('\n').length < 4) {
          return
        }
        clearInterval(poll)
        child.kill('SIGINT')
      }, 20)
      child.on('error', reject)
      child.on('close', (code) => {
        clearInterval(poll)
        resolve({ code, stdout })
      })
    })
    expect(stopped.code).toBe(130)
    expect(stopped.stdout).toMatch(/add-p7-r0.6-s0: interrupted/)
    expect(json(path.join(run, 'summary.json')).status).toBe('interrupted')
    expect(Number(json(path.join(run, 'state.json')).step)).toBe(Number(json(path.join(run, 'summary.json')).steps))
  }, 120_000)
})

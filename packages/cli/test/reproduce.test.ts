// grokscope reproduce end to end on a tiny plan (add, sub and 2a+b mod 7, 60 steps, seed 0: three runs from scratch,
// the source add run the transfer loads from, and the three transfer variants on 2a+b): the claims written and decoded,
// a rerun that trains nothing and writes the same claims, shards that leave a transfer run for later and say so in the
// claims, and the refusals (one line, exit 2).
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { type ClaimsDocument, decodeClaimsDocument, decodeReproduceDocument } from '@grokscope/runs'
import { cli, digest, oneLineError } from './run-cli.js'

const tmp = () => mkdtempSync(path.join(tmpdir(), 'grokscope-reproduce-'))
const TINY = ['reproduce', '--tier', 'quick', '--ops', 'add,sub,2a+b', '--p', '7', '--frac', '0.6', '--steps', '60', '--seeds', '0', '--no-progress']
const VERDICTS = ['reproduced', 'partly', 'not reproduced', 'not run']
const OPS_RUNS = ['add-p7-r0.6-s0', 'sub-p7-r0.6-s0', '2a+b-p7-r0.6-s0']
const TRANSFER_RUNS = [
  '2a+b-p7-r0.6-s0-load_embed-freeze_embed',
  '2a+b-p7-r0.6-s0-load_transformer-freeze_transformer',
  '2a+b-p7-r0.6-s0-freeze_embed',
]

const claimsOf = (out: string): ClaimsDocument => {
  const doc = decodeClaimsDocument(JSON.parse(readFileSync(path.join(out, 'claims.json'), 'utf8')))
  if (E.isLeft(doc)) throw new Error(doc.left)
  return doc.right
}

/** Each stage's run folders, by digest (logs left out: a run's log grows when it is checked again). */
const runsDigest = (out: string): string =>
  ['ops', 'source', 'transfer'].flatMap((stage) => [...OPS_RUNS, ...TRANSFER_RUNS].map((run) => path.join(out, stage, run)).filter(existsSync).map(digest)).join('\n')

describe('grokscope reproduce', () => {
  it('runs a tiny plan, writes claims.md, claims.json (7 claims, each with a verdict) and claims.html; ' +
    'a rerun trains nothing and writes the same claims; another override for the same folder is refused', async () => {
    const out = path.join(tmp(), 'repro')
    const r = await cli([...TINY, '--jobs', '2', '--out', out])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    for (const f of ['claims.md', 'claims.json', 'claims.html', 'reproduce.json']) expect(existsSync(path.join(out, f)), f).toBe(true)
    expect(E.isRight(decodeReproduceDocument(JSON.parse(readFileSync(path.join(out, 'reproduce.json'), 'utf8'))))).toBe(true)
    const claims = claimsOf(out)
    expect(claims.claims.map((c) => c.id)).toEqual([1, 2, 3, 4, 5, 6, 7])
    for (const c of claims.claims) expect(VERDICTS).toContain(c.verdict)
    expect(claims.settings).toMatchObject({ tier: 'quick', p: 7, frac: 0.6, seeds: [0], steps: 60 })
    expect(claims.runs.map((e) => [e.stage, e.name, e.finished])).toEqual([
      ...OPS_RUNS.map((n) => ['ops', n, true]),
      ...TRANSFER_RUNS.map((n) => ['transfer', n, true]),
    ])
    expect(claims.runs.map((e) => e.transfer)).toEqual([
      'scratch', 'scratch', 'scratch', 'pre-grokked embedding', 'pre-grokked transformer', 'frozen random embedding',
    ])
    for (const e of claims.runs) expect(e.measures?.ffdWE, e.name).toBeGreaterThan(0)
    expect(readdirSync(path.join(out, 'ops')).filter((n) => OPS_RUNS.includes(n)).sort()).toEqual([...OPS_RUNS].sort())
    // The source stage's add run (stopped at its grok step) is what the transfer loads; the claims read the ops stage's.
    expect(existsSync(path.join(out, 'source', OPS_RUNS[0]!, 'summary.json'))).toBe(true)
    expect(claims.notes.join('\n')).toMatch(/^source: the pre-grokked runs the transfer stage loads from/m)
    // The plan, its cost, every run, then one line per claim and the files.
    expect(r.stdout).toMatch(/^reproduce .*: tier quick: p = 7, r = 0\.6, seeds 0, .*≤ 60 steps a run/)
    expect(r.stdout).toMatch(/\ncost: 7 runs × ≤ 60 steps × [\d.]+ ms\/step \(measured here/)
    // Counted across the stages, each run once (ops' and source's add are two runs of one name).
    expect(r.stdout).toContain('[0 done, 1 running, 6 left] ops/add-p7-r0.6-s0: starting')
    expect(r.stdout).toMatch(/\[7 done, 0 running, 0 left\] transfer\//)
    for (const c of claims.claims) expect(r.stdout).toContain(`  ${c.id}  ${c.verdict}`)
    expect(r.stdout).toContain(`wrote ${path.join(out, 'claims.md')}, ${path.join(out, 'claims.json')}, ${path.join(out, 'claims.html')}`)
    expect(readFileSync(path.join(out, 'claims.md'), 'utf8')).toContain('| 7 |')
    expect(readFileSync(path.join(out, 'claims.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/i)

    const [runs, json] = [runsDigest(out), readFileSync(path.join(out, 'claims.json'), 'utf8')]
    const again = await cli([...TINY, '--out', out])
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).not.toMatch(/: (starting|resuming) /)
    expect(again.stdout.match(/: finished earlier: /g)).toHaveLength(7)
    expect(runsDigest(out)).toBe(runs)
    expect(readFileSync(path.join(out, 'claims.json'), 'utf8')).toBe(json)

    const all = digest(out)
    const other = await cli([...TINY.map((a) => (a === '60' ? '61' : a)), '--out', out])
    oneLineError(other, /--out: .* holds a different reproduction \(steps 60 vs 61\)/)
    expect(other.stdout).toBe('')
    expect(digest(out)).toBe(all)
  }, 240_000)

  it('shards: a transfer run whose source another shard has not finished is not run now, and the claims say ' +
    'which runs are not finished; the other shard, then a rerun, finish the plan', async () => {
    const out = path.join(tmp(), 'repro')
    const second = await cli([...TINY, '--shard', '1/2', '--out', out])
    expect(second.code, second.stderr).toBe(0)
    expect(second.stdout).toContain(
      `transfer/${TRANSFER_RUNS[1]}: not run now: its source source/add-p7-r0.6-s0 has not finished: rerun reproduce when the source stage is done`,
    )
    const partial = claimsOf(out)
    expect(partial.runs.filter((e) => e.finished).map((e) => e.name)).toEqual(['sub-p7-r0.6-s0'])
    expect(partial.notes.join('\n')).toMatch(/ops: 2 of 3 planned runs not finished/)
    expect(partial.notes.join('\n')).toMatch(/transfer: 3 of 3 planned runs not finished/)

    const first = await cli([...TINY, '--shard', '0/2', '--out', out])
    expect(first.code, first.stderr).toBe(0)
    expect(claimsOf(out).runs.filter((e) => !e.finished).map((e) => e.name)).toEqual([TRANSFER_RUNS[1]])
    const last = await cli([...TINY, '--shard', '1/2', '--out', out])
    expect(last.code, last.stderr).toBe(0)
    expect(claimsOf(out).runs.every((e) => e.finished)).toBe(true)
    expect(claimsOf(out).notes.join('\n')).not.toMatch(/not finished/)
  }, 240_000)

  it('Ctrl-C stops the running runs (resumable), starts no other, still writes the claims of what is finished, exit 130', async () => {
    const out = path.join(tmp(), 'repro')
    const args = [...TINY.filter((a) => a !== '--no-progress').map((a) => (a === '60' ? '20000' : a)), '--out', out]
    let sent = false
    const r = await cli(args, {
      onStderr: (text, kill) => {
        if (!sent && /1 running/.test(text)) {
          sent = true
          kill('SIGINT')
        }
      },
    })
    expect(r.code, r.stderr).toBe(130)
    expect(r.stdout).toMatch(/ops\/add-p7-r0\.6-s0: interrupted: /)
    expect(r.stdout).not.toMatch(/ops\/sub-p7-r0\.6-s0: starting/)
    expect(r.stdout).toContain('stopped: 0 failed, 0 transfer runs waiting for their source; rerun the same command to continue')
    const claims = claimsOf(out)
    expect(claims.runs.some((e) => e.finished)).toBe(false)
    expect(claims.notes.join('\n')).toMatch(/stopped before every run was done/)
    expect(claims.claims.every((c) => c.verdict === 'not run')).toBe(true)
    const summary = JSON.parse(readFileSync(path.join(out, 'ops', OPS_RUNS[0]!, 'summary.json'), 'utf8')) as { status: string }
    expect(summary.status).toBe('interrupted')
  }, 120_000)

  it.each([
    [['--tier', 'slow'], /^grokscope: error: --tier: "slow" is not allowed \(allowed: quick, paper\)/],
    [['--ops', 'add,zzz'], /^grokscope: error: --ops: .*zzz/],
    [['--seeds', '0..x'], /^grokscope: error: --seeds: "0\.\.x" is not allowed/],
    [['--p', '8'], /^grokscope: error: --p: /],
    [['--shard', '2/2'], /^grokscope: error: --shard: "2\/2" is not allowed/],
    [['--memory', '64'], /^grokscope: error: --memory: the all-pairs analyses of p = 7 need about \d+ MiB, more than --memory 64/],
  ])('%j: one line, exit 2, nothing written', async (args, message) => {
    const dir = tmp()
    const r = await cli([...TINY, ...args, '--out', path.join(dir, 'out')])
    oneLineError(r, message)
    expect(readdirSync(dir)).toEqual([])
  }, 60_000)

  it('refuses a folder that holds something else: one line, exit 2, nothing written', async () => {
    const dir = tmp()
    const ran = await cli(['train', '--op', 'add', '--p', '7', '--steps', '1', '--d-model', '8', '--heads', '1', '--d-head', '8',
      '--d-mlp', '8', '--no-progress', '--out', path.join(dir, 'run')])
    expect(ran.code, ran.stderr).toBe(0)
    const before = digest(dir)
    oneLineError(await cli([...TINY, '--out', path.join(dir, 'run')]), /--out: .* is not empty and holds no reproduction/)
    expect(digest(dir)).toBe(before)
  }, 60_000)
})

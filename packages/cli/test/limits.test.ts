// The limits of every size flag (issue 24), as a user meets them: stated in --help, a value one past the bound is one
// line and exit code 2 with no folder left behind, and a run at the bound trains.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { MAX_LAYERS, MAX_STEPS, MAX_WIDTH } from '@grokscope/runs'
import { cli } from './run-cli.js'

const tmp = () => mkdtempSync(path.join(tmpdir(), 'grokscope-limits-'))

/** A model small enough to train a step in a moment, whatever one size is pushed to. */
const TINY = ['--d-model', '1', '--heads', '1', '--d-head', '1', '--d-mlp', '1', '--threads', '1', '--no-progress']

describe('limits of the size flags', () => {
  it('--help states the range of every size flag', async () => {
    const help = (await cli(['train', '--help'])).stdout.replace(/\s+/g, ' ')
    expect(help).toContain(`--layers <n> Transformer blocks, 1 to ${MAX_LAYERS}`)
    for (const f of ['--d-model', '--heads', '--d-head', '--d-mlp']) expect(help).toMatch(new RegExp(`${f} <n> [^-]*1 to ${MAX_WIDTH}`))
    expect(help).toContain(`1 to ${MAX_STEPS} full-batch steps`)
    expect(help).toContain('at most 16777216 (2^24) weights')
    const sweepHelp = (await cli(['sweep', '--help'])).stdout.replace(/\s+/g, ' ')
    expect(sweepHelp).toContain('--jobs <n> runs trained at once, 1 to 256')
    expect(sweepHelp).toContain('(the whole grid: at most 10000 runs)')
  })

  const refused: ReadonlyArray<readonly [string, ReadonlyArray<string>, RegExp]> = [
    ['blocks', ['--layers', String(MAX_LAYERS + 1)], /--layers.*"257" is not allowed \(an integer from 1 to 256\)/],
    ['blocks, the old crash', ['--layers', '1000'], /--layers.*"1000" is not allowed \(an integer from 1 to 256\)/],
    ['a width', ['--d-model', String(MAX_WIDTH + 1)], /--d-model.*"65537" is not allowed \(an integer from 1 to 65536\)/],
    ['steps', ['--steps', String(MAX_STEPS + 1)], /--steps.*"1000000001" is not allowed \(an integer from 1 to 1000000000\)/],
    ['an interval', ['--eval-every', '0'], /--eval-every.*"0" is not allowed \(an integer from 1 to 1000000000\)/],
    ['the weights (weights.json)', ['--layers', '100'], /^grokscope: error: the model would have 19\d{6} weights, more than the 16777216/],
    ['the state (state.json)', ['--grokfast', 'ma', '--grokfast-window', '100000'], /would not fit in state\.json/],
    ['the evaluations (metrics.jsonl)', ['--steps', String(MAX_STEPS), '--eval-every', '1'], /more than metrics\.jsonl can hold/],
    ['threads', ['--threads', '257'], /--threads.*"257" is not allowed \(an integer from 1 to 256\)/],
  ]
  for (const [what, flags, message] of refused) {
    it(`${what}: ${flags.join(' ')} is one line, exit code 2, and no folder`, async () => {
      const out = path.join(tmp(), 'run')
      const r = await cli(['train', '--op', 'add', '--p', '23', '--out', out, '--no-progress', ...flags])
      expect(r.code).toBe(2)
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(message)
      expect(existsSync(out)).toBe(false)
    })
  }

  it('sweep --jobs 257 is one line, exit code 2, and no folder', async () => {
    const out = path.join(tmp(), 'sweep')
    const r = await cli(['sweep', '--ops', 'add', '--p', '23', '--out', out, '--jobs', '257'])
    expect([r.code, r.stderr.trimEnd().split('\n').length]).toEqual([2, 1])
    expect(r.stderr).toMatch(/--jobs.*"257" is not allowed \(an integer from 1 to 256\)/)
    expect(existsSync(out)).toBe(false)
  })

  for (const [what, flags] of [
    ['blocks', ['--layers', String(MAX_LAYERS)]],
    ['a width', ['--d-model', String(MAX_WIDTH)]],
  ] as const) {
    it(`${what} at the bound (${flags.join(' ')}) trains`, async () => {
      const out = path.join(tmp(), 'run')
      const r = await cli(['train', '--op', 'add', '--p', '3', '--frac', '0.5', '--steps', '1', '--out', out, ...TINY, ...flags])
      expect([r.code, r.stderr]).toEqual([0, ''])
      expect(JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'))).toMatchObject({ steps: 1 })
    }, 300_000)
  }
})

// grokscope bench --to-grok through the CLI: its JSON document and its errors, and how it reads and stops the PyTorch
// reference (played by a shell script here; the figures with the real one are in docs/PERFORMANCE.md).
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { RECIPES } from '@grokscope/runs'
import { torchArgsOf } from '@grokscope/node'
import { alive, cli } from './run-cli.js'

describe('grokscope bench --to-grok', { timeout: 300_000 }, () => {
  it('runs the paper’s AdamW, Grokfast-EMA and -MA and the fast recipe within the budget and reports each', async () => {
    const r = await cli([
      'bench', '--to-grok', '--op', 'add', '--p', '5', '--frac', '0.5', '--max-steps', '20', '--eval-every', '10', '--threads', '1',
      '--no-torch', '--json',
    ])
    expect(r.code, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout) as {
      op: string
      p: number
      rows: Array<{
        variant: string
        grokscope: { grokStep: number | null; steps: number; wallS: number; testAcc: number; ffd: number | null }
        torch: unknown
      }>
    }
    expect([doc.op, doc.p]).toEqual(['add', 5])
    expect(doc.rows.map((x) => x.variant)).toEqual([
      'AdamW (paper)',
      'Grokfast-EMA (α 0.98, λ 2)',
      'Grokfast-MA (w 100, λ 5)',
      `fast recipe (${RECIPES.fast.summary})`,
    ])
    for (const row of doc.rows) {
      const g = row.grokscope
      // Stopped at the grokking evaluation, or at the budget.
      expect(g.grokStep === null ? g.steps : g.grokStep).toBe(g.steps)
      // The test accuracy then: at least the threshold exactly when it grokked.
      expect(g.testAcc >= 0.99).toBe(g.grokStep !== null)
      expect(g.steps).toBeLessThanOrEqual(20)
      expect(g.steps % 10).toBe(0)
      expect(g.wallS).toBeGreaterThan(0)
      expect(g.ffd).toBeGreaterThan(0)
      expect(row.torch).toBeNull()
    }
  })

  it('--variants runs those only, in the order given; an unknown one is one line and exit code 2', async () => {
    const r = await cli([
      'bench', '--to-grok', '--op', 'add', '--p', '5', '--frac', '0.5', '--max-steps', '10', '--eval-every', '10', '--threads', '1',
      '--no-torch', '--json', '--variants', 'ma,adamw',
    ])
    expect(r.code, r.stderr).toBe(0)
    expect((JSON.parse(r.stdout) as { rows: Array<{ variant: string }> }).rows.map((x) => x.variant)).toEqual([
      'Grokfast-MA (w 100, λ 5)',
      'AdamW (paper)',
    ])
    const bad = await cli(['bench', '--to-grok', '--p', '5', '--no-torch', '--variants', 'adamw,sam'])
    expect(bad.code).toBe(2)
    expect(bad.stderr.trim().split('\n')).toHaveLength(1)
    expect(bad.stderr).toContain('"sam" is not a variant (allowed: adamw, ema, ma, fast')
  })

  it('an unknown operation is one line and exit code 2', async () => {
    const r = await cli(['bench', '--to-grok', '--op', 'a+*b', '--p', '5', '--no-torch'])
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain('--op')
  })
})

/** An executable standing in for `python3 grokscope_torch.py`: it records its pid and arguments, then runs `body`. */
const fakeReference = (body: string): { python: string; dir: string } => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'grokscope-fake-torch-'))
  const python = path.join(dir, 'python')
  writeFileSync(python, `#!/bin/sh\necho "$@" >> ${dir}/args\necho $$ > ${dir}/pid.tmp && mv ${dir}/pid.tmp ${dir}/pid\n${body}\n`)
  chmodSync(python, 0o755)
  return { python, dir }
}

describe('grokscope bench --to-grok with the PyTorch reference', { timeout: 300_000 }, () => {
  it('reads its evaluation lines, stops it at the first that groks, ' +
    'and gives it the variant’s flags (none where it has no such option)', async () => {
    const { python, dir } = fakeReference(
      [
        'echo "H add 0 10 1.0 2.0 0.5 0.30 0.90 0.80"',
        'echo "not a history line"',
        'echo "H add 0 20 0.1 0.2 1.0 0.995 0.25 0.85"',
        'exec sleep 60',
      ].join('\n'),
    )
    const r = await cli([
      'bench', '--to-grok', '--op', 'add', '--p', '5', '--frac', '0.5', '--max-steps', '10', '--eval-every', '10', '--threads', '1',
      '--json', '--variants', 'adamw,ema,ma', '--python', python, '--torch-ref', python,
    ])
    expect(r.code, r.stderr).toBe(0)
    const rows = (
      JSON.parse(r.stdout) as {
        rows: Array<{
          torch: { grokStep: number | null; steps: number; ffd: number; fcr: number; wallS: number } | null
          torchCan: boolean
        }>
      }
    ).rows
    for (const row of rows.slice(0, 2)) {
      expect(row.torch).toMatchObject({ grokStep: 20, steps: 20, testAcc: 0.995, ffd: 0.25, fcr: 0.85 })
      // Stopped at step 20, not after its 60 s sleep.
      expect(row.torch!.wallS).toBeLessThan(30)
    }
    expect([rows[2]!.torch, rows[2]!.torchCan]).toEqual([null, false])
    const args = readFileSync(path.join(dir, 'args'), 'utf8').trim().split('\n')
    expect(args).toHaveLength(2)
    expect(args[0]).toBe(`${python} --ops add --seeds 0 --p 5 --frac 0.5 --steps 10 --every 10 --device cpu`)
    expect(args[1]).toBe(`${args[0]} --grokfast 0.98,2`)
  })

  it('a reference run that ends without grokking: its last step and test accuracy, in the table and the live log', async () => {
    const { python } = fakeReference('echo "H add 0 10 1.0 2.0 0.5 0.30 0.90 0.80"')
    const r = await cli([
      'bench', '--to-grok', '--op', 'add', '--p', '5', '--frac', '0.5', '--max-steps', '10', '--eval-every', '10', '--threads', '1',
      '--variants', 'adamw', '--python', python, '--torch-ref', python,
    ])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(
      /^PyTorch: AdamW \(paper\): did not grok in 10 steps \(test accuracy 0\.300\), \d+\.\d s, W_E FFD 0\.900 FCR 0\.800$/m,
    )
    expect(r.stdout).toContain('no (10: 0.300)')
  })

  it('a SIGTERM to the bench alone stops the reference too, reports the finished variants, and exits 143', async () => {
    const { python, dir } = fakeReference('exec sleep 120')
    const pidFile = path.join(dir, 'pid')
    let sent = false
    const r = await cli(
      [
        'bench', '--to-grok', '--op', 'add', '--p', '5', '--frac', '0.5', '--max-steps', '10', '--eval-every', '10', '--threads', '1',
        '--variants', 'ma,adamw', '--python', python, '--torch-ref', python,
      ],
      {
        onStderr: (text, kill) => {
          if (sent || !text.includes('PyTorch: AdamW (paper)…')) return
          sent = true
          const wait = setInterval(() => {
            if (!existsSync(pidFile)) return
            clearInterval(wait)
            kill('SIGTERM')
          }, 20)
        },
      },
    )
    expect(r.code, r.stderr).toBe(143)
    expect(r.stderr.trim().split('\n').at(-1)).toBe(
      'grokscope: bench --to-grok: interrupted by SIGTERM; the PyTorch reference was stopped too; 1 of 2 variants finished',
    )
    // The table has the variant that finished (MA: grokscope only).
    expect(r.stdout).toContain('Grokfast-MA (w 100, λ 5)')
    expect(r.stdout).not.toContain('AdamW (paper)')
    expect(alive(Number(readFileSync(pidFile, 'utf8')))).toBe(false)
  })
})

describe('what the PyTorch comparison program is given for a variant', () => {
  it('AdamW’s lr and wd and the EMA filter, in its flags; nothing else (the MA filter, warm-up, the initial scale)', () => {
    expect(torchArgsOf({})).toEqual([])
    expect(torchArgsOf({ grokfast: 'ema' })).toEqual(['--grokfast', '0.98,2'])
    expect(torchArgsOf({ grokfast: 'ema', grokfastAlpha: 0.9, grokfastLambda: 5, lr: 3e-3 })).toEqual([
      '--lr',
      '0.003',
      '--grokfast',
      '0.9,5',
    ])
    expect(torchArgsOf(RECIPES.fast.settings)).toEqual(['--lr', '0.02', '--wd', '2'])
    for (const flags of [{ grokfast: 'ma' as const }, { warmup: 10 }, { initScale: 0.5 }, { lr: 1e-2, grokfastWindow: 50 }]) {
      expect(torchArgsOf(flags)).toBeNull()
    }
  })
})

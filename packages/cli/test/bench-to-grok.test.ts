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
  writeFileSync(
    python,
    `#!/bin/sh\necho "$@" >> ${dir}/args\necho "$OMP_NUM_THREADS $OPENBLAS_NUM_THREADS" >> ${dir}/env\n` +
      `echo $$ > ${dir}/pid.tmp && mv ${dir}/pid.tmp ${dir}/pid\n${body}\n`,
  )
  chmodSync(python, 0o755)
  return { python, dir }
}

describe('grokscope bench --to-grok with the PyTorch reference', { timeout: 300_000 }, () => {
  it('reads its evaluation and clock lines, stops it at the first that groks, takes its wall time from its own clock ' +
    '(from its first step), holds it to --threads, and gives it the variant’s flags', async () => {
    const { python, dir } = fakeReference(
      [
        'echo "H add 0 10 1.0 2.0 0.5 0.30 0.90 0.80"',
        'echo "T add 0 10 1.5"',
        'echo "not a history line"',
        'echo "H add 0 20 0.1 0.2 1.0 0.995 0.25 0.85"',
        'echo "T add 0 20 2.75"',
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
    for (const row of rows) {
      expect(row.torch).toMatchObject({ grokStep: 20, steps: 20, testAcc: 0.995, ffd: 0.25, fcr: 0.85, wallS: 2.75, stayed: null })
    }
    const args = readFileSync(path.join(dir, 'args'), 'utf8').trim().split('\n')
    expect(args).toHaveLength(3)
    expect(args[0]).toBe(`${python} --ops add --seeds 0 --p 5 --frac 0.5 --steps 10 --every 10 --device cpu --threads 1 --elapsed`)
    expect(args[1]).toBe(`${args[0]} --grokfast 0.98,2`)
    expect(args[2]).toBe(`${args[0]} --grokfast-ma 100,5`)
    expect(readFileSync(path.join(dir, 'env'), 'utf8').trim().split('\n')).toEqual(Array.from({ length: 3 }, () => '1 1'))
  })

  it('a reference run that ends without grokking: its last step and test accuracy, in the table and the live log', async () => {
    const { python } = fakeReference('echo "H add 0 10 1.0 2.0 0.5 0.30 0.90 0.80"\necho "T add 0 10 1.0"')
    const r = await cli([
      'bench', '--to-grok', '--op', 'add', '--p', '5', '--frac', '0.5', '--max-steps', '10', '--eval-every', '10', '--threads', '1',
      '--variants', 'adamw', '--python', python, '--torch-ref', python,
    ])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(
      /^PyTorch: AdamW \(paper\), seed 0: did not grok in 10 steps \(test accuracy 0\.300\), \d+\.\d s, W_E FFD 0\.900 FCR 0\.800$/m,
    )
    expect(r.stdout).toContain('no (10: 0.300)')
  })

  it('a SIGTERM to the bench alone stops the reference too, reports the finished runs, and exits 143', async () => {
    // Seed 0 ends at once; seed 1 sleeps until stopped.
    const { python, dir } = fakeReference('case "$*" in *"--seeds 0 "*) echo "H add 0 10 1 2 0.5 0.3 0.9 0.8";; *) exec sleep 120;; esac')
    const pidFile = path.join(dir, 'pid')
    let sent = false
    const r = await cli(
      [
        'bench', '--to-grok', '--op', 'add', '--p', '5', '--frac', '0.5', '--max-steps', '10', '--eval-every', '10', '--threads', '1',
        '--variants', 'adamw', '--seeds', '0..1', '--python', python, '--torch-ref', python,
      ],
      {
        onStderr: (text, kill) => {
          if (sent || !text.includes('PyTorch: AdamW (paper), seed 1…')) return
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
      'grokscope: bench --to-grok: interrupted by SIGTERM; the PyTorch reference was stopped too; 1 of 2 runs finished',
    )
    // The table has the run that finished: seed 0's.
    expect(r.stdout).toMatch(/^ +0 +no \(10: /m)
    expect(r.stdout).not.toMatch(/^ +1 +no/m)
    expect(alive(Number(readFileSync(pidFile, 'utf8')))).toBe(false)
  })
})

describe('grokscope bench --to-grok over seeds, to a horizon', { timeout: 300_000 }, () => {
  interface Run {
    grokStep: number | null
    steps: number
    stayed: boolean | null
    lowestAfter: number | null
    wallS: number
  }
  interface Doc {
    seeds: number[]
    horizon: number
    rows: Array<{ variant: string; seed: number; grokscope: Run; torch: Run | null; ratio: number | null }>
    ratios: Array<{ variant: string; ratio_median: number | null; seeds_compared: number }>
  }

  it('alternates the programs seed by seed, says whether each stayed ≥ 0.99 to the horizon (the lowest if not), ' +
    'and gives each seed’s wall-time ratio and their median', async () => {
    // The reference groks at step 20 (2 s on its clock), falls to 0.97 at 30, is back at 40; then it would sleep.
    const { python, dir } = fakeReference(
      ['10 0.30 1.0', '20 0.995 2.0', '30 0.97 3.0', '40 0.995 4.0']
        .map((l) => l.split(' '))
        .map(([step, acc, t]) => `echo "H a 0 ${step} 0.1 0.2 1.0 ${acc} 0.25 0.85"\necho "T a 0 ${step} ${t}"`)
        .join('\n') + '\nexec sleep 60',
    )
    // `a mod 7` (the label is the first operand) groks in tens of steps with the fast recipe.
    const args = ['bench', '--to-grok', '--op', 'a', '--p', '7', '--frac', '0.6', '--max-steps', '200', '--eval-every', '10', '--threads', '1']
    const more = ['--variants', 'fast', '--seeds', '0..1', '--horizon', '40', '--python', python, '--torch-ref', python]
    const r = await cli([...args, ...more, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout) as Doc
    expect([doc.seeds, doc.horizon]).toEqual([[0, 1], 40])
    expect(doc.rows.map((x) => x.seed)).toEqual([0, 1])
    for (const row of doc.rows) {
      expect(row.torch).toEqual(expect.objectContaining({ grokStep: 20, steps: 40, stayed: false, lowestAfter: 0.97, wallS: 2 }))
      const g = row.grokscope
      expect(g.grokStep).not.toBeNull()
      // Trained on to the horizon (or stopped at its grok step, when later), every evaluation since at 0.99 or more.
      expect(g.steps).toBe(Math.max(40, g.grokStep!))
      expect(g.stayed).toBe(true)
      expect(g.lowestAfter).toBeGreaterThanOrEqual(0.99)
      expect(row.ratio).toBeCloseTo(g.wallS / 2, 10)
    }
    const ratios = doc.rows.map((x) => x.ratio!)
    expect(doc.ratios).toEqual([
      { variant: doc.rows[0]!.variant, ratio_median: (ratios[0]! + ratios[1]!) / 2, seeds_compared: 2 },
    ])
    const calls = readFileSync(path.join(dir, 'args'), 'utf8').trim().split('\n')
    expect(calls.map((c) => / --seeds (\d+) /.exec(c)![1])).toEqual(['0', '1'])
    // The table, and the live log's alternation.
    const t = await cli([...args, ...more])
    expect(t.code, t.stderr).toBe(0)
    expect(t.stdout).toMatch(/^seed +grokscope steps +stayed +wall s +FFD\/FCR +PyTorch steps +stayed +wall s +FFD\/FCR +ratio$/m)
    expect(t.stdout).toMatch(/^ +0 +\d+ +yes \(\d+\) +\d+\.\d +[\d.]+\/[\d.]+ +20 +no \(0\.970\) +2\.0 +0\.250\/0\.850 +\d+\.\d\d$/m)
    expect(t.stdout).toMatch(/^median wall-time ratio grokscope \/ PyTorch: \d+\.\d\d \(2 seeds where both grokked\)$/m)
    const started = t.stderr.split('\n').filter((l) => l.endsWith('…'))
    expect(started.map((l) => l.replace(/: fast recipe.*, seed/, ''))).toEqual([
      'grokscope 0…',
      'PyTorch 0…',
      'grokscope 1…',
      'PyTorch 1…',
    ])
  })

  it('with the real PyTorch comparison program (p = 7, 20 steps, one thread), a row per seed for both programs', async () => {
    const r = await cli([
      'bench', '--to-grok', '--op', 'add', '--p', '7', '--frac', '0.6', '--max-steps', '20', '--eval-every', '10', '--threads', '1',
      '--variants', 'fast', '--seeds', '0,1', '--horizon', '20', '--json',
    ])
    expect(r.code, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout) as Doc
    expect(doc.rows.map((x) => x.seed)).toEqual([0, 1])
    for (const row of doc.rows) {
      expect(row.torch).not.toBeNull()
      expect(row.torch!.steps).toBe(20)
      expect(row.torch!.wallS).toBeGreaterThan(0)
      expect(row.grokscope.steps).toBe(20)
    }
  })

  it('--seeds that repeat a seed or are not seeds: one line, exit code 2', async () => {
    for (const [seeds, message] of [
      ['0,0', 'seed 0 is listed twice'],
      ['0..200', 'is 201 seeds (allowed: at most 100)'],
      ['a..b', 'is not allowed'],
    ] as const) {
      const r = await cli(['bench', '--to-grok', '--p', '5', '--no-torch', '--seeds', seeds])
      expect(r.code).toBe(2)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toContain(message)
    }
  })
})

describe('what the PyTorch comparison program is given for a variant', () => {
  it('AdamW’s lr, wd, betas and eps, the EMA and MA filters, the warm-up and the initial scale, in its flags; nothing else', () => {
    expect(torchArgsOf({})).toEqual([])
    expect(torchArgsOf({ grokfast: 'ema' })).toEqual(['--grokfast', '0.98,2'])
    expect(torchArgsOf({ grokfast: 'ema', grokfastAlpha: 0.9, grokfastLambda: 5, lr: 3e-3 })).toEqual([
      '--lr',
      '0.003',
      '--grokfast',
      '0.9,5',
    ])
    expect(torchArgsOf({ lr: 2e-2, wd: 2, warmup: 10, initScale: 0.5 })).toEqual(['--lr', '0.02', '--wd', '2', '--warmup', '10', '--init-scale', '0.5'])
    expect(torchArgsOf({ beta1: 0.8, beta2: 0.95, eps: 1e-6 })).toEqual(['--beta1', '0.8', '--beta2', '0.95', '--eps', '0.000001'])
    expect(torchArgsOf({ grokfast: 'ma' })).toEqual(['--grokfast-ma', '100,5'])
    expect(torchArgsOf({ grokfast: 'ma', grokfastWindow: 50, grokfastLambda: 3 })).toEqual(['--grokfast-ma', '50,3'])
    expect(torchArgsOf({ warmup: 0, initScale: 1 })).toEqual([])
    for (const flags of [{ wdExclude: ['embed.W_E'] }, { optimizer: 'sgd' as const }, { lr: 1e-2, grokfastWindow: 50 }]) {
      expect(torchArgsOf(flags)).toBeNull()
    }
  })
})

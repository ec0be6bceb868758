// grokscope bench --to-grok through the CLI: its JSON document and its errors (PyTorch left out: the e2e figures are in docs/PERFORMANCE.md).
import { describe, expect, it } from 'vitest'
import { RECIPES, torchArgsOf } from '../src/recipes.js'
import { cli } from './run-cli.js'

describe('grokscope bench --to-grok', { timeout: 300_000 }, () => {
  it('runs the paper’s AdamW, Grokfast-EMA and -MA and the fast recipe within the budget and reports each', async () => {
    const r = await cli(['bench', '--to-grok', '--op', 'add', '--p', '5', '--frac', '0.5', '--max-steps', '20', '--eval-every', '10', '--threads', '1', '--no-torch', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout) as { op: string; p: number; rows: Array<{ variant: string; grokscope: { grokStep: number | null; steps: number; wallS: number; ffd: number | null }; torch: unknown }> }
    expect([doc.op, doc.p]).toEqual(['add', 5])
    expect(doc.rows.map((x) => x.variant)).toEqual(['AdamW (paper)', 'Grokfast-EMA (α 0.98, λ 2)', 'Grokfast-MA (w 100, λ 5)', `fast recipe (${RECIPES.fast.summary})`])
    for (const row of doc.rows) {
      const g = row.grokscope
      // Stopped at the grokking evaluation, or at the budget.
      expect(g.grokStep === null ? g.steps : g.grokStep).toBe(g.steps)
      expect(g.steps).toBeLessThanOrEqual(20)
      expect(g.steps % 10).toBe(0)
      expect(g.wallS).toBeGreaterThan(0)
      expect(g.ffd).toBeGreaterThan(0)
      expect(row.torch).toBeNull()
    }
  })

  it('--variants runs those only, in the order given; an unknown one is one line and exit code 2', async () => {
    const r = await cli(['bench', '--to-grok', '--op', 'add', '--p', '5', '--frac', '0.5', '--max-steps', '10', '--eval-every', '10', '--threads', '1', '--no-torch', '--json', '--variants', 'ma,adamw'])
    expect(r.code, r.stderr).toBe(0)
    expect((JSON.parse(r.stdout) as { rows: Array<{ variant: string }> }).rows.map((x) => x.variant)).toEqual(['Grokfast-MA (w 100, λ 5)', 'AdamW (paper)'])
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

describe('what ref_torch.py is given for a variant', () => {
  it('AdamW’s lr and wd and the EMA filter, in its flags; nothing it cannot do', () => {
    expect(torchArgsOf({})).toEqual([])
    expect(torchArgsOf({ grokfast: 'ema' })).toEqual(['--grokfast', '0.98,2'])
    expect(torchArgsOf({ grokfast: 'ema', grokfastAlpha: 0.9, grokfastLambda: 5, lr: 3e-3 })).toEqual(['--lr', '0.003', '--grokfast', '0.9,5'])
    expect(torchArgsOf(RECIPES.fast.flags)).toEqual(['--lr', '0.02', '--wd', '2'])
    for (const flags of [{ grokfast: 'ma' as const }, { warmup: 10 }, { initScale: 0.5 }, { lr: 1e-2, grokfastWindow: 50 }]) expect(torchArgsOf(flags)).toBeNull()
  })
})

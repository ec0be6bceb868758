// grokscope bench (the step benchmark) through the CLI: what it reports, not how fast (the figures are in docs/PERFORMANCE.md).
import { describe, expect, it } from 'vitest'
import { cli } from './run-cli.js'

const short = ['--frac', '0.5', '--steps', '2', '--warmup', '1', '--rounds', '1', '--evals', '2', '--threads', '2']

describe('grokscope bench', { timeout: 300_000 }, () => {
  it('--json reports the step, the evaluation over the threads and on the main thread alone, the evaluation as the loop ' +
    'makes it when a step follows, and a flat tensor count', async () => {
    const r = await cli(['bench', '--p', '7', ...short, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout) as Record<string, unknown>
    expect([doc.p, doc.threads, doc.tensors_flat]).toEqual([7, 2, true])
    const timings = ['step_ms', 'eval_ms', 'eval_main_ms', 'ffd_fcr_ms', 'step_examples_ms', 'step_plain_ms', 'eval_test_ms', 'eval_test_until_ms']
    for (const key of timings) {
      const s = doc[key] as { median: number; n: number }
      expect(s.median, key).toBeGreaterThan(0)
    }
    for (const key of timings.slice(4)) expect((doc[key] as { n: number }).n, key).toBe(2)
    expect((doc.step_ms as { n: number }).n).toBe(2)
    expect((doc.eval_ms as { n: number }).n).toBe(2)
    expect((doc.eval_main_ms as { n: number }).n).toBe(2)
  })

  it('several p: one table with a row per p and its evaluation column', async () => {
    const r = await cli(['bench', '--p', '5,7', ...short])
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^p\s+training examples\s+step ms \(median\)\s+ms per 1,000 examples\s+evaluation ms\s+chunk per thread/)
    expect(lines.slice(1, 3).map((l) => l.split(/\s+/)[0])).toEqual(['5', '7'])
    expect(lines.at(-1)).toContain('2 thread(s)')
  })
})

// End to end: the paper's model really trains on a+b mod 31 until it groks, through the CLI.
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect, it } from 'vitest'
import { cli } from './run-cli.js'

it('grokscope train --op add --p 31 --frac 0.5 --seed 0 groks, with a sparse Fourier embedding', async () => {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'grokscope-e2e-')), 'run')
  const r = await cli([
    'train', '--op', 'add', '--p', '31', '--frac', '0.5', '--seed', '0', '--steps', '10000', '--stop-after-grok', '0', '--no-progress',
    '--out', out,
  ])
  expect(r.code, r.stderr).toBe(0)
  const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'))
  expect(summary.grokked).toBe(true)
  expect(summary.final.test.acc).toBeGreaterThanOrEqual(0.99)
  expect(summary.grok_step).toBe(summary.steps)
  // The paper's signature for addition: a few key frequencies in the embedding.
  expect(summary.measures.W_E.ffd).toBeLessThanOrEqual(0.5)
  // Before grokking the embedding used (nearly) every frequency.
  const first = JSON.parse(readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').split('\n')[0]!)
  expect(first.W_E.ffd).toBeGreaterThan(summary.measures.W_E.ffd)
  expect(first.test_acc).toBeLessThan(0.5)
}, 20 * 60_000)

// grokscope bench --products: the roofline's per-product table for both programs, the SIMD peak and the neighbour
// experiment, as JSON and as text (tiny p: the figures themselves are in docs/PERFORMANCE.md, "Roofline").
import { describe, expect, it } from 'vitest'
import { cli } from './run-cli.js'

interface Timed {
  what: string
  m: number
  k: number
  n: number
  count: number
  ms: number
  gflops: number
}
interface Doc {
  n_train: number
  grokscope: { products: Timed[]; gflop: number; ms: number }
  torch: { threads: number; products: Timed[]; gflop: number } | null
  simd_peak_gflops: { mul_add: number; relaxed_madd: number | null; relaxed_simd: boolean }
  half_step_ms: { examples: number; idle: number; alu: number; memory: number }
}

const flops = (xs: ReadonlyArray<Timed>) => xs.reduce((s, x) => s + 2 * x.m * x.k * x.n * x.count, 0)

describe('grokscope bench --products', { timeout: 300_000 }, () => {
  it('with --vs-torch: both programs’ products (PyTorch on one thread, every position, each forward product with its ' +
    'two backward ones), ' +
    'the SIMD peak and the half-batch step beside each neighbour', async () => {
    const r = await cli(['bench', '--products', '--p', '7', '--frac', '0.6', '--vs-torch', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout) as Doc
    expect(doc.n_train).toBe(29)
    expect(doc.grokscope.products).toHaveLength(23)
    expect(doc.grokscope.gflop).toBeCloseTo(flops(doc.grokscope.products) / 1e9, 12)
    expect(doc.torch!.threads).toBe(1)
    expect(doc.torch!.products).toHaveLength(15)
    // PyTorch: Q, K, V, W_O and the MLP on 3·29 rows, the unembedding on 29; each forward product twice more backward.
    const [N, B, D, M, P] = [87, 29, 128, 512, 7]
    expect(flops(doc.torch!.products)).toBe(3 * 2 * (3 * N * D * D + N * D * D + 2 * N * D * M + B * D * P))
    expect(doc.simd_peak_gflops.mul_add).toBeGreaterThan(0)
    expect(doc.simd_peak_gflops.relaxed_simd).toBe(true)
    expect(doc.simd_peak_gflops.relaxed_madd).toBeGreaterThan(0)
    expect(doc.half_step_ms.examples).toBe(15)
    for (const k of ['idle', 'alu', 'memory'] as const) expect(doc.half_step_ms[k]).toBeGreaterThan(0)
  })

  it('prints the tables and the lines a reader of docs/PERFORMANCE.md needs; --products with --to-grok is refused', async () => {
    const r = await cli(['bench', '--products', '--p', '7', '--frac', '0.6'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^product +m×k×n +times +MFLOP +ms each +GFLOP\/s$/m)
    expect(r.stdout).toMatch(/^MLP in: Y · W_in +29×128×512 +1 +3\.8 +\d+\.\d\d +\d+\.\d$/m)
    expect(r.stdout).toMatch(/^all products: \d\.\d{3} GFLOP in \d+\.\d ms, \d+\.\d GFLOP\/s$/m)
    expect(r.stdout).toMatch(/^WASM SIMD peak, one thread: \d+\.\d GFLOP\/s with f32x4\.mul \+ f32x4\.add; \d+\.\d GFLOP\/s with relaxed/m)
    expect(r.stdout).toMatch(/^a half-batch training pass \(15 examples\) on this thread: [\d.]+ ms with the other thread idle/m)
    const both = await cli(['bench', '--products', '--to-grok', '--p', '7'])
    expect(both.code).toBe(2)
    expect(both.stderr.trim().split('\n')).toHaveLength(1)
    expect(both.stderr).toContain('--products and --to-grok: choose one')
  })
})

/**
 * Where a training step's arithmetic goes and how fast this machine can do it: the matrix products of one
 * full-batch step of the paper's one-block model as grokscope computes them (the vocabulary-table path:
 * queries, the MLP and the unembedding at the last position only), each timed alone on the current tfjs
 * backend; and the peak of WASM SIMD on one thread, from a tiny WebAssembly module emitted here byte by byte
 * (independent chains of `f32x4.mul` + `f32x4.add`, or relaxed SIMD's fused `f32x4.relaxed_madd` where the
 * engine has it). What `grokscope bench --products` prints; docs/PERFORMANCE.md, "Roofline", reads it.
 *
 * @example
 * import { paperConfig } from '@grokscope/model'
 * import { productFlops, stepProducts } from '@grokscope/node'
 * const products = stepProducts(paperConfig({ dVocab: 98, nOut: 97 }), 2822)
 * // The MLP's six products: forward in and out, and the four of the backward pass.
 * products.filter((p) => p.what.startsWith('MLP')).length  // => 6
 * Math.round(products.reduce((s, p) => s + productFlops(p), 0) / 1e6)  // => 3444
 *
 * @since 0.5.0
 */
import { execFileSync } from 'node:child_process'
import v8 from 'node:v8'
import { Worker } from 'node:worker_threads'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import * as tf from '@tensorflow/tfjs-core'
import { type ModelConfig, disposeInputs, disposeParams, initParams, lossAndGrads, prepareBatch } from '@grokscope/model'
import type { Examples } from './Pool.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/**
 * A matrix product of a step, `count` times: `[m, k] · [k, n]`; `transpose` says which operand grokscope transposes
 * explicitly first (`a`: `aᵀ·b`, `b`: `a·bᵀ`; WASM's transposed `matMul` is slower than a transpose and a plain one).
 */
export interface Product {
  readonly what: string
  readonly m: number
  readonly k: number
  readonly n: number
  readonly count: number
  readonly transpose: 'a' | 'b' | null
}

/** A product timed alone: median milliseconds of one (of its `count`), and GFLOP/s. */
export interface TimedProduct extends Product {
  readonly ms: number
  readonly gflops: number
}

/** The floating-point operations of a product, all its `count` included: `2·m·k·n·count`. */
export const productFlops = (p: Product): number => 2 * p.m * p.k * p.n * p.count

// ─────────────────────────────────────────────────────────────────────────────
// the step's products
// ─────────────────────────────────────────────────────────────────────────────

/**
 * The matrix products of one full-batch training step (forward and backward) of a one-block model on `batch`
 * examples through vocabulary tables (`internal/tables.ts`, `internal/mlp.ts`, the unembedding), with the shapes of
 * `c`: what the table path computes, product by product, the per-head ones counted `n_heads` times.
 */
export const stepProducts = (c: ModelConfig, batch: number): ReadonlyArray<Product> => {
  const [B, V, D, H, E, M, P] = [batch, c.dVocab, c.dModel, c.nHeads, c.dHead, c.dMlp, c.nOut]
  const HE = H * E
  const p = (what: string, m: number, k: number, n: number, count = 1, transpose: 'a' | 'b' | null = null): Product => ({
    what,
    m,
    k,
    n,
    count,
    transpose,
  })
  return [
    p('tables W_E·W_Q, W_E·W_K, W_E·W_V', V, D, HE, 3),
    p('queries: one-hot · (W_E·W_Q)', B, V, HE),
    p('scores per head: q · k_tabᵀ', B, E, V, H, 'b'),
    p('values per head: P · v_tab', B, V, E, H),
    p('residual: one-hot · W_E', B, V, D),
    p('attention out: Z · W_O', B, HE, D),
    p('MLP in: Y · W_in', B, D, M),
    p('MLP out: post · W_out', B, M, D),
    p('unembed: final · W_U', B, D, P),
    p('unembed backward: dlogits · W_Uᵀ', B, P, D, 1, 'b'),
    p('unembed grad: finalᵀ · dlogits', D, B, P, 1, 'a'),
    p('MLP backward: dout · W_outᵀ', B, D, M, 1, 'b'),
    p('MLP grad W_in: Yᵀ · dpre', D, B, M, 1, 'a'),
    p('MLP grad W_out: postᵀ · dout', M, B, D, 1, 'a'),
    p('MLP backward: dpre · W_inᵀ', B, M, D, 1, 'b'),
    p('attention backward: dY · W_Oᵀ', B, D, HE, 1, 'b'),
    p('attention grad W_O: Zᵀ · dY', HE, B, D, 1, 'a'),
    p('per head: dZ · v_tabᵀ', B, E, V, H, 'b'),
    p('per head: dscores · k_tab', B, V, E, H),
    p('per head: dscoresᵀ · q, Pᵀ · dZ', V, B, E, 2 * H, 'a'),
    p('tables grad: one-hotᵀ · dq, one-hotᵀ · dY', V, B, D, 2, 'a'),
    p('W_E grad from the tables: dtab · Wᵀ', V, HE, D, 3, 'b'),
    p('W_Q, W_K, W_V grads: W_Eᵀ · dtab', D, V, HE, 3, 'a'),
  ]
}

/**
 * Times each product alone on the current tfjs backend as grokscope runs it (its explicit transpose included):
 * random operands made once, `warmup` untimed runs, then the median of `rounds` runs (a result read back each time).
 */
export const timeProducts = (products: ReadonlyArray<Product>, rounds = 9, warmup = 2): ReadonlyArray<TimedProduct> =>
  products.map((p) => {
    const a = tf.randomNormal<tf.Rank.R2>(p.transpose === 'a' ? [p.k, p.m] : [p.m, p.k])
    const b = tf.randomNormal<tf.Rank.R2>(p.transpose === 'b' ? [p.n, p.k] : [p.k, p.n])
    const once = (): number => {
      const t0 = performance.now()
      const r = tf.tidy(() =>
        p.transpose === 'a' ? tf.matMul(tf.transpose(a), b) : p.transpose === 'b' ? tf.matMul(a, tf.transpose(b)) : tf.matMul(a, b),
      )
      r.dataSync()
      r.dispose()
      return performance.now() - t0
    }
    for (let i = 0; i < warmup; i++) once()
    const times = Array.from({ length: rounds }, once).sort((x, y) => x - y)
    tf.dispose([a, b])
    const ms = times[Math.floor(times.length / 2)]!
    return { ...p, ms, gflops: (2 * p.m * p.k * p.n) / (ms * 1e6) }
  })

// ─────────────────────────────────────────────────────────────────────────────
// the WASM SIMD peak
// ─────────────────────────────────────────────────────────────────────────────

// The engine's WebAssembly API (the package's TypeScript libraries do not declare it), as used here.
declare const WebAssembly: {
  validate: (bytes: Uint8Array) => boolean
  instantiate: (bytes: Uint8Array) => Promise<{ instance: { exports: Record<string, unknown> } }>
}

const leb = (x: number): number[] => {
  const out: number[] = []
  let n = x
  do {
    let byte = n & 0x7f
    n >>>= 7
    if (n !== 0) byte |= 0x80
    out.push(byte)
  } while (n !== 0)
  return out
}

const splat = (x: number): number[] => {
  const v = new DataView(new ArrayBuffer(16))
  for (let i = 0; i < 4; i++) v.setFloat32(4 * i, x, true)
  return [...new Uint8Array(v.buffer)]
}

const section = (id: number, bytes: ReadonlyArray<number>): number[] => [id, ...leb(bytes.length), ...bytes]

const SIMD = 0xfd
const OP = { v128Const: 0x0c, f32x4ExtractLane: 0x1f, f32x4Add: 0xe4, f32x4Mul: 0xe6, f32x4RelaxedMadd: 0x105 } as const

/**
 * A WebAssembly module exporting `run(n: i32) → f32`: `n` iterations of `chains` independent dependency chains, each
 * `acc ← acc·m + a` on four float32 lanes, as `f32x4.mul` then `f32x4.add` (8 FLOPs), or with `fma` as one
 * `f32x4.relaxed_madd` (relaxed SIMD, the same 8 FLOPs); it returns a lane of the chains' sum so nothing is dead.
 */
export const simdPeakModule = (chains: number, fma: boolean): Uint8Array => {
  const get = (i: number) => [0x20, ...leb(i)]
  const set = (i: number) => [0x21, ...leb(i)]
  // Locals: 0 the parameter n; 1..chains the accumulators; then m and a.
  const [m, a] = [1 + chains, 2 + chains]
  const body: number[] = []
  for (let i = 0; i < chains; i++) body.push(SIMD, OP.v128Const, ...splat(1 + i / 64), ...set(1 + i))
  body.push(SIMD, OP.v128Const, ...splat(0.999), ...set(m), SIMD, OP.v128Const, ...splat(0.001), ...set(a))
  body.push(0x03, 0x40) // loop
  for (let i = 0; i < chains; i++) {
    if (fma) body.push(...get(1 + i), ...get(m), ...get(a), SIMD, ...leb(OP.f32x4RelaxedMadd), ...set(1 + i))
    else body.push(...get(1 + i), ...get(m), SIMD, ...leb(OP.f32x4Mul), ...get(a), SIMD, ...leb(OP.f32x4Add), ...set(1 + i))
  }
  // n ← n − 1; loop while n ≠ 0.
  body.push(...get(0), 0x41, 1, 0x6b, 0x22, 0, 0x0d, 0, 0x0b)
  body.push(...get(1))
  for (let i = 1; i < chains; i++) body.push(...get(1 + i), SIMD, ...leb(OP.f32x4Add))
  body.push(SIMD, OP.f32x4ExtractLane, 0, 0x0b)
  const fn = [1, ...leb(chains + 2), 0x7b, ...body]
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 1, 0x7f, 1, 0x7d]),
    ...section(3, [1, 0]),
    ...section(7, [1, 3, 0x72, 0x75, 0x6e, 0, 0]),
    ...section(10, [1, ...leb(fn.length), ...fn]),
  ])
}

/**
 * Whether this engine compiles relaxed SIMD, after turning on Node 20's `--experimental-wasm-relaxed-simd` (V8 reads
 * it when a module is compiled, so setting it at run time works).
 */
export const relaxedSimd = (): boolean => {
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd')
  return WebAssembly.validate(simdPeakModule(1, true))
}

/** The FLOPs of one `run(n)` of `simdPeakModule(chains, …)`: 8 per chain per iteration. */
export const simdPeakFlops = (chains: number, n: number): number => 8 * chains * n

/**
 * The best GFLOP/s of `simdPeakModule(chains, fma)` on this thread over `rounds` runs of `n` iterations (after an
 * untimed run that lets the engine's optimising compiler take over); `null` when the engine lacks relaxed SIMD.
 */
export const simdPeak = async (o: { fma: boolean; chains: number; n: number; rounds: number }): Promise<number | null> => {
  const bytes = simdPeakModule(o.chains, o.fma)
  if (o.fma && !relaxedSimd()) return null
  const { instance } = await WebAssembly.instantiate(bytes)
  const run = instance.exports['run'] as (n: number) => number
  run(o.n)
  let best = 0
  for (let r = 0; r < o.rounds; r++) {
    const t0 = performance.now()
    run(o.n)
    best = Math.max(best, simdPeakFlops(o.chains, o.n) / ((performance.now() - t0) * 1e6))
  }
  return best
}

// ─────────────────────────────────────────────────────────────────────────────
// PyTorch's products
// ─────────────────────────────────────────────────────────────────────────────

const TorchProducts = t.type({
  threads: t.number,
  products: t.array(
    t.type({
      what: t.string,
      m: t.number,
      k: t.number,
      n: t.number,
      count: t.number,
      transpose: t.union([t.literal('a'), t.literal('b'), t.null]),
      ms: t.number,
      gflops: t.number,
    }),
  ),
})

/**
 * The PyTorch comparison program's products of a step (`grokscope_torch.py --bench-products`: every position through
 * Q, K, V, W_O and the MLP), each timed alone, held to `threads` threads (`OMP_NUM_THREADS`, `OPENBLAS_NUM_THREADS`).
 */
export const torchProducts = (o: {
  python: string
  torchRef: string
  p: number
  frac: number
  threads: number
}): { readonly threads: number; readonly products: ReadonlyArray<TimedProduct> } => {
  const threads = String(o.threads)
  const out = execFileSync(o.python, [o.torchRef, '--bench-products', '--p', String(o.p), '--frac', String(o.frac), '--device', 'cpu'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OMP_NUM_THREADS: threads, OPENBLAS_NUM_THREADS: threads },
  })
  const line = out.trim().split('\n').at(-1) ?? ''
  let json: unknown = null
  try {
    json = JSON.parse(line)
  } catch {
    json = null
  }
  const r = TorchProducts.decode(json)
  if (E.isLeft(r)) throw new Error(`${o.torchRef} --bench-products: its last line should be JSON with products, got ${JSON.stringify(line.slice(0, 80))}`)
  return r.right
}

// ─────────────────────────────────────────────────────────────────────────────
// two threads: what the other core's work does to a step
// ─────────────────────────────────────────────────────────────────────────────

/** What the other thread does while this one times a step: nothing, SIMD arithmetic in registers, or streaming memory. */
export type Neighbour = 'idle' | 'alu' | 'memory'

// A worker that loops until told to stop: the SIMD module's chains (no memory traffic), or copies of 64 MiB arrays
// (memory bandwidth, past every cache).
const NEIGHBOUR = `
const { workerData, parentPort } = require('node:worker_threads')
const stop = new Int32Array(workerData.stop)
parentPort.postMessage('started')
if (workerData.kind === 'alu') {
  const run = new WebAssembly.Instance(new WebAssembly.Module(workerData.bytes)).exports.run
  while (Atomics.load(stop, 0) === 0) run(1e6)
} else {
  const a = new Float64Array(8 << 20), b = new Float64Array(8 << 20)
  a.fill(1)
  while (Atomics.load(stop, 0) === 0) b.set(a), a.set(b)
}
`

/**
 * The median time of a training pass (`lossAndGrads`, the paper's model) on `examples` on this thread while another
 * thread is idle, runs SIMD arithmetic (`simdPeakModule`'s chains: no memory traffic), or copies arrays far larger
 * than the caches (memory-bound): whether two threads slow each other through the core or through memory.
 */
export const stepBeside = async (c: ModelConfig, examples: Examples, neighbour: Neighbour, rounds = 7): Promise<number> => {
  const params = initParams(c, 0)
  const batch = prepareBatch(c, examples.tokens, examples.labels)
  const once = (): number => {
    const t0 = performance.now()
    const r = lossAndGrads(c, params, batch)
    r.loss.dataSync()
    tf.dispose([r.loss, r.logits, ...Object.values(r.grads)])
    return performance.now() - t0
  }
  once()
  const stop = new SharedArrayBuffer(4)
  const worker =
    neighbour === 'idle'
      ? null
      : new Worker(NEIGHBOUR, { eval: true, workerData: { kind: neighbour, stop, bytes: simdPeakModule(8, false) } })
  if (worker !== null) await new Promise((resolve) => worker.once('message', resolve))
  const times = Array.from({ length: rounds }, once).sort((x, y) => x - y)
  Atomics.store(new Int32Array(stop), 0, 1)
  await worker?.terminate()
  disposeInputs(batch)
  disposeParams(params)
  return times[Math.floor(rounds / 2)]!
}

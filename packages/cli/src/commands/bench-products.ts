// grokscope bench --products: the roofline's figures (the measuring: @grokscope/node's Roofline.ts): each matrix
// product of a training step timed alone on one thread (GFLOP/s), PyTorch's products beside them with --vs-torch,
// the WASM SIMD peak of one thread, and what the other core's work does to a half-batch step.
import * as E from 'fp-ts/lib/Either.js'
import * as tf from '@tensorflow/tfjs-core'
import { decodeTask, formatErrors, makeDataset } from '@grokscope/data'
import {
  type Neighbour,
  type TimedProduct,
  UsageError,
  initBackend,
  productFlops,
  relaxedSimd,
  simdPeak,
  stepBeside,
  stepProducts,
  timeProducts,
  torchProducts,
} from '@grokscope/node'
import { modelConfigFor } from '@grokscope/train'
import { fixed, table } from '../format.js'

/** `grokscope bench --products`'s flags. */
export interface BenchProductsFlags {
  readonly p: number
  readonly frac: number
  readonly vsTorch?: boolean | undefined
  readonly torchRef: string
  readonly python: string
  readonly json?: boolean | undefined
}

const totals = (products: ReadonlyArray<TimedProduct>) => {
  const flops = products.reduce((s, p) => s + productFlops(p), 0)
  const ms = products.reduce((s, p) => s + p.ms * p.count, 0)
  return { gflop: flops / 1e9, ms, gflops: flops / (ms * 1e6) }
}

const productTable = (products: ReadonlyArray<TimedProduct>): string =>
  table(
    ['product', 'm×k×n', 'times', 'MFLOP', 'ms each', 'GFLOP/s'],
    products.map((p) => [
      p.what,
      `${p.m}×${p.k}×${p.n}`,
      String(p.count),
      fixed(productFlops(p) / 1e6, 1),
      fixed(p.ms, 2),
      fixed(p.gflops, 1),
    ]),
  )

export const benchProductsCommand = async (f: BenchProductsFlags): Promise<void> => {
  const task = decodeTask({ p: f.p, ops: ['add'], frac: f.frac, seed: 0 })
  if (E.isLeft(task)) throw new UsageError((formatErrors(task.left)[0] ?? 'invalid task').replace(/^(p|frac):/, '--$1:'))
  await initBackend()
  const dataset = makeDataset(task.right)
  const c = modelConfigFor(dataset)
  const n = dataset.train.size
  const log = (line: string): void => {
    if (f.json !== true) process.stderr.write(line)
  }
  log('grokscope: timing the products of a step…\n')
  const ours = timeProducts(stepProducts(c, n))
  log('the WASM SIMD peak…\n')
  const peak = {
    mul_add: await simdPeak({ fma: false, chains: 8, n: 2_000_000, rounds: 7 }),
    relaxed_madd: await simdPeak({ fma: true, chains: 12, n: 2_000_000, rounds: 7 }),
    relaxed_simd: relaxedSimd(),
  }
  log('a half-batch step beside the other thread’s work…\n')
  const half = Math.ceil(n / 2)
  const examples = { tokens: dataset.train.tokens.slice(0, half * c.nCtx), labels: dataset.train.labels.slice(0, half) }
  const beside: Record<Neighbour, number> = { idle: 0, alu: 0, memory: 0 }
  for (const neighbour of ['idle', 'alu', 'memory', 'idle'] as const) beside[neighbour] = await stepBeside(c, examples, neighbour)
  log(f.vsTorch === true ? 'PyTorch: timing the products of its step…\n' : '')
  const theirs = f.vsTorch === true ? torchProducts({ ...f, threads: 1 }) : null
  if (f.json === true) {
    process.stdout.write(
      `${JSON.stringify({
        p: f.p,
        frac: f.frac,
        n_train: n,
        backend: tf.getBackend(),
        grokscope: { products: ours, ...totals(ours) },
        torch: theirs === null ? null : { threads: theirs.threads, products: theirs.products, ...totals(theirs.products) },
        simd_peak_gflops: peak,
        half_step_ms: { examples: half, ...beside },
      })}\n`,
    )
    return
  }
  const g = totals(ours)
  process.stdout.write(
    `p = ${f.p}, r = ${f.frac}: ${n} training examples; each product of a step timed alone on one thread, ` +
      `under the machine's current load\n\ngrokscope (tfjs ${tf.getBackend()}, the vocabulary-table path: queries and MLP at the last position)\n`,
  )
  process.stdout.write(`${productTable(ours)}\n`)
  process.stdout.write(`all products: ${fixed(g.gflop, 3)} GFLOP in ${fixed(g.ms, 1)} ms, ${fixed(g.gflops, 1)} GFLOP/s\n`)
  if (theirs !== null) {
    const t = totals(theirs.products)
    process.stdout.write(`\nPyTorch (${theirs.threads} thread, every position through Q, K, V, W_O and the MLP)\n${productTable(theirs.products)}\n`)
    process.stdout.write(
      `all products: ${fixed(t.gflop, 3)} GFLOP in ${fixed(t.ms, 1)} ms, ${fixed(t.gflops, 1)} GFLOP/s; ` +
        `grokscope's step does ${fixed(t.gflop / g.gflop, 2)}× fewer FLOPs, its products take ${fixed(g.ms / t.ms, 2)}× the time\n`,
    )
  }
  process.stdout.write(
    `\nWASM SIMD peak, one thread: ${fixed(peak.mul_add ?? NaN, 1)} GFLOP/s with f32x4.mul + f32x4.add; ` +
      (peak.relaxed_madd === null
        ? 'relaxed SIMD (f32x4.relaxed_madd) not available\n'
        : `${fixed(peak.relaxed_madd, 1)} GFLOP/s with relaxed SIMD's f32x4.relaxed_madd (Node 20: --experimental-wasm-relaxed-simd)\n`),
  )
  process.stdout.write(
    `a half-batch training pass (${half} examples) on this thread: ${fixed(beside.idle, 1)} ms with the other thread idle, ` +
      `${fixed(beside.alu, 1)} ms beside SIMD arithmetic, ${fixed(beside.memory, 1)} ms beside memory-bound copies\n`,
  )
}

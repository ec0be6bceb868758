// The roofline's measuring (Roofline.ts): the step's product list is what the training pass computes, the emitted
// WebAssembly module is valid and runs, and the neighbour experiment runs each case.
import * as E from 'fp-ts/lib/Either.js'
import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { decodeTask, makeDataset } from '@grokscope/data'
import { disposeInputs, disposeParams, initParams, lossAndGrads, paperConfig, prepareBatch } from '@grokscope/model'
import { modelConfigFor } from '@grokscope/train'
import {
  productFlops,
  relaxedSimd,
  simdPeak,
  simdPeakFlops,
  simdPeakModule,
  stepBeside,
  stepProducts,
  timeProducts,
} from '@grokscope/node'

const dataset = (p: number) => {
  const t = decodeTask({ p, ops: ['add'], frac: 0.5, seed: 0 })
  if (E.isLeft(t)) throw new Error('bad task')
  return makeDataset(t.right)
}

/** `[…, m, k] · […, k, n]` of a kernel's input shapes, as FLOPs (2·m·k·n per batch entry). */
const matMulFlops = (shapes: ReadonlyArray<ReadonlyArray<number>>): number => {
  const [a, b] = shapes as [number[], number[]]
  const batch = a.slice(0, -2).reduce((x, y) => x * y, 1)
  return 2 * batch * a.at(-2)! * a.at(-1)! * b.at(-1)!
}

describe('stepProducts', () => {
  it.each([7, 13])('lists the products of the training pass (p = %i): their FLOPs are those of its matMul kernels', async (p) => {
    const d = dataset(p)
    const c = modelConfigFor(d)
    const params = initParams(c, 0)
    const batch = prepareBatch(c, d.train.tokens, d.train.labels)
    const info = await tf.profile(() => {
      const r = lossAndGrads(c, params, batch)
      tf.dispose([r.loss, r.logits, ...Object.values(r.grads)])
    })
    const kernels = info.kernels.filter((k) => k.name === 'BatchMatMul' || k.name === '_FusedMatMul' || k.name === 'MatMul')
    const measured = kernels.reduce((s, k) => s + matMulFlops(k.inputShapes as number[][]), 0)
    const listed = stepProducts(c, d.train.size)
    expect(listed.reduce((s, x) => s + productFlops(x), 0)).toBe(measured)
    expect(listed.reduce((s, x) => s + x.count, 0)).toBe(kernels.length)
    disposeInputs(batch)
    disposeParams(params)
  })

  it('at p = 97, r = 0.3: 3.44 GFLOP a step, two thirds of it in the MLP', () => {
    const products = stepProducts(paperConfig({ dVocab: 98, nOut: 97 }), 2822)
    const total = products.reduce((s, x) => s + productFlops(x), 0)
    const mlp = products.filter((x) => x.what.startsWith('MLP')).reduce((s, x) => s + productFlops(x), 0)
    expect(total).toBe(3_443_837_440)
    expect(mlp).toBe(6 * 2 * 2822 * 128 * 512)
  })

  it('timeProducts times each with positive milliseconds and the GFLOP/s they imply, and leaks no tensor', () => {
    const before = tf.memory().numTensors
    const timed = timeProducts(stepProducts(paperConfig({ dVocab: 8, nOut: 7 }), 20), 3, 1)
    for (const x of timed) {
      expect(x.ms).toBeGreaterThan(0)
      expect(x.gflops).toBeCloseTo((2 * x.m * x.k * x.n) / (x.ms * 1e6), 10)
    }
    expect(tf.memory().numTensors).toBe(before)
  })
})

describe('the WASM SIMD peak', () => {
  it.each([
    [1, false],
    [8, false],
    [12, true],
  ] as const)('the module of %i chain(s) (fma %s) is valid and runs', async (chains, fma) => {
    const bytes = simdPeakModule(chains, fma)
    if (fma) expect(relaxedSimd()).toBe(true)
    const gflops = await simdPeak({ fma, chains, n: 10_000, rounds: 2 })
    expect(gflops).toBeGreaterThan(0)
    expect(Number.isFinite(gflops)).toBe(true)
    expect(bytes.slice(0, 4)).toEqual(Uint8Array.from([0x00, 0x61, 0x73, 0x6d]))
    expect(simdPeakFlops(chains, 10)).toBe(80 * chains)
  })
})

describe('stepBeside', () => {
  it('times a training pass beside an idle, an arithmetic and a memory-bound thread, and leaks no tensor', async () => {
    const d = dataset(7)
    const c = modelConfigFor(d, { dModel: 16, nHeads: 2, dHead: 8, dMlp: 32 })
    const before = tf.memory().numTensors
    for (const neighbour of ['idle', 'alu', 'memory'] as const) {
      expect(await stepBeside(c, { tokens: d.train.tokens, labels: d.train.labels }, neighbour, 3)).toBeGreaterThan(0)
    }
    expect(tf.memory().numTensors).toBe(before)
  }, 60_000)
})

import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type ModelConfig,
  type Params,
  chunkRanges,
  disposeInputs,
  disposeParams,
  forEachChunk,
  initParams,
  lossAndGrads,
  lossAndGradsChunked,
  measureFootprint,
  prepareBatch,
  prepareChunked,
} from '../src/index.js'
import { tiny } from './arbitraries.js'

/** Both passes: the vocabulary tables (the paper's one block) and the general path. */
const CONFIGS: ReadonlyArray<ModelConfig> = [tiny({}), tiny({ nLayers: 2, positionalEmbedding: true, act: 'gelu' })]

/** `n` labelled examples with seeded tokens and labels. */
const examples = (c: ModelConfig, n: number, seed: number) => {
  let s = seed
  const next = (m: number) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s % m)
  return {
    tokens: Int32Array.from({ length: n * c.nCtx }, () => next(c.dVocab)),
    labels: Int32Array.from({ length: n }, () => next(c.nOut)),
  }
}

/** The largest difference between two sets of gradients, relative to the largest gradient of each weight. */
const relativeError = (got: Params, want: Params): number =>
  Math.max(
    ...Object.entries(want).map(([name, g]) =>
      tf.tidy(() => tf.max(tf.abs(tf.sub(got[name]!, g))).dataSync()[0]! / Math.max(tf.max(tf.abs(g)).dataSync()[0]!, 1e-6)),
    ),
  )

describe('chunk ranges', () => {
  it('partition [0, n) into consecutive chunks of at most the chunk size, all full but the last', () => {
    fc.assert(
      fc.property(fc.nat({ max: 200 }), fc.integer({ min: 1, max: 60 }), (n, k) => {
        const r = chunkRanges(n, k)
        expect(r.flatMap(([s, e]) => Array.from({ length: e - s }, (_, i) => s + i))).toEqual(Array.from({ length: n }, (_, i) => i))
        r.slice(0, -1).forEach(([s, e]) => expect(e - s).toBe(k))
        r.forEach(([s, e]) => expect(e - s).toBeGreaterThanOrEqual(1))
      }),
    )
  })
})

describe('the chunked loss and gradients', () => {
  it('equal the one-batch loss and gradients for every chunk size, dividing the set or not (float32 summation order)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: CONFIGS.length - 1 }),
        fc.integer({ min: 2, max: 40 }),
        fc.integer({ min: 1, max: 45 }),
        fc.nat(),
        (ci, n, chunk, seed) => {
          const c = CONFIGS[ci]!
          const params = initParams(c, seed % 7)
          const { tokens, labels } = examples(c, n, seed)
          const batch = prepareBatch(c, tokens, labels)
          const want = lossAndGrads(c, params, batch)
          const set = prepareChunked(c, tokens, labels, chunk)
          const got = lossAndGradsChunked(c, params, set)
          const [l, w] = [got.loss.dataSync()[0]!, want.loss.dataSync()[0]!]
          expect(Math.abs(l - w)).toBeLessThanOrEqual(1e-6 * Math.abs(w) + 1e-7)
          expect(relativeError(got.grads, want.grads)).toBeLessThan(1e-5)
          tf.dispose([want.loss, want.logits, ...Object.values(want.grads), got.loss, ...Object.values(got.grads)])
          disposeInputs(batch)
          disposeInputs(set)
          disposeParams(params)
        },
      ),
      { numRuns: 30 },
    )
  }, 120_000)

  it('are exactly the one-batch ones when the set is one chunk', () => {
    for (const c of CONFIGS) {
      const params = initParams(c, 1)
      const { tokens, labels } = examples(c, 23, 5)
      const batch = prepareBatch(c, tokens, labels)
      const want = lossAndGrads(c, params, batch)
      const set = prepareChunked(c, tokens, labels, Infinity)
      expect(set.chunkSize).toBe(23)
      const got = lossAndGradsChunked(c, params, set)
      expect(got.loss.dataSync()).toEqual(want.loss.dataSync())
      for (const [name, g] of Object.entries(want.grads)) expect(got.grads[name]!.dataSync(), name).toEqual(g.dataSync())
      tf.dispose([want.loss, want.logits, ...Object.values(want.grads), got.loss, ...Object.values(got.grads)])
      disposeInputs(batch)
      disposeInputs(set)
      disposeParams(params)
    }
  })

  it('keep tf.memory().numTensors flat across chunked steps', () => {
    for (const c of CONFIGS) {
      const params = initParams(c, 2)
      const { tokens, labels } = examples(c, 31, 9)
      const set = prepareChunked(c, tokens, labels, 7)
      expect(set.resident).toBeNull()
      const before = tf.memory().numTensors
      for (let i = 0; i < 5; i++) {
        const r = lossAndGradsChunked(c, params, set)
        tf.dispose([r.loss, ...Object.values(r.grads)])
        expect(tf.memory().numTensors).toBe(before)
      }
      disposeInputs(set)
      disposeParams(params)
    }
  }, 60_000)

  it('visit every example once, in order, with chunks of at most the chunk size, and free each chunk', () => {
    const c = CONFIGS[0]!
    const { tokens, labels } = examples(c, 17, 3)
    const set = prepareChunked(c, tokens, labels, 5)
    const before = tf.memory().numTensors
    const seen: number[] = []
    forEachChunk(c, set, (chunk, start, end) => {
      expect(chunk.size).toBe(end - start)
      expect(chunk.size).toBeLessThanOrEqual(5)
      expect(Array.from(chunk.labels.dataSync())).toEqual(Array.from(labels.subarray(start, end)))
      seen.push(start, end)
    })
    expect(seen).toEqual([0, 5, 5, 10, 10, 15, 15, 17])
    expect(tf.memory().numTensors).toBe(before)
  })

  it('reject a chunk size below 1 and bad tokens or labels up front', () => {
    const c = CONFIGS[0]!
    const { tokens, labels } = examples(c, 4, 3)
    expect(() => prepareChunked(c, tokens, labels, 0)).toThrow('the chunk size must be at least 1, got 0')
    expect(() => prepareChunked(c, tokens, Int32Array.from([0, 1, 2, c.nOut]), 2)).toThrow(`label ${c.nOut} is outside [0, ${c.nOut})`)
    expect(() => prepareChunked(c, tokens.subarray(1), labels, 2)).toThrow('not whole rows')
  })
})

describe('the memory footprint', () => {
  it('predicts the peak tensor bytes of a training and an evaluation pass on a larger batch, linear in its size', async () => {
    for (const c of CONFIGS) {
      const params = initParams(c, 0)
      const f = await measureFootprint(c, params)
      expect(f.step.bytesPerExample).toBeGreaterThan(0)
      expect(f.evaluation.bytesPerExample).toBeGreaterThan(0)
      expect(f.evaluation.bytesPerExample).toBeLessThan(f.step.bytesPerExample)
      const { tokens, labels } = examples(c, 200, 4)
      const info = await tf.profile(() => {
        const b = prepareBatch(c, tokens, labels)
        const r = lossAndGrads(c, params, b)
        tf.dispose([r.loss, r.logits, ...Object.values(r.grads)])
        disposeInputs(b)
      })
      const predicted = f.step.fixedBytes + 200 * f.step.bytesPerExample
      expect(Math.abs(info.peakBytes - predicted) / predicted).toBeLessThan(0.02)
      disposeParams(params)
    }
  }, 60_000)
})

import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type HostParams,
  type ModelConfig,
  disposeInputs,
  disposeParams,
  forward,
  forwardWithMlp,
  fromHost,
  initParams,
  lossAndGrads,
  paperConfig,
  prepareBatch,
  prepareInputs,
  toHost,
  usesVocabularyTables,
} from '../src/index.js'
import { tiny } from './arbitraries.js'
import { finiteDifferences, referenceLogits, referenceLoss, toFloat64 } from '../../../test-support/reference.js'


const VARIANTS: ReadonlyArray<[string, Partial<ModelConfig>]> = [
  ['one layer, ReLU (the paper)', {}],
  ['two layers, GELU, positional embedding', { nLayers: 2, act: 'gelu', positionalEmbedding: true }],
  ['three layers, ReLU, positional embedding, 3 heads', { nLayers: 3, nHeads: 3, positionalEmbedding: true }],
  ['one layer, n_ctx 4', { nCtx: 4 }],
]

const randomRows = (c: ModelConfig, n: number, seed: number) => {
  let s = seed
  const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s)
  const tokens = Array.from({ length: n }, () => Array.from({ length: c.nCtx }, () => next() % c.dVocab))
  const labels = Array.from({ length: n }, () => next() % c.nOut)
  return { tokens, labels }
}

/** Seeded weights, scaled by `gain` (above 1: attention far from uniform, large logits). */
const withParams = <A>(c: ModelConfig, seed: number, gain: number, f: (host: HostParams) => A): A => {
  const params = initParams(c, seed)
  const host = Object.fromEntries(Object.entries(toHost(params)).map(([k, w]) => [k, { ...w, data: w.data.map((x) => x * gain) }]))
  disposeParams(params)
  return f(host)
}

describe.each(VARIANTS)('Transformer (%s)', (_, over) => {
  const c = tiny(over)

  it('the forward pass equals a straightforward float64 implementation', () => {
    fc.assert(
      fc.property(fc.nat(), (seed) =>
        withParams(c, seed % 1000, c.nLayers === 1 ? 3 : 1.5, (host) => {
          const { tokens } = randomRows(c, 9, seed)
          const params = fromHost(c, host)
          const inputs = prepareInputs(c, Int32Array.from(tokens.flat()))
          const logits = forward(c, params, inputs)
          const got = logits.arraySync()
          tf.dispose([logits])
          disposeInputs(inputs)
          disposeParams(params)
          const want = referenceLogits(c, host, tokens)
          const worst = Math.max(...want.flatMap((row, i) => row.map((y, j) => Math.abs(y - got[i]![j]!))))
          // float32 through up to three blocks: within 5e-4 of the largest logit (seen up to 4e-5).
          expect(worst).toBeLessThan(5e-4 * Math.max(1, ...want.flat().map(Math.abs)))
        }),
      ),
      { numRuns: Number(process.env.GROKSCOPE_RUNS ?? 10) },
    )
  })

  it('every gradient equals central finite differences of the float64 reference loss', () => {
    withParams(c, 7, 1, (host) => {
      const { tokens, labels } = randomRows(c, 6, 11)
      const params = fromHost(c, host)
      const batch = prepareBatch(c, Int32Array.from(tokens.flat()), Int32Array.from(labels))
      const out = lossAndGrads(c, params, batch)
      const grads = toHost(out.grads)
      const loss = out.loss.dataSync()[0]!
      tf.dispose([out.loss, out.logits, ...Object.values(out.grads)])
      disposeInputs(batch)
      disposeParams(params)

      const f64 = toFloat64(host)
      const lossAt = () => referenceLoss(referenceLogits(c, f64, tokens), labels)
      expect(Math.abs(loss - lossAt())).toBeLessThan(1e-5 * Math.max(1, loss))
      const h = 1e-6
      for (const [name, w] of Object.entries(f64)) {
        expect(grads[name]!.shape).toEqual(w.shape)
        const numeric = finiteDifferences(w.data, lossAt, h)
        // float32 against float64: within 1e-3 of the tensor’s largest gradient entry (or of 1e-2).
        const tolerance = 1e-3 * Math.max(1e-2, ...numeric.map(Math.abs))
        numeric.forEach((want, i) => expect(Math.abs(grads[name]!.data[i]! - want), `${name}[${i}]`).toBeLessThan(tolerance))
      }
    })
  }, 60_000)
})

describe('the vocabulary-table fast path', () => {
  it('gives the same logits and gradients as the general path on the paper’s configuration', () => {
    // A zero positional embedding leaves the model unchanged but sends it down the general path.
    const fast = paperConfig({ dVocab: 12, nOut: 11 })
    const general = { ...fast, positionalEmbedding: true }
    expect(usesVocabularyTables(fast)).toBe(true)
    expect(usesVocabularyTables(general)).toBe(false)
    const params = initParams(fast, 5)
    const withPos = { ...params, 'pos_embed.W_pos': tf.zeros([3, 128]) }
    const { tokens, labels } = randomRows(fast, 40, 9)
    const batch = prepareBatch(fast, Int32Array.from(tokens.flat()), Int32Array.from(labels))
    const a = lossAndGrads(fast, params, batch)
    const b = lossAndGrads(general, withPos, batch)
    const worst = (x: tf.Tensor, y: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(x, y))).dataSync()[0]!)
    expect(worst(a.logits, b.logits)).toBeLessThan(1e-5)
    const [ha, hb] = [forwardWithMlp(fast, params, batch), forwardWithMlp(general, withPos, batch)]
    expect(worst(ha.mlpPost, hb.mlpPost)).toBeLessThan(1e-5)
    expect(ha.mlpPost.shape).toEqual([40, 512])
    expect(worst(ha.logits, a.logits)).toBe(0)
    tf.dispose([ha.logits, ha.mlpPost, hb.logits, hb.mlpPost])
    for (const name of Object.keys(a.grads)) {
      const scale = tf.tidy(() => tf.max(tf.abs(b.grads[name]!)).dataSync()[0]!)
      expect(worst(a.grads[name]!, b.grads[name]!), name).toBeLessThan(1e-4 * Math.max(scale, 1e-3))
    }
    tf.dispose([a.loss, a.logits, b.loss, b.logits, ...Object.values(a.grads), ...Object.values(b.grads), withPos['pos_embed.W_pos']])
    disposeInputs(batch)
    disposeParams(params)
  })
})

describe('memory', () => {
  it.each([
    ['general path', { nLayers: 2, positionalEmbedding: true }],
    ['vocabulary tables', {}],
  ])('forward and lossAndGrads leave no tensor behind (%s)', (_, over) => {
    const c = tiny(over)
    const params = initParams(c, 0)
    const { tokens, labels } = randomRows(c, 16, 3)
    const batch = prepareBatch(c, Int32Array.from(tokens.flat()), Int32Array.from(labels))
    const before = tf.memory().numTensors
    for (let i = 0; i < 20; i++) {
      const out = lossAndGrads(c, params, batch)
      tf.dispose([out.loss, out.logits, ...Object.values(out.grads)])
      tf.dispose(forward(c, params, batch))
    }
    expect(tf.memory().numTensors).toBe(before)
    disposeInputs(batch)
    disposeParams(params)
  })
})

describe('inputs', () => {
  it('tokens outside the vocabulary and labels outside n_out are rejected', () => {
    const c = tiny({})
    expect(() => prepareInputs(c, Int32Array.from([0, 7, 1]))).toThrow('token 7 is outside the vocabulary [0, 7)')
    expect(() => prepareInputs(c, Int32Array.from([0, 1]))).toThrow('not whole rows of n_ctx = 3')
    expect(() => prepareBatch(c, Int32Array.from([0, 1, 2]), Int32Array.from([5]))).toThrow('label 5 is outside [0, 5)')
  })

  it('the same seed gives the same initial weights, another seed others', () => {
    const c = tiny({})
    const [a, b, d] = [initParams(c, 0), initParams(c, 0), initParams(c, 1)]
    expect(toHost(a)).toEqual(toHost(b))
    for (const name of Object.keys(toHost(a))) expect(toHost(a)[name]).not.toEqual(toHost(d)[name])
    ;[a, b, d].forEach(disposeParams)
  })

  it('initial weights have the standard deviations of docs/SCIENCE.md §2', () => {
    const c = paperConfig({ dVocab: 98, nOut: 97 })
    const params = initParams(c, 0)
    const std = (x: Float32Array) => Math.sqrt(x.reduce((s, y) => s + y * y, 0) / x.length)
    const host = toHost(params)
    expect(std(host['embed.W_E']!.data)).toBeCloseTo(1 / Math.sqrt(98), 2)
    expect(std(host['blocks.0.mlp.W_in']!.data)).toBeCloseTo(1 / Math.sqrt(128), 2)
    disposeParams(params)
  })
})

import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  crossEntropy,
  crossEntropyPerExample,
  disposeInputs,
  disposeParams,
  fromHost,
  initParams,
  lossAndGrads,
  paperConfig,
  prepareBatch,
  toHost,
} from '../src/index.js'
import { finiteDifferences, referenceLogits, referenceLoss, toFloat64 } from '../../../test-support/reference.js'

/** float64 cross-entropy of one row. */
const ce64 = (row: ReadonlyArray<number>, y: number): number => {
  const z = row.map((l) => l - row[y]!)
  const m = Math.max(0, ...z.filter((_, j) => j !== y))
  return m + Math.log1p(Math.expm1(-m) + z.reduce((s, zj, j) => s + (j === y ? 0 : Math.exp(zj - m)), 0))
}

const rows = fc.integer({ min: 2, max: 12 }).chain((n) =>
  fc.tuple(
    fc.array(fc.array(fc.double({ min: -40, max: 40, noNaN: true }), { minLength: n, maxLength: n }), { minLength: 1, maxLength: 8 }),
    fc.nat({ max: n - 1 }),
  ),
)

describe('cross-entropy', () => {
  it('is accurate to float32 relative precision, down to the smallest losses', () => {
    fc.assert(
      fc.property(rows, ([ls, y]) => {
        // float32 inputs, so that both sides see the same logits
        const logits = ls.map((r) => r.map((x) => Math.fround(x)))
        const n = logits[0]!.length
        const oneHot = logits.map(() => Array.from({ length: n }, (_, j) => (j === y ? 1 : 0)))
        const got = tf.tidy(() => crossEntropyPerExample(tf.tensor2d(logits), tf.tensor2d(oneHot)).arraySync())
        logits.forEach((r, i) => {
          const want = ce64(r, y)
          expect(Math.abs(got[i]! - want)).toBeLessThanOrEqual(2e-6 * want + 1e-30)
        })
      }),
    )
  })

  it('a confident correct prediction has a tiny, positive loss (not 0 or float noise)', () => {
    const got = tf.tidy(() => crossEntropy(tf.tensor2d([[30, 0, 0]]), tf.tensor2d([[1, 0, 0]])).dataSync()[0]!)
    expect(got).toBeCloseTo(2 * Math.exp(-30), 20)
    expect(got / (2 * Math.exp(-30))).toBeCloseTo(1, 5)
  })

  it('on a confident model (loss ~1e-9) the gradients still equal finite differences of the float64 loss', () => {
    const c = paperConfig({ dVocab: 6, nOut: 5, dModel: 8, nHeads: 2, dHead: 4, dMlp: 8 })
    const params = initParams(c, 1)
    const host = toHost(params)
    disposeParams(params)
    const tokens = [[0, 5, 1], [2, 5, 3], [4, 5, 4], [1, 5, 0]]
    const base = referenceLogits(c, host, tokens)
    const labels = base.map((r) => r.indexOf(Math.max(...r)))
    const margin = Math.min(...base.map((r, i) => r[labels[i]!]! - Math.max(...r.filter((_, j) => j !== labels[i]))))
    // Scale W_U until every example is right by a logit margin of 20.
    const gain = 20 / margin
    const W_U = host['unembed.W_U']!
    const confident = { ...host, 'unembed.W_U': { shape: W_U.shape, data: W_U.data.map((x) => Math.fround(x * gain)) } }
    const f64 = toFloat64(confident)
    const lossAt = () => referenceLoss(referenceLogits(c, f64, tokens), labels)
    const batch = prepareBatch(c, Int32Array.from(tokens.flat()), Int32Array.from(labels))
    const tensors = fromHost(c, confident)
    const r = lossAndGrads(c, tensors, batch)
    const loss = r.loss.dataSync()[0]!
    const grads = toHost(r.grads)
    tf.dispose([r.loss, r.logits, ...Object.values(r.grads)])
    disposeInputs(batch)
    disposeParams(tensors)
    const want = lossAt()
    expect(want).toBeLessThan(1e-7)
    expect(Math.abs(loss - want)).toBeLessThan(1e-3 * want)
    for (const name of ['unembed.W_U', 'blocks.0.mlp.W_out']) {
      const numeric = finiteDifferences(f64[name]!.data, lossAt, 1e-4)
      const scale = Math.max(...numeric.map(Math.abs))
      numeric.forEach((g, i) => expect(Math.abs(grads[name]!.data[i]! - g), `${name}[${i}]`).toBeLessThan(1e-2 * scale))
    }
  })
})

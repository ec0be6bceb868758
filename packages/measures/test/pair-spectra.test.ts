// The analyses streamed by rows (PairSpectra: the entries the frequency analyses read, accumulated one row `a` at a
// time; the key rule's prefix losses from per-frequency parts) against the whole-array implementation they replace
// (test-support/analyses-reference.ts, the test oracle): equal within float summation order, stated as
// |x − y| ≤ 1e-9·max(|x|, |y|) + 1e-12·(the largest magnitude of that quantity), on random and planted logits.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  referenceKeyFrequencyAnalysis,
  referenceLogitsFourierMap,
  referenceNeuronFrequencies,
} from '../../../test-support/analyses-reference.js'
import { close, sameAnalysis } from '../../../test-support/tolerance.js'
import {
  type KeyRule,
  crossEntropySink,
  feedRows,
  fourierMapBlock,
  keyFrequencyAnalysis,
  keyLossesSink,
  keySelection,
  logitsFourierMap,
  mapOfSquares,
  neuronFrequencies,
  pairSpectraSink,
  plantedLogits,
  transform2d,
  uniform,
} from '../src/index.js'


/** Logits of p classes on all pairs, uniform in ±scale, and labels a+b (−1 on pairs left out at random). */
const randomLogits = (p: number, scale: number, seed: number): { logits: Float64Array; labels: Int32Array } => {
  const r = uniform(seed)
  return {
    logits: Float64Array.from({ length: p * p * p }, () => scale * r()),
    labels: Int32Array.from({ length: p * p }, (_, i) => (r() < -0.8 ? -1 : (Math.floor(i / p) + (i % p)) % p)),
  }
}

const rules: ReadonlyArray<KeyRule> = [
  { kind: 'auto', factor: 2 },
  { kind: 'auto', factor: 1 },
  { kind: 'energy', threshold: 0.1 },
  { kind: 'list', frequencies: [2, 1] },
]

describe('streamed analyses = the whole-array reference', () => {
  it.each([7, 10, 11, 13, 31])('random logits, p = %i (10: an even modulus, whose last frequency has no sine): key frequencies by every rule, the logits map, neurons', (p) => {
    for (const seed of [1, 2]) {
      const { logits, labels } = randomLogits(p, 3, seed * 97 + p)
      for (const rule of rules) {
        sameAnalysis(keyFrequencyAnalysis(logits, labels, p, p, rule), referenceKeyFrequencyAnalysis(logits, labels, p, p, rule))
      }
      close(logitsFourierMap(logits, p).data, referenceLogitsFourierMap(logits, p).data, 'map')
      const n = 5
      const acts = logits.subarray(0, p * p * n)
      const got = neuronFrequencies(acts, p, n)
      const want = referenceNeuronFrequencies(acts, p, n)
      expect(got.frequency).toEqual(want.frequency)
      expect(got.counts).toEqual(want.counts)
      close(got.fraction, want.fraction, 'fraction')
    }
  })

  // Amplitudes distinct (1, 1.17, 1.34, 1.51 in the order drawn): two frequencies of equal energy rank by rounding, in
  // either implementation, and the prefixes after them differ by a whole frequency.
  it('planted circuits (p = 23 and 31; with distractors, a mixed term and noise): the same key sets, losses and ablations', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(23, 31),
        fc.uniqueArray(fc.integer({ min: 1, max: 11 }), { minLength: 1, maxLength: 4 }),
        fc.double({ min: 2, max: 24, noNaN: true }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.integer(),
        (p, ks, margin, noise, seed) => {
          const { logits, labels } = plantedLogits(p, {
            ks,
            alpha: ks.map((_, i) => 1 + 0.17 * i),
            margin,
            distractors: [{ k: ks[0]!, amp: 3, phaseA: 0.3, phaseB: 1.1 }],
            mixed: { x: 1, y: 2, amp: 0.5, seed },
            noise,
            seed,
          })
          sameAnalysis(keyFrequencyAnalysis(logits, labels, p), referenceKeyFrequencyAnalysis(logits, labels, p))
        },
      ),
      { numRuns: 12 },
    )
  })

  it('neurons: constant, tiny-variance and single-frequency neurons keep their frequency, fraction and count', () => {
    const p = 13
    const n = 4
    const acts = new Float64Array(p * p * n)
    for (let a = 0; a < p; a++)
      for (let b = 0; b < p; b++) {
        const o = (a * p + b) * n
        acts.set([3, 3 + 1e-5 * Math.cos((2 * Math.PI * 4 * a) / p), Math.cos((2 * Math.PI * 5 * (a + b)) / p), a * b], o)
      }
    const got = neuronFrequencies(acts, p, n)
    const want = referenceNeuronFrequencies(acts, p, n)
    expect(Array.from(got.frequency)).toEqual(Array.from(want.frequency))
    expect(Array.from(got.frequency).slice(0, 3)).toEqual([0, 4, 5])
    close(got.fraction, want.fraction, 'fraction')
  })

  it('the logits map in blocks of classes of any size adds up to the whole map', () => {
    fc.assert(
      fc.property(fc.constantFrom(7, 11, 13), fc.integer({ min: 1, max: 14 }), fc.integer(), (p, width, seed) => {
        const { logits } = randomLogits(p, 2, seed)
        const squares = new Float64Array(p * p)
        for (let from = 0; from < p; from += width) {
          const block = fourierMapBlock(p, p, from, Math.min(p, from + width))
          feedRows(logits, p, p, block)
          block.addSquaresTo(squares)
        }
        close(mapOfSquares(squares, p).data, referenceLogitsFourierMap(logits, p).data, 'map')
      }),
      { numRuns: 20 },
    )
  })

  it('the spectra hold the entries of the whole 2-D transform; the rows must come in order', () => {
    const p = 11
    const n = 3
    const { logits } = randomLogits(p, 1, 5)
    const x = logits.subarray(0, p * p * n)
    const sink = pairSpectraSink(p, n)
    feedRows(x, p, n, sink)
    const s = sink.spectra()
    const F = transform2d(x, p, n)
    const at = (i: number, j: number) => Array.from(F.subarray((i * p + j) * n, (i * p + j + 1) * n))
    close(s.row0, Array.from({ length: p }, (_, j) => at(0, j)).flat(), 'row0')
    close(s.col0, Array.from({ length: p }, (_, i) => at(i, 0)).flat(), 'col0')
    close(s.blocks.subarray(4 * n, 8 * n), [at(3, 3), at(3, 4), at(4, 3), at(4, 4)].flat(), 'block of frequency 2')
    const again = pairSpectraSink(p, n)
    expect(() => again.addRow(1, x.subarray(0, p * n))).toThrow(/row 1 after 0 rows/)
    expect(() => again.spectra()).toThrow(/0 of 11 rows/)
  })

  it('the sinks fed row by row give what keyFrequencyAnalysis gives on the whole array', () => {
    const p = 13
    const { logits, labels } = randomLogits(p, 4, 9)
    const sink = pairSpectraSink(p, p)
    const loss = crossEntropySink(labels, p, p)
    feedRows(logits, p, p, sink, loss)
    const s = sink.spectra()
    const losses = keyLossesSink(s, keySelection(s, labels, loss.mean()), labels)
    feedRows(logits, p, p, losses)
    sameAnalysis(losses.analysis(), referenceKeyFrequencyAnalysis(logits, labels, p))
  })
})

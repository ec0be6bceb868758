import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { neuronFrequencies } from '../src/index.js'

const PRIMES = [5, 7, 11, 13, 17] as const

/** Neuron m's activation over (a, b): a wave of frequency ks[m] in a, in b, or in a+b. */
const planted = (p: number, ks: ReadonlyArray<number>, kinds: ReadonlyArray<number>) =>
  Float64Array.from({ length: p * p * ks.length }, (_, idx) => {
    const m = idx % ks.length
    const pair = Math.floor(idx / ks.length)
    const [a, b] = [Math.floor(pair / p), pair % p]
    const w = (2 * Math.PI * ks[m]!) / p
    const t = kinds[m] === 0 ? a : kinds[m] === 1 ? b : a + b
    return 3 + Math.cos(w * t + 0.3 * m)
  })

describe('neuron frequencies', () => {
  it('a neuron planted at frequency k is found at k with all of its variance', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PRIMES).chain((p) =>
          fc.integer({ min: 1, max: 6 }).chain((n) =>
            fc.tuple(
              fc.constant(p),
              fc.array(fc.integer({ min: 1, max: (p - 1) / 2 }), { minLength: n, maxLength: n }),
              fc.array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n }),
            ),
          ),
        ),
        ([p, ks, kinds]) => {
          const r = neuronFrequencies(planted(p, ks, kinds), p, ks.length)
          expect(Array.from(r.frequency)).toEqual(ks)
          r.fraction.forEach((f) => expect(f).toBeCloseTo(1, 9))
          ks.forEach((k) => expect(r.counts[k]).toBe(ks.filter((x) => x === k).length))
        },
      ),
    )
  })

  it('a constant neuron has no variance: frequency 0, counted as such', () => {
    const r = neuronFrequencies(new Float64Array(7 * 7).fill(2), 7, 1)
    expect([r.frequency[0], r.fraction[0], r.counts[0]]).toEqual([0, 0, 1])
  })

  it('a sum of two frequencies is split by energy', () => {
    const p = 11
    const acts = Float64Array.from(
      { length: p * p },
      (_, i) => 2 * Math.cos((2 * Math.PI * 2 * Math.floor(i / p)) / p) + Math.cos((2 * Math.PI * 5 * (i % p)) / p),
    )
    const r = neuronFrequencies(acts, p, 1)
    expect(r.frequency[0]).toBe(2)
    expect(r.fraction[0]).toBeCloseTo(4 / 5, 9)
  })
})

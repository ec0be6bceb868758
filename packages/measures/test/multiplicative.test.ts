import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  embeddingMatrix,
  ffd,
  fcr,
  fromRows,
  matrix,
  multiplicativeSpectrum,
  powersOf,
  primitiveRoot,
  spectrum,
  toLogOrder,
} from '../src/index.js'
import { fixturePath } from '../../../test-support/fixtures.js'

const PRIMES = [5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97] as const
const prime = fc.constantFrom(...PRIMES)

describe('the multiplicative group', () => {
  it('the powers of the primitive root run through every nonzero residue once', () => {
    fc.assert(
      fc.property(prime, (p) => {
        const powers = Array.from(powersOf(p)).sort((a, b) => a - b)
        expect(powers).toEqual(Array.from({ length: p - 1 }, (_, i) => i + 1))
      }),
    )
    expect([primitiveRoot(7), primitiveRoot(31), primitiveRoot(97)]).toEqual([3, 3, 5])
  })

  it('log order moves row g^i to row i', () => {
    const w = matrix(7, 1, [0, 1, 2, 3, 4, 5, 6])
    expect(Array.from(toLogOrder(w).data)).toEqual([1, 3, 2, 6, 4, 5])
  })
})

describe('the multiplicative basis', () => {
  /** Columns `α cos(2πk·log a/(p−1)) + β sin(…)`, row 0 arbitrary: a planted character of the group. */
  const character = (p: number, k: number, alpha: ReadonlyArray<number>, beta: ReadonlyArray<number>, zeroRow: number) => {
    const log = new Map(Array.from(powersOf(p), (a, i) => [a, i]))
    return matrix(
      p,
      alpha.length,
      Array.from({ length: p * alpha.length }, (_, idx) => {
        const [a, j] = [Math.floor(idx / alpha.length), idx % alpha.length]
        if (a === 0) return zeroRow
        const t = (2 * Math.PI * k * log.get(a)!) / (p - 1)
        return alpha[j]! * Math.cos(t) + beta[j]! * Math.sin(t)
      }),
    )
  }
  const coef = (n: number) => fc.array(fc.double({ min: 0.1, max: 5, noNaN: true }), { minLength: n, maxLength: n })

  it('a character of the multiplicative group gives the minimum FFD there, 2/(p−2)', () => {
    fc.assert(
      fc.property(
        prime
          .chain((p) => fc.tuple(fc.constant(p), fc.integer({ min: 1, max: (p - 3) / 2 }), fc.integer({ min: 1, max: 6 })))
          .chain(([p, k, n]) => fc.tuple(fc.constant(p), fc.constant(k), coef(n), coef(n), fc.double({ min: -5, max: 5, noNaN: true }))),
        ([p, k, alpha, beta, z]) => {
          const w = character(p, k, alpha, beta, z)
          expect(ffd(multiplicativeSpectrum(w))).toBeCloseTo(2 / (p - 2), 12)
          expect(fcr(multiplicativeSpectrum(w))).toBeGreaterThan(0)
        },
      ),
    )
  })

  it('Parseval holds over the p − 1 nonzero rows', () => {
    fc.assert(
      fc.property(prime, fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 97 * 2, maxLength: 97 * 2 }), (p, xs) => {
        const w = matrix(p, 2, xs.slice(0, 2 * p))
        const s = multiplicativeSpectrum(w)
        const energy = s.constant ** 2 + [...s.cos, ...s.sin].reduce((a, x) => a + x * x, 0)
        const nonzeroRows = xs.slice(2, 2 * p).reduce((a, x) => a + x * x, 0)
        expect(energy).toBeCloseTo(nonzeroRows, 6)
      }),
    )
  })

  it('has ⌊(p−1)/2⌋ cosines and one sine fewer (cos (p−1)/2 has none)', () => {
    const s = multiplicativeSpectrum(matrix(7, 1, [0, 1, 2, 3, 4, 5, 6]))
    expect([s.cos.length, s.sin.length]).toEqual([3, 2])
  })

  it('the grokked a*b fixture is sparser in the multiplicative basis than in the additive one', () => {
    const fx = JSON.parse(readFileSync(fixturePath('mul-p31-s0.json'), 'utf8')) as { weights: { W_E: number[][] } }
    const W_E = embeddingMatrix(fromRows(fx.weights.W_E), 31)
    expect(ffd(spectrum(W_E))).toBe(1)
    expect(ffd(multiplicativeSpectrum(W_E))).toBeLessThan(0.5)
  })
})

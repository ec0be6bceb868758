import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { asymmetry, cosRow, fourierBasis, logitsFourierMap, matrix, sinRow, weightNorms } from '../src/index.js'

const PRIMES = [3, 5, 7, 11, 13] as const
const prime = fc.constantFrom(...PRIMES)
const logitsOf = (p: number) =>
  fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: p * p * p, maxLength: p * p * p }).map((xs) => Float64Array.from(xs))
const build = (p: number, f: (a: number, b: number, c: number) => number) =>
  Float64Array.from({ length: p * p * p }, (_, i) => f(Math.floor(i / (p * p)), Math.floor(i / p) % p, i % p))

describe('logits in the 2-D Fourier basis', () => {
  it('Parseval: the map has the energy of the logits', () => {
    fc.assert(
      fc.property(prime.chain((p) => fc.tuple(fc.constant(p), logitsOf(p))), ([p, L]) => {
        const M = logitsFourierMap(L, p)
        expect(M.data.reduce((s, x) => s + x * x, 0)).toBeCloseTo(L.reduce((s, x) => s + x * x, 0), 6)
      }),
    )
  })

  it('logits symmetric in a and b give a symmetric map: asymmetry 0', () => {
    fc.assert(
      fc.property(prime.chain((p) => fc.tuple(fc.constant(p), logitsOf(p))), ([p, L]) => {
        const sym = build(p, (a, b, c) => L[(a * p + b) * p + c]! + L[(b * p + a) * p + c]!)
        expect(asymmetry(logitsFourierMap(sym, p))).toBeLessThan(1e-9)
      }),
    )
  })

  it('cos(ω_k(a+b−c)) lives on the cos k / sin k rows and columns only', () => {
    const p = 13
    const k = 4
    const M = logitsFourierMap(build(p, (a, b, c) => Math.cos((2 * Math.PI * k * (a + b - c)) / p)), p)
    const key = new Set([cosRow(k), sinRow(k)])
    for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) if (!(key.has(i) && key.has(j))) expect(M.data[i * p + j]).toBeLessThan(1e-9)
    expect(M.data[cosRow(k) * p + cosRow(k)]).toBeGreaterThan(1)
    expect(fourierBasis(p).names[cosRow(k)]).toBe('cos 4')
  })

  it('logits that depend on a alone reach the maximum asymmetry, √2', () => {
    const p = 11
    const M = logitsFourierMap(build(p, (a, _, c) => Math.cos((2 * Math.PI * 3 * (a - c)) / p)), p)
    expect(asymmetry(M)).toBeCloseTo(Math.SQRT2, 9)
  })

  it('the exact tables of a+b and of a−b both give symmetric maps (the norm over c hides the sign of sin)', () => {
    const p = 11
    const add = build(p, (a, b, c) => ((a + b) % p === c ? 1 : 0))
    const sub = build(p, (a, b, c) => ((a - b + p) % p === c ? 1 : 0))
    expect(asymmetry(logitsFourierMap(add, p))).toBeLessThan(1e-9)
    expect(asymmetry(logitsFourierMap(sub, p))).toBeLessThan(1e-9)
  })

  it('asymmetry is 0 for the zero map and rejects a non-square one', () => {
    expect(asymmetry(matrix(2, 2, [0, 0, 0, 0]))).toBe(0)
    expect(() => asymmetry(matrix(1, 2, [1, 2]))).toThrow('not square')
  })
})

describe('weight norms', () => {
  it('the total is the norm of all weights together', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { maxLength: 20 })),
        (ws) => {
          const n = weightNorms(ws)
          const all = Object.values(ws).flat()
          expect(n.total).toBeCloseTo(Math.hypot(...all), 9)
          for (const [k, w] of Object.entries(ws)) expect(n.perMatrix[k]).toBeCloseTo(Math.hypot(...w), 9)
        },
      ),
    )
  })
})

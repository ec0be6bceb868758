import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { cosRow, fourierBasis, frequencyRows, frobenius, logitsFourierMap, matrix, mul, sinRow, spectrum, transpose } from '../src/index.js'
import { SMALL_ODD_PRIMES, primeAndMatrix } from './arbitraries.js'

describe('fourierBasis', () => {
  it.each([...SMALL_ODD_PRIMES, 4, 6, 10, 30, 96])('the basis of ℤ_%i is orthonormal', (p) => {
    const B = fourierBasis(p).matrix
    const G = mul(B, transpose(B))
    for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) expect(G.data[i * p + j]).toBeCloseTo(i === j ? 1 : 0, 12)
  })

  it('rows are named const, cos 1, sin 1, …, cos K, sin K', () => {
    expect(fourierBasis(7).names).toEqual(['const', 'cos 1', 'sin 1', 'cos 2', 'sin 2', 'cos 3', 'sin 3'])
  })

  it('for even n the last row is cos n/2 alone', () => {
    expect(fourierBasis(6).names).toEqual(['const', 'cos 1', 'sin 1', 'cos 2', 'sin 2', 'cos 3'])
  })

  it('the rows of frequency k are const, cos k and sin k (for even n, cos n/2 alone)', () => {
    const names = (n: number, k: number) => frequencyRows(n, k).map((i) => fourierBasis(n).names[i])
    expect(names(7, 2)).toEqual(['const', 'cos 2', 'sin 2'])
    expect(names(7, 3)).toEqual(['const', 'cos 3', 'sin 3'])
    expect(names(6, 2)).toEqual(['const', 'cos 2', 'sin 2'])
    expect(names(6, 3)).toEqual(['const', 'cos 3'])
    expect(frequencyRows(31, 5)).toEqual([0, cosRow(5), sinRow(5)])
  })

  it('writing into a basis a caller was given changes no later basis or spectrum', () => {
    fc.assert(
      fc.property(primeAndMatrix, ([p, w]) => {
        const before = { basis: fourierBasis(p).matrix.data.slice(), spectrum: spectrum(w) }
        const given = fourierBasis(p)
        given.matrix.data.fill(7)
        expect(() => (given.names as string[]).push('cos 99')).toThrow(TypeError)
        expect(fourierBasis(p).matrix.data).toEqual(before.basis)
        expect(fourierBasis(p).names).toHaveLength(p)
        expect(spectrum(w)).toEqual(before.spectrum)
      }),
    )
  })

  it('writing into a basis a caller was given changes no later 2-D map', () => {
    const logits = Float64Array.from({ length: 7 * 7 * 7 }, (_, i) => Math.cos(i))
    const before = logitsFourierMap(logits, 7)
    fourierBasis(7).matrix.data.fill(-1)
    expect(logitsFourierMap(logits, 7)).toEqual(before)
  })

  it('rejects n below 3 or not an integer', () => {
    expect(() => fourierBasis(2)).toThrow('n must be an integer ≥ 3, got 2')
    expect(() => fourierBasis(5.5)).toThrow(RangeError)
  })
})

describe('spectrum', () => {
  it("Parseval: the spectrum's energy is the matrix's energy", () => {
    fc.assert(
      fc.property(primeAndMatrix, ([, w]) => {
        const s = spectrum(w)
        const energy = s.constant ** 2 + s.cos.reduce((a, x) => a + x * x, 0) + s.sin.reduce((a, x) => a + x * x, 0)
        expect(energy).toBeCloseTo(frobenius(w) ** 2, 6)
      }),
    )
  })

  it('a constant column has all its energy in the constant row', () => {
    const s = spectrum(matrix(5, 1, [2, 2, 2, 2, 2]))
    expect(s.constant).toBeCloseTo(2 * Math.sqrt(5), 12)
    for (const x of [...s.cos, ...s.sin]) expect(x).toBeCloseTo(0, 12)
  })
})

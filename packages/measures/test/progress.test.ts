import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Matrix, cosineShare, fcr, ffd, ffs, matrix, spectrum } from '../src/index.js'
import { everyFrequencyPlanted, nonDegenerate, plantedFcrSpectrum, plantedFfdSpectrum, prime, primeAndMatrix } from './arbitraries.js'

const scale = (w: Matrix, c: number): Matrix => ({ ...w, data: w.data.map((x) => x * c) })
const permuteCols = (w: Matrix, perm: ReadonlyArray<number>): Matrix => {
  const data = new Float64Array(w.data.length)
  for (let i = 0; i < w.rows; i++) perm.forEach((from, j) => (data[i * w.cols + j] = w.data[i * w.cols + from]!))
  return { ...w, data }
}
/** Columns `α_j cos(2πkt/p) + β_j sin(2πkt/p)`: a planted single frequency k. */
const planted = (p: number, k: number, alpha: ReadonlyArray<number>, beta: ReadonlyArray<number>): Matrix =>
  matrix(
    p,
    alpha.length,
    Array.from({ length: p * alpha.length }, (_, i) => {
      const [t, j] = [Math.floor(i / alpha.length), i % alpha.length]
      return alpha[j]! * Math.cos((2 * Math.PI * k * t) / p) + beta[j]! * Math.sin((2 * Math.PI * k * t) / p)
    }),
  )

const scaleFactor = fc.double({ min: 1e-3, max: 1e3, noNaN: true }).chain((c) => fc.constantFrom(c, -c))
const coefficients = (n: number) => fc.array(fc.double({ min: 0.1, max: 5, noNaN: true }), { minLength: n, maxLength: n })
const withFrequency = prime.chain((p) => fc.tuple(fc.constant(p), fc.integer({ min: 1, max: (p - 1) / 2 }), fc.integer({ min: 1, max: 8 })))

describe('FFD', () => {
  it('does not change when W is scaled', () => {
    // Entries away from 0: scaled subnormals round or flush to 0 (5e-324 × 0.001 is 0), which changes the matrix itself.
    fc.assert(
      fc.property(nonDegenerate, scaleFactor, ([, w], c) => {
        expect(ffd(spectrum(scale(w, c)))).toBeCloseTo(ffd(spectrum(w)), 12)
      }),
    )
  })

  it('does not change when the columns of W are permuted', () => {
    const arb = primeAndMatrix.chain(([, w]) =>
      fc.shuffledSubarray([...Array(w.cols).keys()], { minLength: w.cols }).map((perm) => [w, perm] as const),
    )
    fc.assert(
      fc.property(arb, ([w, perm]) => {
        expect(ffd(spectrum(permuteCols(w, perm)))).toBe(ffd(spectrum(w)))
      }),
    )
  })

  it('a planted single frequency gives the minimum, 1/⌊p/2⌋', () => {
    fc.assert(
      fc.property(
        withFrequency.chain(([p, k, n]) => fc.tuple(fc.constant(p), fc.constant(k), coefficients(n), coefficients(n))),
        ([p, k, alpha, beta]) => {
          expect(ffd(spectrum(planted(p, k, alpha, beta)))).toBeCloseTo(1 / ((p - 1) / 2), 12)
        },
      ),
    )
  })

  it('lies in [1/⌊p/2⌋, 1] when no coefficient vanishes, and is 1 at η = 0', () => {
    fc.assert(
      fc.property(nonDegenerate, ([p, w]) => {
        const s = spectrum(w)
        const K = (p - 1) / 2
        expect(ffd(s)).toBeGreaterThanOrEqual(1 / K - 1e-12)
        expect(ffd(s)).toBeLessThanOrEqual(1)
        if (s.cos.every((x) => x > 0) && s.sin.every((x) => x > 0)) expect(ffd(s, 0)).toBe(1)
      }),
    )
  })

  it('falls as η rises', () => {
    fc.assert(
      fc.property(
        primeAndMatrix,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        ([, w], e1, e2) => {
          const s = spectrum(w)
          expect(ffd(s, Math.max(e1, e2))).toBeLessThanOrEqual(ffd(s, Math.min(e1, e2)))
        },
      ),
    )
  })

  it('is the number of cos and sin rows above η of their maximum over 2K, exactly, on planted spectra (FFS is the same measure)', () => {
    fc.assert(
      fc.property(plantedFfdSpectrum, ({ spectrum: s, eta, cosKeys, sinKeys }) => {
        const want = (cosKeys.length + sinKeys.length) / (s.cos.length + s.sin.length)
        expect(ffd(s, eta)).toBe(want)
        expect(ffs(s, eta)).toBe(want)
      }),
    )
  })

  it('attains each of its values m/(2K), m = 2..2K, from the minimum 1/K to 1', () => {
    const K = 5
    const spectrumWith = (nCos: number, nSin: number) => ({
      p: 2 * K + 1,
      constant: 0,
      cos: Float64Array.from({ length: K }, (_, i) => (i < nCos ? 1 : 0.1)),
      sin: Float64Array.from({ length: K }, (_, i) => (i < nSin ? 1 : 0.1)),
    })
    const values = Array.from({ length: 2 * K - 1 }, (_, i) => i + 2).map((m) => ffd(spectrumWith(Math.ceil(m / 2), Math.floor(m / 2))))
    expect(values).toEqual(Array.from({ length: 2 * K - 1 }, (_, i) => (i + 2) / (2 * K)))
    expect([values[0], values[values.length - 1]]).toEqual([1 / K, 1])
  })

  it('is 0 for the zero matrix: no row counts', () => {
    expect(ffd(spectrum(matrix(5, 2, new Array(10).fill(0))))).toBe(0)
  })
})

describe('FCR', () => {
  it('does not change when W is scaled', () => {
    fc.assert(
      fc.property(primeAndMatrix, scaleFactor, ([, w], c) => {
        expect(fcr(spectrum(scale(w, c)))).toBeCloseTo(fcr(spectrum(w)), 10)
      }),
    )
  })

  it('does not change when a matrix of tiny entries is scaled (regression: squares of entries below 1e-154 underflowed to 0)', () => {
    const w = matrix(7, 1, [0, 3.0160521624975563e-162, 0, 0, 0, 0, 0])
    expect(fcr(spectrum(scale(w, 0.001)))).toBeCloseTo(fcr(spectrum(w)), 10)
    expect(fcr(spectrum(scale(w, 1e300)))).toBeCloseTo(fcr(spectrum(w)), 10)
  })

  it('does not change when the columns of W are permuted', () => {
    const arb = primeAndMatrix.chain(([, w]) =>
      fc.shuffledSubarray([...Array(w.cols).keys()], { minLength: w.cols }).map((perm) => [w, perm] as const),
    )
    fc.assert(
      fc.property(arb, ([w, perm]) => {
        expect(fcr(spectrum(permuteCols(w, perm)))).toBeCloseTo(fcr(spectrum(w)), 10)
      }),
    )
  })

  it('is 1 when cos and sin carry equal energy at every frequency', () => {
    // Column pairs (cos kt, sin kt) for every k give μ_k = ν_k.
    fc.assert(
      fc.property(prime, fc.double({ min: 0.1, max: 5, noNaN: true }), (p, c) => {
        const K = (p - 1) / 2
        const w = matrix(
          p,
          2 * K,
          Array.from({ length: p * 2 * K }, (_, i) => {
            const [t, j] = [Math.floor(i / (2 * K)), i % (2 * K)]
            const k = Math.floor(j / 2) + 1
            return c * (j % 2 === 0 ? Math.cos((2 * Math.PI * k * t) / p) : Math.sin((2 * Math.PI * k * t) / p))
          }),
        )
        expect(fcr(spectrum(w))).toBeCloseTo(1, 10)
      }),
    )
  })

  it('is near 0 for a pure-cosine matrix', () => {
    fc.assert(
      fc.property(
        prime.chain((p) => fc.tuple(fc.constant(p), fc.array(coefficients((p - 1) / 2), { minLength: 1, maxLength: 6 }))),
        ([p, columns]) => {
          const K = (p - 1) / 2
          const w = matrix(
            p,
            columns.length,
            Array.from({ length: p * columns.length }, (_, i) => {
              const [t, j] = [Math.floor(i / columns.length), i % columns.length]
              return columns[j]!.reduce((s, a, k) => s + a * Math.cos((2 * Math.PI * (k + 1) * t) / p), 0)
            }),
          )
          expect(fcr(spectrum(w))).toBeLessThan(1e-9 * K)
        },
      ),
    )
  })

  it('lies in [0, 1], and a frequency with no energy counts as balanced', () => {
    fc.assert(fc.property(primeAndMatrix, ([, w]) => {
      const r = fcr(spectrum(w))
      expect(r).toBeGreaterThanOrEqual(0)
      expect(r).toBeLessThanOrEqual(1 + 1e-12)
    }))
    expect(fcr(spectrum(matrix(5, 2, new Array(10).fill(0))))).toBe(1)
  })

  it('is the mean over k of min(μ_k/ν_k, ν_k/μ_k) on planted spectra: 0/0 counts 1, x/0 counts 0', () => {
    fc.assert(
      fc.property(plantedFcrSpectrum, ({ spectrum: s, ratios }) => {
        expect(fcr(s)).toBeCloseTo(ratios.reduce((a, r) => a + r, 0) / ratios.length, 12)
      }),
    )
  })

  it('of a matrix of any width with every frequency planted is the mean of min(‖α_k‖, ‖β_k‖) / max(‖α_k‖, ‖β_k‖)', () => {
    fc.assert(
      fc.property(everyFrequencyPlanted, ({ alpha, beta, w }) => {
        const norm = (xs: ReadonlyArray<number>) => Math.hypot(...xs)
        const ratios = alpha.map((a, k) => Math.min(norm(a), norm(beta[k]!)) / Math.max(norm(a), norm(beta[k]!)))
        expect(fcr(spectrum(w))).toBeCloseTo(ratios.reduce((s, r) => s + r, 0) / ratios.length, 9)
      }),
    )
  })
})

describe('cosineShare', () => {
  it('does not change when W is scaled, and lies in [0, 1]', () => {
    fc.assert(
      fc.property(nonDegenerate, scaleFactor, ([, w], c) => {
        const share = cosineShare(spectrum(w))
        fc.pre(Number.isFinite(share))
        expect(share).toBeGreaterThanOrEqual(0)
        expect(share).toBeLessThanOrEqual(1)
        expect(cosineShare(spectrum(scale(w, c)))).toBeCloseTo(share, 9)
      }),
    )
  })

  it('is 1 for a planted cosine, 0 for a planted sine, and α²/(α²+β²) for one frequency planted in one column', () => {
    fc.assert(
      fc.property(withFrequency, coefficients(2), ([p, k], [a, b]) => {
        expect(cosineShare(spectrum(planted(p, k, [a!], [0])))).toBeCloseTo(1, 9)
        expect(cosineShare(spectrum(planted(p, k, [0], [b!])))).toBeCloseTo(0, 9)
        expect(cosineShare(spectrum(planted(p, k, [a!], [b!])))).toBeCloseTo(a! ** 2 / (a! ** 2 + b! ** 2), 9)
      }),
    )
  })

  it('swapping the cosines and the sines gives one minus it (odd p: as many of each)', () => {
    fc.assert(
      fc.property(primeAndMatrix, ([, w]) => {
        const s = spectrum(w)
        const share = cosineShare(s)
        fc.pre(Number.isFinite(share))
        expect(cosineShare({ ...s, cos: s.sin, sin: s.cos })).toBeCloseTo(1 - share, 12)
      }),
    )
  })
})

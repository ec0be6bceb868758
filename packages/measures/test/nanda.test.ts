import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { excludedLosses, fourierNorms, gini, grokPhases, meanCrossEntropy, phaseBoundaries } from '../src/index.js'

const P = fc.constantFrom(5, 7, 11)

describe('gini', () => {
  it('is 0 for a flat spectrum and (n−1)/n for one spike', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 1e-6, max: 1e6, noNaN: true }), fc.nat(), (n, x, at) => {
        expect(gini(new Float64Array(n).fill(x))).toBeCloseTo(0, 12)
        const spike = new Float64Array(n)
        spike[at % n] = x
        expect(gini(spike)).toBeCloseTo((n - 1) / n, 12)
      }),
    )
  })

  it('lies in [0, (n−1)/n], ignores order and scale, and grows when mass moves to the largest value', () => {
    const xs = fc
      .array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 2, maxLength: 30 })
      .filter((v) => v.some((x) => x > 1e-3))
    fc.assert(
      fc.property(xs, fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (v, c) => {
        const g = gini(v)
        expect(g).toBeGreaterThanOrEqual(-1e-12)
        expect(g).toBeLessThanOrEqual((v.length - 1) / v.length + 1e-12)
        expect(gini([...v].reverse())).toBeCloseTo(g, 10)
        expect(gini(v.map((x) => c * x))).toBeCloseTo(g, 10)
        // Move a bit of the smallest value to the largest: more unequal.
        const lo = v.indexOf(Math.min(...v))
        const hi = v.indexOf(Math.max(...v))
        if (lo === hi || v[lo]! === 0) return
        const moved = v.map((x, i) => (i === lo ? x / 2 : i === hi ? x + v[lo]! / 2 : x))
        expect(gini(moved)).toBeGreaterThan(g - 1e-12)
      }),
    )
  })

  it('is 0 for no values or all zeros', () => {
    expect(gini([])).toBe(0)
    expect(gini([0, 0, 0])).toBe(0)
  })
})

describe('fourierNorms', () => {
  it('is √(μ² + ν²) per frequency, μ alone without a sine, the constant left out', () => {
    // ℤ_6: cosines at k = 1, 2, 3, sines at k = 1, 2 (the Nyquist frequency 3 has none).
    expect(Array.from(fourierNorms({ p: 6, constant: 7, cos: Float64Array.of(3, 1, 2), sin: Float64Array.of(4, 0) }))).toEqual([5, 1, 2])
  })
})

/** Logits `Σ_k w_k cos(2πk(a + b − c)/p) + const_c` on all pairs, and the labels `(a + b) mod p`. */
const planted = (p: number, weights: ReadonlyMap<number, number>, consts: ReadonlyArray<number>) => {
  const logits = new Float64Array(p * p * p)
  const labels = new Int32Array(p * p)
  const term = (k: number, a: number, b: number, c: number) => Math.cos((2 * Math.PI * k * (a + b - c)) / p)
  for (let a = 0; a < p; a++)
    for (let b = 0; b < p; b++) {
      labels[a * p + b] = (a + b) % p
      for (let c = 0; c < p; c++) logits[(a * p + b) * p + c] = consts[c]! + [...weights].reduce((s, [k, w]) => s + w * term(k, a, b, c), 0)
    }
  const minus = (ks: ReadonlyArray<number>) =>
    logits.map((x, i) => {
      const c = i % p
      const ab = (i - c) / p
      return x - ks.reduce((s, k) => s + weights.get(k)! * term(k, Math.floor(ab / p), ab % p, c), 0)
    })
  return { logits, labels, minus }
}

describe('excludedLosses', () => {
  const arb = P.chain((p) =>
    fc.record({
      p: fc.constant(p),
      planted: fc.uniqueArray(fc.integer({ min: 1, max: (p - 1) / 2 }), { minLength: 1, maxLength: (p - 1) / 2 }),
      w: fc.array(fc.double({ min: 0.5, max: 4, noNaN: true }), { minLength: (p - 1) / 2, maxLength: (p - 1) / 2 }),
      consts: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: p, maxLength: p }),
      train: fc.array(fc.boolean(), { minLength: p * p, maxLength: p * p }).filter((m) => m.some(Boolean)),
    }),
  )

  it('a frequency that is not in the logits leaves the loss as it is; a planted one is removed exactly', () => {
    fc.assert(
      fc.property(arb, ({ p, planted: ks, w, consts, train }) => {
        const weights = new Map(ks.map((k, i) => [k, w[i]!]))
        const { logits, labels, minus } = planted(p, weights, consts)
        const trainLabels = labels.map((y, i) => (train[i] ? y : -1))
        const all = Array.from({ length: (p - 1) / 2 }, (_, i) => i + 1)
        const r = excludedLosses(logits, trainLabels, p, all)
        expect(r.full).toBeCloseTo(meanCrossEntropy(logits, trainLabels, p), 9)
        all.forEach((k, i) => {
          const want = weights.has(k) ? meanCrossEntropy(minus([k]), trainLabels, p) : r.full
          expect(r.perFrequency[i]).toBeCloseTo(want, 8)
        })
        expect(r.allKey).toBeCloseTo(meanCrossEntropy(minus(ks), trainLabels, p), 8)
      }),
      { numRuns: 30 },
    )
  })

  it('counts only the labelled (training) pairs', () => {
    fc.assert(
      fc.property(arb, ({ p, planted: ks, w, consts, train }) => {
        const { logits, labels } = planted(p, new Map(ks.map((k, i) => [k, w[i]!])), consts)
        const trainLabels = labels.map((y, i) => (train[i] ? y : -1))
        const onTrain = excludedLosses(logits, trainLabels, p, ks).full
        const n = train.filter(Boolean).length
        let total = 0
        train.forEach((t, i) => {
          if (t) total += meanCrossEntropy(logits.subarray(i * p, (i + 1) * p), Int32Array.of(labels[i]!), p)
        })
        expect(onTrain).toBeCloseTo(total / n, 9)
      }),
      { numRuns: 20 },
    )
  })
})

describe('phaseBoundaries', () => {
  const point = (step: number, trainAcc: number, testLoss: number, testAcc: number) => ({ step, trainAcc, testLoss, testAcc })
  // A grokking run: memorised by 200, its test loss falling from 500, grokked at 700.
  const run = [
    point(100, 0.5, 4, 0),
    point(200, 1, 6, 0.01),
    point(300, 1, 8, 0.02),
    point(400, 1, 7, 0.1),
    point(500, 1, 3.9, 0.6),
    point(600, 1, 0.5, 0.95),
    point(700, 1, 0.01, 1),
  ]

  it('finds the three boundaries of a grokking run by their rules', () => {
    expect(phaseBoundaries(run)).toEqual({ memorisationEnd: 200, circuitFormationEnd: 500, cleanupEnd: 700 })
  })

  it('a step-0 record of the initial weights (chance accuracy, the highest test loss so far) moves no boundary', () => {
    // p = 97: accuracy 1/97, test loss ln 97 ≈ 4.57 at step 0.
    expect(phaseBoundaries([point(0, 1 / 97, Math.log(97), 1 / 97), ...run])).toEqual(phaseBoundaries(run))
    // Memorisation ends only once the training set is fitted, even when step 0 is the only record.
    expect(phaseBoundaries([point(0, 1 / 97, Math.log(97), 1 / 97)])).toEqual({
      memorisationEnd: null,
      circuitFormationEnd: null,
      cleanupEnd: null,
    })
  })

  it('grokPhases places the phases only for a run that grokked after fitting its training set', () => {
    expect(grokPhases(run)).toEqual({ memorisationEnd: 200, circuitFormationEnd: 500, cleanupEnd: 700 })
    // Fitted, its test loss halved, never grokked: no phases (the boundaries alone would say circuit formation ended at 200).
    expect(grokPhases([point(100, 1, 4, 0), point(200, 1, 1, 0.5)])).toBeNull()
    const pt = fc.record({
      trainAcc: fc.double({ min: 0, max: 1, noNaN: true }),
      testLoss: fc.double({ min: 0, max: 10, noNaN: true }),
      testAcc: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    fc.assert(
      fc.property(fc.array(pt, { maxLength: 30 }), (xs) => {
        const points = xs.map((x, i) => ({ ...x, step: 10 * (i + 1) }))
        const b = phaseBoundaries(points)
        expect(grokPhases(points)).toEqual(b.cleanupEnd === null ? null : b)
      }),
    )
  })

  it('leaves the boundaries a run has not reached null, in order', () => {
    expect(phaseBoundaries([point(100, 0.5, 4, 0)])).toEqual({ memorisationEnd: null, circuitFormationEnd: null, cleanupEnd: null })
    expect(phaseBoundaries([point(100, 1, 4, 0), point(200, 1, 5, 0)])).toEqual({
      memorisationEnd: 100,
      circuitFormationEnd: null,
      cleanupEnd: null,
    })
    expect(phaseBoundaries([point(100, 1, 4, 0), point(200, 1, 1, 0.5)])).toEqual({
      memorisationEnd: 100,
      circuitFormationEnd: 200,
      cleanupEnd: null,
    })
  })

  it('boundaries are evaluated steps, in order, and each rule holds at its boundary', () => {
    const pt = fc.record({
      trainAcc: fc.double({ min: 0, max: 1, noNaN: true }),
      testLoss: fc.double({ min: 0, max: 10, noNaN: true }),
      testAcc: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    fc.assert(
      fc.property(fc.array(pt, { maxLength: 40 }), (xs) => {
        const points = xs.map((x, i) => ({ ...x, step: 10 * (i + 1) }))
        const b = phaseBoundaries(points)
        const at = (s: number | null) => points.find((x) => x.step === s)
        if (b.memorisationEnd === null) {
          expect(b.circuitFormationEnd).toBeNull()
          return
        }
        expect(at(b.memorisationEnd)!.trainAcc).toBeGreaterThanOrEqual(0.99)
        expect(points.filter((x) => x.step < b.memorisationEnd!).every((x) => x.trainAcc < 0.99)).toBe(true)
        if (b.circuitFormationEnd === null) {
          expect(b.cleanupEnd).toBeNull()
          return
        }
        expect(b.circuitFormationEnd).toBeGreaterThan(b.memorisationEnd)
        const peak = Math.max(
          ...points.filter((x) => x.step >= b.memorisationEnd! && x.step < b.circuitFormationEnd!).map((x) => x.testLoss),
        )
        expect(at(b.circuitFormationEnd)!.testLoss).toBeLessThanOrEqual(peak / 2)
        if (b.cleanupEnd !== null) {
          expect(b.cleanupEnd).toBeGreaterThanOrEqual(b.circuitFormationEnd)
          expect(at(b.cleanupEnd)!.testAcc).toBeGreaterThanOrEqual(0.99)
        }
      }),
    )
  })
})

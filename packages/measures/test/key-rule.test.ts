// The key-frequency rules on planted logits at p = 97: the `auto` rule recovers exactly the
// planted frequencies (1, 3 or 5 of them) whatever they are, at any scale where the planted
// model answers, under loud c-independent terms with random phases and under noise.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_KEY_RULE,
  type Planted,
  keyFrequencies,
  keyWarning,
  leastShare,
  meanCrossEntropy,
  plantedLogits,
  uniform,
} from '../src/index.js'

const P = 97
const K = (P - 1) / 2

// The stated domain, where the planted set is the smallest that carries the answer:
// - amplitudes within a factor 2 of each other, and every planted frequency needed: removing
//   any one lowers the smallest clean margin by at least a quarter (with 5 frequencies at
//   random, about a third of the sets; with a smaller share, the model answers nearly as well
//   without that frequency, and the rule rightly leaves it out);
// - a clean margin of 8 to 32 (full loss below (p − 1)·e⁻⁸ ≈ 0.03: the planted model answers);
// - up to three c-independent terms of up to 10× the largest amplitude (200× its energy), at
//   any frequency (planted or not) and phases: the softmax cannot see them;
// - noise on every logit, uniform in ±¼ of the margin the least needed frequency carries (so
//   that, however the logits are scaled, it cannot stand in for that frequency).
const planted = (count: number): fc.Arbitrary<Planted> =>
  fc
    .record({
      ks: fc.uniqueArray(fc.integer({ min: 1, max: K }), { minLength: count, maxLength: count }),
      alpha: fc.array(fc.double({ min: 1, max: 2, noNaN: true }), { minLength: count, maxLength: count }),
      margin: fc.double({ min: 8, max: 32, noNaN: true }),
      distractors: fc.array(
        fc.record({
          k: fc.integer({ min: 1, max: K }),
          amp: fc.double({ min: 0, max: 10, noNaN: true }),
          phaseA: fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
          phaseB: fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
        }),
        { maxLength: 3 },
      ),
      noise: fc.double({ min: 0, max: 0.25, noNaN: true }),
      seed: fc.integer(),
    })
    .filter((m) => leastShare(P, m.ks, m.alpha) >= 0.25)

const sorted = (ks: ReadonlyArray<number>): number[] => [...ks].sort((x, y) => x - y)

// Each case runs the rule twice on 97³ logits (a few seconds of CPU): few runs per size.
describe.each([1, 3, 5])('p = 97, %i planted frequencies', (count) => {
  it('auto finds exactly the planted set, also with the logits scaled by 1 to 10; ' +
    'its restricted loss is within 2× the full loss and every shorter prefix is not', async () => {
    await fc.assert(
      fc.asyncProperty(planted(count), fc.double({ min: 1, max: 10, noNaN: true }), async (m, lambda) => {
        // Let vitest's worker answer its messages between runs (each blocks for seconds).
        await new Promise((resolve) => setImmediate(resolve))
        const { logits, labels } = plantedLogits(P, m)
        const r = keyFrequencies(logits, labels, P)
        expect(r.key).toEqual(sorted(m.ks))
        expect(r.restricted).toBeLessThanOrEqual(2 * r.full)
        expect(r.restrictedExcess).toBe(false)
        expect(keyWarning(r)).toBeNull()
        // The greedy path: the constant, then one planted frequency more each time; only the last prefix is within 2× the reference loss.
        expect(r.prefixLosses).toHaveLength(count + 1)
        expect(r.prefixLosses.at(-1)).toBe(r.restricted)
        r.prefixLosses.slice(0, -1).forEach((l) => expect(l).toBeGreaterThan(2 * Math.min(r.full, r.allFrequencies)))
        expect(keyFrequencies(logits.map((x) => lambda * x), labels, P).key).toEqual(sorted(m.ks))
      }),
      // No shrinking: each run costs seconds (minutes on a loaded 2-core machine).
      { numRuns: 3, endOnFailure: true },
    )
  }, 600_000)
})

describe('the rules side by side', () => {
  const m: Planted = {
    ks: [6, 29, 42],
    alpha: [1, 1, 1],
    margin: 16,
    distractors: [{ k: 12, amp: 3, phaseA: 0.4, phaseB: 2 }],
    noise: 0,
    seed: 1,
  }
  const { logits, labels } = plantedLogits(P, m)

  it('energy:0.1 takes the loud c-independent frequency and warns; auto ignores it; a list is kept as given', () => {
    const energy = keyFrequencies(logits, labels, P, P, { kind: 'energy', threshold: 0.1 })
    expect(energy.key).toContain(12)
    const auto = keyFrequencies(logits, labels, P, P, DEFAULT_KEY_RULE)
    expect(auto.key).toEqual([6, 29, 42])
    const list = keyFrequencies(logits, labels, P, P, { kind: 'list', frequencies: [42, 6] })
    expect(list.key).toEqual([6, 42])
    expect(list.prefixLosses).toEqual([])
    expect(list.restrictedExcess).toBe(true)
    expect(keyWarning(list)).toMatch(/^the restricted loss \S+ of the key frequencies \{6, 42\} is \S+× the full loss \S+ \(more than 2×\)/)
  })

  it('a residual that costs the model loss: auto still takes every planted frequency, though fewer are within 2× of the full loss', () => {
    const noisy = plantedLogits(P, { ...m, distractors: [], mixed: { x: 5, y: 11, amp: 40, seed: 3 } })
    const r = keyFrequencies(noisy.logits, noisy.labels, P)
    expect(r.full).toBeGreaterThan(0.05)
    expect(r.allFrequencies).toBeLessThan(r.full / 10)
    expect(r.prefixLosses[2]).toBeLessThanOrEqual(2 * r.full)
    expect(r.key).toEqual([6, 29, 42])
    expect(r.restricted).toBeLessThanOrEqual(2 * r.allFrequencies)
  })

  it('auto:<factor> stops at the first prefix within that factor', () => {
    const r = keyFrequencies(logits, labels, P, P, { kind: 'auto', factor: 1e6 })
    expect(r.prefixLosses.length).toBe(r.key.length + 1)
    expect(r.restricted).toBeLessThanOrEqual(1e6 * r.full)
  })

  it('rejects a listed frequency that p does not have', () => {
    expect(() => keyFrequencies(logits, labels, P, P, { kind: 'list', frequencies: [49] })).toThrow(RangeError)
  })
})

describe('no prefix within the factor', () => {
  it('labels with no structure (memorised): the key set is the prefix with the lowest restricted loss, and it warns', () => {
    fc.assert(
      fc.property(fc.constantFrom(11, 13), fc.integer(), (p, seed) => {
        const rand = uniform(seed)
        const labels = Int32Array.from({ length: p * p }, () => Math.floor(((rand() + 1) / 2) * p))
        const logits = Float64Array.from({ length: p * p * p }, (_, i) => (i % p === labels[Math.floor(i / p)] ? 20 : 0))
        const r = keyFrequencies(logits, labels, p)
        expect(r.prefixLosses).toHaveLength((p - 1) / 2 + 1)
        expect(r.prefixLosses.every((l) => l > 2 * r.full)).toBe(true)
        expect(r.restricted).toBe(Math.min(...r.prefixLosses))
        expect(r.prefixLosses.indexOf(r.restricted)).toBe(r.key.length)
        expect(r.restrictedExcess).toBe(true)
        expect(keyWarning(r)).toContain('(more than 2×)')
        expect(r.full).toBeCloseTo(meanCrossEntropy(logits, labels, p), 12)
      }),
      { numRuns: 10 },
    )
  })
})

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  SLACK,
  THREAD_BASE_MIB,
  WASM_TENSOR_BYTES,
  allPairsHostBytes,
  allPairsPlan,
  allPairsRefusal,
  memoryPlan,
  outOfMemoryMessage,
} from '../src/index.js'

const MiB = 2 ** 20
const footprint = fc.record({
  step: fc.record({ fixedBytes: fc.integer({ min: 0, max: 2 ** 26 }), bytesPerExample: fc.integer({ min: 1, max: 2 ** 22 }) }),
  evaluation: fc.record({ fixedBytes: fc.integer({ min: 0, max: 2 ** 26 }), bytesPerExample: fc.integer({ min: 1, max: 2 ** 22 }) }),
})

describe('the memory plan', () => {
  it('gives every thread chunks whose tensors, with the slack, fit its share of the budget and the WASM heap; ' +
    'one more example would not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 64, max: 2 ** 16 }), fc.integer({ min: 1, max: 16 }), footprint, (budget, threads, f) => {
        const plan = memoryPlan(budget, threads, f)
        if (typeof plan === 'string') return
        const share = Math.min((budget / threads - THREAD_BASE_MIB) * MiB, WASM_TENSOR_BYTES)
        for (const [chunk, fp] of [[plan.stepChunk, f.step], [plan.evalChunk, f.evaluation]] as const) {
          expect(chunk).toBeGreaterThanOrEqual(1)
          expect(SLACK * (fp.fixedBytes + chunk * fp.bytesPerExample)).toBeLessThanOrEqual(share + 1e-6)
          expect(SLACK * (fp.fixedBytes + (chunk + 1) * fp.bytesPerExample)).toBeGreaterThan(share)
        }
      }),
    )
  })

  it('never shrinks the chunks when the budget grows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 64, max: 2 ** 15 }),
        fc.integer({ min: 0, max: 2 ** 15 }),
        fc.integer({ min: 1, max: 8 }),
        footprint,
        (budget, more, threads, f) => {
          const [a, b] = [memoryPlan(budget, threads, f), memoryPlan(budget + more, threads, f)]
          if (typeof a === 'string') return
          expect(typeof b).toBe('object')
          if (typeof b === 'string') return
          expect(b.stepChunk).toBeGreaterThanOrEqual(a.stepChunk)
          expect(b.evalChunk).toBeGreaterThanOrEqual(a.evalChunk)
        },
      ),
    )
  })

  it('refuses a budget that holds no example in one line naming a budget that does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 64, max: 2 ** 12 }), fc.integer({ min: 1, max: 8 }), footprint, (budget, threads, f) => {
        const plan = memoryPlan(budget, threads, f)
        if (typeof plan !== 'string') return
        expect(plan).not.toContain('\n')
        const least = Number(/--memory ≥ (\d+)/.exec(plan)?.[1])
        expect(least).toBeGreaterThan(budget)
        expect(typeof memoryPlan(least, threads, f)).toBe('object')
      }),
    )
  })
})

describe('the all-pairs analyses', () => {
  it('are streamed: p = 997 fits the default budget and 8192 MiB; a budget below the least is refused in one line naming it', () => {
    expect(allPairsRefusal('analyze', 2048, 997, 997, 512)).toBeNull()
    expect(allPairsRefusal('analyze', 2048, 97, 97, 512)).toBeNull()
    const r = allPairsRefusal('analyze', 256, 997, 997, 512)
    expect(r).toMatch(
      /^analyze: the all-pairs analyses of p = 997 need about \d+ MiB, more than --memory 256 \(allowed: --memory ≥ \d+, or a smaller p\)$/,
    )
    const least = Number(/--memory ≥ (\d+)/.exec(r!)?.[1])
    expect(allPairsRefusal('analyze', least, 997, 997, 512)).toBeNull()
    expect(allPairsRefusal('analyze', least - 1, 997, 997, 512)).not.toBeNull()
  })

  it('in one pass of the whole logits map (--measure-every) need 8·p²·n_out bytes more: p = 997 is refused at 2048 MiB', () => {
    expect(allPairsRefusal('--measure-every', 2048, 997, 997, 512, true)).toMatch(/need about \d+ MiB, more than --memory 2048/)
    expect(allPairsRefusal('--measure-every', 2048, 97, 97, 512, true)).toBeNull()
  })

  it('plan a forward chunk and classes of the map per pass whose bytes, with the slack, fit the budget; ' +
    'refused below the least budget, which it names and which fits', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 64, max: 2 ** 15 }),
        fc.constantFrom(3, 31, 97, 199, 401, 997),
        fc.integer({ min: 16, max: 1024 }),
        footprint,
        (budget, p, dMlp, f) => {
          const plan = allPairsPlan(budget, p, p, dMlp, f.evaluation)
          if (typeof plan === 'string') {
            expect(plan).not.toContain('\n')
            const least = Number(/--memory ≥ (\d+)/.exec(plan)?.[1])
            expect(least).toBeGreaterThan(budget)
            expect(typeof allPairsPlan(least, p, p, dMlp, f.evaluation)).toBe('object')
            return
          }
          expect(plan.chunk).toBeGreaterThanOrEqual(1)
          expect(plan.chunk).toBeLessThanOrEqual(p * p)
          expect(plan.mapClasses).toBeGreaterThanOrEqual(1)
          expect(plan.mapClasses).toBeLessThanOrEqual(p)
          expect(plan.passes).toBe(Math.max(2, Math.ceil(p / plan.mapClasses)))
          const tensors = SLACK * (f.evaluation.fixedBytes + plan.chunk * f.evaluation.bytesPerExample)
          const host = SLACK * allPairsHostBytes(p, p, dMlp, plan.chunk, plan.mapClasses)
          expect(THREAD_BASE_MIB * MiB + tensors + host).toBeLessThanOrEqual(budget * MiB)
        },
      ),
    )
  })

  it('p = 997 within 8192 MiB: two passes over the pairs', () => {
    const plan = allPairsPlan(8192, 997, 997, 512, { fixedBytes: 2 ** 21, bytesPerExample: 30_000 })
    expect(plan).toMatchObject({ passes: 2 })
  })
})

describe('out of memory', () => {
  it('a WASM abort or a failed allocation becomes one line; other errors are left alone', () => {
    for (const e of [
      new Error('RuntimeError: Aborted(). Build with -sASSERTIONS for more info.'),
      new RangeError('Array buffer allocation failed'),
      new RangeError('Invalid typed array length: 8000000000'),
    ]) {
      const m = outOfMemoryMessage(e)
      expect(m).toMatch(/^out of memory: .*; try a smaller --memory budget, fewer --threads, or a smaller p or --frac$/)
      expect(m).not.toContain('\n')
    }
    expect(outOfMemoryMessage(new Error('ENOENT: no such file'))).toBeNull()
  })
})

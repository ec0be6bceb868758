// The limits of a run's settings (issue 24): every count of steps, every width, the blocks, the weights the run's
// files can hold. At the bound a run's config is made; one past it, one line naming the setting and what is allowed.
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  MAX_DOCUMENT_CHARS,
  MAX_LAYERS,
  MAX_PLAN_RUNS,
  MAX_RUN_WEIGHTS,
  MAX_STEPS,
  MAX_WIDTH,
  PAPER_SETTINGS,
  type RunSettings,
  SCRATCH,
  makePlan,
  makeRunConfig,
  weightCount,
} from '../src/index.js'

/** A small task and model, so that one setting at a time can be pushed to its bound. */
const SMALL: RunSettings = {
  ...PAPER_SETTINGS,
  ops: ['add'],
  p: 23,
  frac: 0.5,
  seed: 0,
  steps: 100,
  evalEvery: 10,
  dModel: 8,
  heads: 1,
  dHead: 8,
  dMlp: 8,
}

/** `--eval-every` as the CLI names it. */
const flag = (k: string): string => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`

const refusal = (s: Partial<RunSettings>): string => {
  const r = makeRunConfig({ ...SMALL, ...s }, flag)
  if (E.isRight(r)) throw new Error(`accepted: ${JSON.stringify(s)}`)
  return r.left
}

const accepted = (s: Partial<RunSettings>): boolean => E.isRight(makeRunConfig({ ...SMALL, ...s }, flag))

describe('the limits of a run', () => {
  it('counts of steps: up to MAX_STEPS (10⁹), one past it refused naming the setting and the range', () => {
    expect(accepted({ steps: MAX_STEPS, evalEvery: MAX_STEPS, checkpointEvery: MAX_STEPS, saveEvery: MAX_STEPS })).toBe(true)
    expect(accepted({ measureEvery: MAX_STEPS, warmup: MAX_STEPS, stopAfterGrok: MAX_STEPS })).toBe(true)
    const least = { steps: 1, evalEvery: 1, checkpointEvery: 1, measureEvery: 0, saveEvery: 1, warmup: 0, stopAfterGrok: 0 } as const
    for (const [k, min] of Object.entries(least)) {
      expect(refusal({ [k]: MAX_STEPS + 1 })).toBe(`${flag(k)}: ${MAX_STEPS + 1} is not allowed (an integer from ${min} to ${MAX_STEPS})`)
    }
  })

  it('widths: up to MAX_WIDTH (2^16) each, one past it refused', () => {
    for (const k of ['dModel', 'heads', 'dHead', 'dMlp'] as const) {
      const tiny = { dModel: 1, heads: 1, dHead: 1, dMlp: 1, p: 3 }
      expect(accepted({ ...tiny, [k]: MAX_WIDTH })).toBe(true)
      expect(refusal({ ...tiny, [k]: MAX_WIDTH + 1 })).toBe(`${flag(k)}: ${MAX_WIDTH + 1} is not allowed (an integer from 1 to ${MAX_WIDTH})`)
    }
  })

  it('blocks: up to MAX_LAYERS (256), one past it refused (the old --layers 300 and 1000)', () => {
    expect(accepted({ layers: MAX_LAYERS })).toBe(true)
    for (const layers of [MAX_LAYERS + 1, 300, 1000]) {
      expect(refusal({ layers })).toBe(`--layers: ${layers} is not allowed (an integer from 1 to ${MAX_LAYERS})`)
    }
  })

  it('weights: up to MAX_RUN_WEIGHTS (2^24), what weights.json can hold; more refused naming the sizes', () => {
    // The paper's model at p = 113 has 4·4·128·32 + 2·128·512 weights a block: blocks are added until the bound.
    const paper = { ...PAPER_SETTINGS, steps: 100, evalEvery: 10 }
    const under = makeRunConfig({ ...SMALL, ...paper, p: 113, layers: 84 })
    const over = makeRunConfig({ ...SMALL, ...paper, p: 113, layers: 86 })
    expect(E.isRight(under) && weightCount(under.right.model) <= MAX_RUN_WEIGHTS).toBe(true)
    expect(E.isLeft(over) && over.left).toMatch(/^the model would have 16\d{6} weights, more than the 16777216 a run can save in weights\.json/)
    // Worst case of weights.json: every weight written as 24 characters.
    expect(MAX_RUN_WEIGHTS * 24).toBeLessThan(MAX_DOCUMENT_CHARS)
  })

  it('state.json: the weights and the optimiser’s copies must fit one JSON text (a long Grokfast-MA window)', () => {
    expect(accepted({ grokfast: 'ma', grokfastWindow: 1000 })).toBe(true)
    expect(refusal({ dModel: 128, dMlp: 512, dHead: 32, heads: 4, grokfast: 'ma', grokfastWindow: 100_000 })).toMatch(
      /^the weights and the optimiser's 100002 copies of them \(\d+ weights each\) would not fit in state\.json/,
    )
  })

  it('metrics.jsonl: the evaluations must fit the text it is read back as', () => {
    expect(accepted({ steps: MAX_STEPS, evalEvery: 10_000 })).toBe(true)
    expect(refusal({ steps: MAX_STEPS, evalEvery: 1 })).toMatch(
      /^--steps 1000000000 with --eval-every 1 makes 1000000002 evaluations, more than metrics\.jsonl can hold \(allowed: at most \d+/,
    )
  })

  it('a sweep: at most MAX_PLAN_RUNS (10,000) runs, what sweep.json can hold; more refused before any run is made', () => {
    const grid = (seeds: number) => ({ ops: [['add']], p: [3], fracs: [0.5], variants: [SCRATCH], seeds: [...Array(seeds).keys()] })
    expect(E.isRight(makePlan(grid(MAX_PLAN_RUNS), SMALL))).toBe(true)
    expect(makePlan({ ...grid(MAX_PLAN_RUNS / 2), p: [23, 29, 31] }, SMALL)).toEqual(
      E.left(
        'the grid has 15000 runs (1 operations × 3 p × 1 fractions × 1 variants × 5000 seeds), ' +
          'more than the 10000 a sweep.json holds; split it into several sweeps',
      ),
    )
  }, 120_000)

  it('every refusal is one line', () => {
    const settings = fc.record({
      steps: fc.integer({ min: 1, max: 2 * MAX_STEPS }),
      evalEvery: fc.integer({ min: 1, max: 2 * MAX_STEPS }),
      dModel: fc.integer({ min: 1, max: 2 * MAX_WIDTH }),
      dMlp: fc.integer({ min: 1, max: 2 * MAX_WIDTH }),
      heads: fc.integer({ min: 1, max: 2 * MAX_WIDTH }),
      dHead: fc.integer({ min: 1, max: 2 * MAX_WIDTH }),
      layers: fc.integer({ min: 1, max: 2 * MAX_LAYERS }),
    })
    fc.assert(
      fc.property(settings, (s) => {
        const r = makeRunConfig({ ...SMALL, ...s }, flag)
        return E.isRight(r) || (r.left.length > 0 && !/[\r\n]/.test(r.left))
      }),
    )
  })
})

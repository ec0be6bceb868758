// The reproduction's plan (Reproduce.ts): the tiers, the stages a tier and its overrides make, reproduce.json, and the cost line.
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { OPERATIONS } from '@grokscope/data'
import {
  FAST_PAPER_BUDGET,
  PAPER_SETTINGS,
  type PlanCost,
  REPRODUCE_FORMAT,
  type ReproducePlan,
  SCRATCH,
  TIERS,
  TIER_IDS,
  TRANSFER_VARIANTS,
  costText,
  decodeReproduceDocument,
  durationText,
  encodePlan,
  makePlan,
  planCost,
  planDifference,
  reproduceDifference,
  reproduceDocument,
  reproducePlan,
  runName,
} from '../src/index.js'

const right = <A>(r: E.Either<string, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left)
  return r.right
}

const OUT = '/data/reproduction'

/** A tiny plan: p = 7, two targets, a few steps. */
const tiny = (seeds: ReadonlyArray<number> = [0]): ReproducePlan =>
  right(reproducePlan('quick', { ops: ['add', 'mul', '2a+b', 'a2+ab+b2'], p: 7, seeds, steps: 20 }, OUT))

const stage = (plan: ReproducePlan, id: 'ops' | 'source' | 'transfer') => plan.stages.find((s) => s.id === id)

describe('tiers', () => {
  it("each tier's operations are registered operations, each once, in OPERATIONS order", () => {
    const order = OPERATIONS.map((op) => op.id)
    for (const id of TIER_IDS) {
      const idx = TIERS[id].ops.map((op) => order.indexOf(op))
      expect(idx.every((i) => i >= 0)).toBe(true)
      expect(idx).toEqual([...idx].sort((a, b) => a - b))
      expect(new Set(idx).size).toBe(idx.length)
      expect(TIERS[id].id).toBe(id)
    }
  })

  it('the paper tier runs every operation of Table A.5 (all 35 with a paper verdict) at p = 97, r = 0.3, seeds 0..2', () => {
    const tableA5 = OPERATIONS.filter((op) => op.groksInPaper !== null).map((op) => op.id)
    expect(tableA5).toHaveLength(35)
    expect(TIERS.paper.ops).toEqual(tableA5)
    expect(TIERS.paper).toMatchObject({ p: 97, frac: 0.3, seeds: [0, 1, 2] })
    expect(TIERS.paper.options).toEqual({ ...PAPER_SETTINGS, saveEvery: 10_000 })
    expect(TIERS.paper.options).toMatchObject({ lr: 1e-3, wd: 1, steps: 300_000, evalEvery: 100, stopAfterGrok: 2000 })
  })

  it('the quick tier: 14 operations at p = 31, r = 0.5, seed 0, AdamW lr 3e-3 wd 1 for 3000 steps', () => {
    expect(TIERS.quick.ops).toEqual([
      'add',
      'sub',
      'mul',
      '2a+b',
      'ab+b',
      'ab+a+b',
      'a2+b2',
      'a3+b3',
      'a2-b2',
      '(a+b)2',
      '(a+b)3',
      '(a-b)2',
      'a2+ab+b2',
      'a3+ab',
    ])
    expect(TIERS.quick).toMatchObject({ p: 31, frac: 0.5, seeds: [0] })
    expect(TIERS.quick.options).toMatchObject({ lr: 3e-3, wd: 1, steps: 3000, evalEvery: 50, stopAfterGrok: 300, saveEvery: 1000 })
    expect(TIERS.quick.options.recipe).toBeUndefined()
  })

  it('both tiers transfer from add to 2a+b and a2+ab+b2, which each tier also runs from scratch', () => {
    for (const id of TIER_IDS) {
      expect(TIERS[id].transfer).toEqual({ source: 'add', targets: ['2a+b', 'a2+ab+b2'] })
      for (const op of ['add', '2a+b', 'a2+ab+b2']) expect(TIERS[id].ops).toContain(op)
    }
  })
})

describe('reproducePlan', () => {
  it('the quick tier: 14 scratch runs, the add source stopped at its grok, then 3 variants × 2 targets loading from it', () => {
    const plan = right(reproducePlan('quick', {}, OUT))
    expect(plan.stages.map((s) => [s.id, s.folder, s.plan.runs.length])).toEqual([
      ['ops', 'ops', 14],
      ['source', 'source', 1],
      ['transfer', 'transfer', 6],
    ])
    const source = stage(plan, 'source')!.plan.runs[0]!
    const add = stage(plan, 'ops')!.plan.runs.find((r) => r.name === source.name)!
    // the same run as the ops stage's add, except that it stops at its grok step
    expect(source.config!.loop.stop_after_grok).toBe(0)
    expect({ ...source.config!, loop: add.config!.loop }).toEqual(add.config)
    expect(plan.settings).toEqual({
      tier: 'quick',
      p: 31,
      frac: 0.5,
      seeds: [0],
      recipe: "AdamW, lr 3e-3, wd 1 (the demo's; stable at p = 31)",
      steps: 3000,
      paperSteps: 300_000,
      evalEvery: 50,
      stopAfterGrok: 300,
    })
  })

  it('names, kinds and sources agree: every run has a kind; a transfer run loads the weights of its own seed’s add source run', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 3 }), (seeds) => {
        const plan = tiny(seeds)
        const ops = stage(plan, 'ops')!
        const transfer = stage(plan, 'transfer')!
        const sources = stage(plan, 'source')!
        expect(sources.plan.runs.map((r) => [r.ops, r.seed])).toEqual(seeds.map((s) => [['add'], s]))
        expect(ops.plan.runs.map((r) => r.name)).toEqual(ops.plan.runs.map((r) => runName(r.config!)))
        expect(Object.keys(ops.kinds).sort()).toEqual(ops.plan.runs.map((r) => r.name).sort())
        expect(Object.values(ops.kinds).every((k) => k === 'scratch')).toBe(true)
        expect(ops.plan.runs.every((r) => r.config!.transfer === undefined)).toBe(true)
        expect(transfer.plan.runs).toHaveLength(seeds.length * 2 * TRANSFER_VARIANTS.length)
        expect(Object.keys(transfer.kinds).sort()).toEqual(transfer.plan.runs.map((r) => r.name).sort())
        for (const r of transfer.plan.runs) {
          const source = sources.plan.runs.find((x) => x.name === transfer.sources[r.name])!
          expect(source.ops).toEqual(['add'])
          expect(source.seed).toBe(r.seed)
          expect(['2a+b', 'a2+ab+b2']).toContain(r.ops[0])
          const v = TRANSFER_VARIANTS.find((x) => x.kind === transfer.kinds[r.name])!
          expect(r.variant).toEqual(v.variant)
          expect(r.config!.transfer?.source ?? null).toBe(v.variant.load.length > 0 ? `${OUT}/source/${source.name}/weights.json` : null)
          expect(r.config!.transfer?.frozen).toEqual(v.variant.freeze)
        }
        expect(new Set([...ops.plan.runs, ...transfer.plan.runs].map((r) => r.name)).size).toBe(
          ops.plan.runs.length + transfer.plan.runs.length,
        )
      }),
      { numRuns: 10 },
    )
  })

  it('every kind of the transfer stage appears once per target and seed, in TRANSFER_VARIANTS order', () => {
    const transfer = stage(tiny([3]), 'transfer')!
    expect(transfer.plan.runs.map((r) => [r.ops[0], transfer.kinds[r.name]])).toEqual([
      ['2a+b', 'pre-grokked embedding'],
      ['2a+b', 'pre-grokked transformer'],
      ['2a+b', 'frozen random embedding'],
      ['a2+ab+b2', 'pre-grokked embedding'],
      ['a2+ab+b2', 'pre-grokked transformer'],
      ['a2+ab+b2', 'frozen random embedding'],
    ])
    expect(transfer.plan.runs[0]!.name).toBe('2a+b-p7-r0.5-s3-load_embed-freeze_embed')
  })

  it("the paper tier with --recipe fast and seed 0: its ops stage is the sweep that grokscope sweep's flags make", () => {
    const plan = right(reproducePlan('paper', { seeds: [0], recipe: 'fast' }, OUT))
    // What `grokscope sweep --ops <the 35 ids> --p 97 --fracs 0.3 --seeds 0 --recipe fast --steps 1000 --eval-every 50
    // --stop-after-grok 300 --checkpoint-every 500 --save-every 1000 --threads 1` plans (cli/src/settings.ts: the recipe
    // sets lr and wd, and is recorded; the other flags keep the paper's defaults).
    const cli = right(
      makePlan(
        { ops: TIERS.paper.ops.map((op) => [op]), p: [97], fracs: [0.3], seeds: [0], variants: [SCRATCH] },
        {
          ...PAPER_SETTINGS,
          lr: 2e-2,
          wd: 2,
          steps: 1000,
          evalEvery: 50,
          stopAfterGrok: 300,
          checkpointEvery: 500,
          saveEvery: 1000,
          recipe: 'fast',
          initFrom: undefined,
        },
      ),
    )
    const ops = stage(plan, 'ops')!
    expect(ops.plan.runs).toHaveLength(35)
    expect(planDifference(cli, ops.plan)).toBeNull()
    expect(encodePlan(ops.plan)).toEqual(encodePlan(cli))
    expect(stage(plan, 'transfer')!.plan.runs).toHaveLength(6)
    expect(plan.settings).toMatchObject({ steps: 1000, evalEvery: 50, stopAfterGrok: 300, recipe: 'AdamW, lr 2e-2, wd 2 (--recipe fast)' })
  })

  it("--recipe fast's one-machine budget is the paper tier's only, and --steps wins over it", () => {
    const paper = right(reproducePlan('paper', { seeds: [0], recipe: 'fast', steps: 4000 }, OUT))
    expect(stage(paper, 'ops')!.plan.runs[0]!.config!.loop).toMatchObject({ max_steps: 4000, eval_every: FAST_PAPER_BUDGET.evalEvery })
    const quick = right(reproducePlan('quick', { recipe: 'fast' }, OUT))
    expect(stage(quick, 'ops')!.plan.runs[0]!.config!.loop).toMatchObject({ max_steps: 3000, eval_every: 50, save_every: 1000 })
    expect(stage(quick, 'ops')!.plan.runs[0]!.config!).toMatchObject({ recipe: 'fast', optimizer: { lr: 2e-2, weightDecay: 2 } })
  })

  it('overrides: seeds, steps, p, r and the operations replace the tier’s; other settings stay', () => {
    const plan = right(reproducePlan('paper', { seeds: [4, 2], steps: 10, p: 11, frac: 0.6, ops: ['mul', 'a + b'] }, OUT))
    const ops = stage(plan, 'ops')!
    expect(ops.plan.runs.map((r) => r.name)).toEqual(['mul-p11-r0.6-s4', 'mul-p11-r0.6-s2', 'add-p11-r0.6-s4', 'add-p11-r0.6-s2'])
    expect(ops.plan.runs[0]!.config!.loop).toMatchObject({ max_steps: 10, eval_every: 100, save_every: 10_000 })
    expect(plan.settings).toMatchObject({ p: 11, frac: 0.6, seeds: [4, 2], steps: 10, recipe: "AdamW, lr 1e-3, wd 1 (the paper tier's)" })
    expect(plan.stages.map((s) => s.id)).toEqual(['ops'])
  })

  it('no transfer stage without add or without a target among the operations', () => {
    expect(right(reproducePlan('quick', { ops: ['add', 'mul'], p: 7 }, OUT)).stages.map((s) => s.id)).toEqual(['ops'])
    expect(right(reproducePlan('quick', { ops: ['sub', '2a+b'], p: 7 }, OUT)).stages.map((s) => s.id)).toEqual(['ops'])
    const one = right(reproducePlan('quick', { ops: ['a2+ab+b2', 'add'], p: 7 }, OUT))
    expect(stage(one, 'transfer')!.plan.runs.every((r) => r.ops[0] === 'a2+ab+b2')).toBe(true)
  })

  it('bad overrides are refused with one line naming the setting', () => {
    const left = (r: E.Either<string, unknown>): string => (E.isLeft(r) ? r.left : 'accepted')
    const cases: ReadonlyArray<readonly [Parameters<typeof reproducePlan>[1], RegExp]> = [
      [{ seeds: [] }, /^seeds: an empty list/],
      [{ seeds: [1, 1] }, /^seeds: seed 1 is listed twice/],
      [{ seeds: [-1] }, /^seed: /],
      [{ steps: 0 }, /^steps: 0 is not allowed \(an integer from 1 to/],
      [{ steps: 1.5 }, /^steps: 1.5 is not allowed/],
      [{ ops: [] }, /^ops: an empty list/],
      [{ ops: ['add', 'a+b'] }, /^ops: add is listed twice/],
      [{ ops: ['nope('] }, /^ops: "nope\(" is not an operation/],
      [{ p: 12 }, /^p: /],
      [{ frac: 1.5 }, /^frac: /],
    ]
    for (const [o, message] of cases) {
      const m = left(reproducePlan('quick', o, OUT))
      expect(m).toMatch(message)
      expect(m).not.toContain('\n')
    }
    expect(left(reproducePlan('quick', {}, 'relative/folder'))).toMatch(/^out: "relative\/folder" is not an absolute folder/)
  })
})

describe('reproduce.json', () => {
  it('a document round-trips through JSON and differs from no copy of itself', () => {
    for (const plan of [tiny([0, 1]), right(reproducePlan('paper', {}, OUT))]) {
      const doc = reproduceDocument(plan)
      expect(doc.format).toBe(REPRODUCE_FORMAT)
      const back = right(decodeReproduceDocument(JSON.parse(JSON.stringify(doc))))
      expect(back).toEqual(doc)
      expect(reproduceDifference(doc, back)).toBeNull()
    }
    expect(reproduceDocument(tiny()).stages.map((s) => [s.id, s.runs.length])).toEqual([
      ['ops', 4],
      ['source', 1],
      ['transfer', 6],
    ])
  })

  it('a rerun with other settings, operations or seeds is told apart in one line', () => {
    const a = reproduceDocument(tiny([0]))
    const differ = (b: ReproducePlan) => reproduceDifference(a, reproduceDocument(b))
    expect(differ(tiny([1]))).toBe('seeds [0] vs [1]')
    expect(differ(right(reproducePlan('quick', { ops: ['add', 'mul', '2a+b', 'a2+ab+b2'], p: 7, steps: 30 }, OUT)))).toMatch(/^steps 20 vs 30/)
    expect(differ(right(reproducePlan('quick', { ops: ['add', 'sub', '2a+b', 'a2+ab+b2'], p: 7, steps: 20 }, OUT)))).toBe(
      'stage ops: run 2 is mul-p7-r0.5-s0 vs sub-p7-r0.5-s0',
    )
    expect(differ(right(reproducePlan('quick', { ops: ['add', 'mul'], p: 7, steps: 20 }, OUT)))).toBe('stages ops, source, transfer vs ops')
    expect(differ(right(reproducePlan('paper', { ops: ['add', 'mul', '2a+b', 'a2+ab+b2'], p: 7, steps: 20 }, OUT)))).toBe(
      'tier quick vs paper',
    )
  })

  it('a damaged document is refused naming the field', () => {
    const doc = reproduceDocument(tiny())
    expect(decodeReproduceDocument({ ...doc, tier: 'huge' })).toEqual(E.left(expect.stringContaining('tier')))
    expect(decodeReproduceDocument({ ...doc, settings: { ...doc.settings, p: '7' } })).toEqual(E.left(expect.stringContaining('settings.p')))
    expect(E.isLeft(decodeReproduceDocument({ ...doc, format: 'grokscope-reproduce/0' }))).toBe(true)
  })
})

describe('cost', () => {
  const paperFast = right(reproducePlan('paper', { seeds: [0], recipe: 'fast' }, OUT))

  it('the paper tier with --recipe fast and seed 0: 42 runs of ≤ 1000 steps, dealt to 2 jobs stage by stage', () => {
    const c = planCost(paperFast, 210, 2)
    expect(c).toMatchObject({ runs: 42, stepsPerRun: 1000, maxSteps: 42_000, msPerStep: 210, jobs: 2 })
    expect(c.coreHours).toBeCloseTo((42_000 * 0.21) / 3600, 9)
    // ops: 35 runs, the longer worker 18; source: 1 run; transfer: 6 runs, 3 each.
    expect(c.wallHoursUpperBound).toBeCloseTo((22_000 * 0.21) / 3600, 9)
    expect(costText(c)).toBe(
      '42 runs × ≤ 1000 steps × 210 ms/step (measured) ≤ 2 h 27 min of one core; ≤ 1 h 17 min wall with 2 jobs (runs that grok stop early)',
    )
  })

  it('wall time is at most core time, at least core time / jobs, and never more with more jobs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.double({ min: 1, max: 1000, noNaN: true }), (jobs, ms) => {
        const c = planCost(paperFast, ms, jobs)
        const more = planCost(paperFast, ms, jobs + 1)
        expect(c.wallHoursUpperBound).toBeLessThanOrEqual(c.coreHours * (1 + 1e-12))
        expect(c.wallHoursUpperBound).toBeGreaterThanOrEqual((c.coreHours / jobs) * (1 - 1e-12))
        expect(more.wallHoursUpperBound).toBeLessThanOrEqual(c.wallHoursUpperBound * (1 + 1e-12))
      }),
    )
  })

  it('durations are rounded up to the minute, so an upper bound stays one', () => {
    expect(durationText(0.5)).toBe('30 min')
    expect(durationText(2.39)).toBe('2 h 24 min')
    expect(durationText(3)).toBe('3 h')
    expect(durationText(1 / 3600)).toBe('1 min')
    const one: PlanCost = { runs: 1, stepsPerRun: 1, maxSteps: 1, msPerStep: 12.345, jobs: 1, coreHours: 0, wallHoursUpperBound: 0 }
    expect(costText(one, 'assumed')).toBe(
      '1 run × ≤ 1 step × 12.3 ms/step (assumed) ≤ 1 min of one core; ≤ 1 min wall with 1 job (runs that grok stop early)',
    )
  })
})

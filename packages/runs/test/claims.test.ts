// The verdict rules (Claims.ts) on synthetic run evidence: each claim can say reproduced, not reproduced and not run;
// verdicts move the right way when the evidence does; runs that are not clean never decide a pattern; claims.json round-trips.
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { OPERATIONS } from '@grokscope/data'
import {
  CLAIMS,
  CLAIMS_FORMAT,
  type ClaimResult,
  type ClaimsSettings,
  type CurvePoint,
  HARD_OPS,
  SYMMETRIC_OPS,
  THRESHOLDS,
  type RunEvidence,
  type TransferKind,
  type Verdict,
  type WeightEvidence,
  alignment,
  claim1,
  claim2,
  claim3,
  claim4,
  claim5,
  claim6,
  claim7,
  decodeClaimsDocument,
  judgeClaims,
  median,
  tableRows,
} from '../src/index.js'

// ─────────────────────────────────────────────────────────────────────────────
// arbitraries
// ─────────────────────────────────────────────────────────────────────────────

const SETTINGS: ClaimsSettings = {
  tier: 'test',
  p: 31,
  frac: 0.5,
  seeds: [0],
  recipe: 'AdamW, lr 3e-3, wd 1',
  steps: 1000,
  paperSteps: 300_000,
  evalEvery: 50,
  stopAfterGrok: 300,
}

type Claim = (runs: ReadonlyArray<RunEvidence>, s: ClaimsSettings) => ClaimResult

const RANK: Record<Verdict, number> = { 'not run': -1, 'not reproduced': 0, partly: 1, reproduced: 2 }

const range = (min: number, max: number): fc.Arbitrary<number> => fc.double({ min, max, noNaN: true })

type MeasureRanges = { readonly [K in keyof WeightEvidence]?: fc.Arbitrary<WeightEvidence[K]> }

const arbMeasures = (r: MeasureRanges = {}): fc.Arbitrary<WeightEvidence> =>
  fc.record({
    ffdWE: r.ffdWE ?? range(0, 1),
    fcrWE: r.fcrWE ?? range(0, 1),
    cosShareWE: r.cosShareWE ?? range(0, 1),
    ffdWL: r.ffdWL ?? range(0, 1),
    fcrWL: r.fcrWL ?? range(0, 1),
    mulFfdWE: r.mulFfdWE ?? fc.option(range(0, 1)),
    mulFcrWE: r.mulFcrWE ?? fc.option(range(0, 1)),
    asymmetry: r.asymmetry ?? range(0, 2),
  })

/** A finished clean run; `name` is given by `named`. */
const base = (op: string, o: Partial<RunEvidence>): RunEvidence => ({
  name: '',
  stage: o.transfer !== undefined && o.transfer !== 'scratch' ? 'transfer' : 'ops',
  op,
  p: 31,
  frac: 0.5,
  seed: 0,
  transfer: 'scratch',
  finished: true,
  steps: 1000,
  grokStep: 500,
  stayedGrokked: true,
  fitStep: 200,
  unstable: false,
  diverged: false,
  finalTestAcc: 1,
  bestTestAcc: 1,
  weightsAt: 'end',
  measures: null,
  curve: [],
  sourceGrokked: null,
  ...o,
})

/** Unique names, as a reproduction's run folders are. */
const named = (runs: ReadonlyArray<RunEvidence>): ReadonlyArray<RunEvidence> =>
  runs.map((r, i) => ({ ...r, name: `${r.op}-${r.transfer.replace(/ /g, '_')}-${i}` }))

/** A clean run that grokked, with these measures. */
const cleanGrokked = (op: string, m: fc.Arbitrary<WeightEvidence> = arbMeasures()): fc.Arbitrary<RunEvidence> =>
  fc.record({ grok: fc.integer({ min: 50, max: 1000 }), fit: fc.integer({ min: 0, max: 50 }), m }).map(({ grok, fit, m }) =>
    base(op, { grokStep: grok, fitStep: fit, measures: m, steps: Math.min(1000, grok + 300) }),
  )

/** A clean run that never grokked, with these measures. */
const neverGrokked = (op: string, m: fc.Arbitrary<WeightEvidence> = arbMeasures()): fc.Arbitrary<RunEvidence> =>
  m.map((m) => base(op, { grokStep: null, stayedGrokked: false, measures: m, finalTestAcc: 0.1, bestTestAcc: 0.2 }))

/** A finished run that is not clean: diverged, fell back after grokking, or unstable after grokking; any measures. */
const unclean = (op: string): fc.Arbitrary<RunEvidence> =>
  fc
    .record({
      how: fc.constantFrom('diverged', 'fell back', 'unstable'),
      grok: fc.option(fc.integer({ min: 50, max: 1000 })),
      stayed: fc.boolean(),
      m: arbMeasures(),
    })
    .map(({ how, grok, stayed, m }) =>
      how === 'diverged'
        ? base(op, { diverged: true, grokStep: grok, stayedGrokked: false, measures: m, finalTestAcc: null })
        : how === 'fell back'
          ? base(op, { grokStep: grok ?? 100, stayedGrokked: false, weightsAt: 'grok', measures: m })
          : base(op, { unstable: true, grokStep: grok ?? 100, stayedGrokked: stayed, measures: m }),
    )

/** A planned run that has not finished. */
const unfinished = (op: string): RunEvidence =>
  base(op, { finished: false, steps: 0, grokStep: null, stayedGrokked: false, fitStep: null, finalTestAcc: null, bestTestAcc: null })

const runsOf = (...parts: ReadonlyArray<fc.Arbitrary<ReadonlyArray<RunEvidence>>>): fc.Arbitrary<ReadonlyArray<RunEvidence>> =>
  fc.tuple(...parts).map((xs) => named(xs.flat()))

const some = (a: fc.Arbitrary<RunEvidence>, min = 1, max = 4) => fc.array(a, { minLength: min, maxLength: max })

/** Runs of some of these operations (at least one), `each` giving an operation's runs. */
const overOps = (ops: ReadonlyArray<string>, each: (op: string) => fc.Arbitrary<ReadonlyArray<RunEvidence>>) =>
  fc.subarray([...ops], { minLength: 1 }).chain((chosen) => fc.tuple(...chosen.map(each)).map((xs) => xs.flat()))

const verdictOf = (claim: Claim, runs: ReadonlyArray<RunEvidence>, s: ClaimsSettings = SETTINGS): Verdict => claim(runs, s).verdict

const shuffled = <A>(xs: ReadonlyArray<A>): fc.Arbitrary<ReadonlyArray<A>> =>
  fc.shuffledSubarray([...xs], { minLength: xs.length, maxLength: xs.length })

// Operations of Table A.5 with the paper's verdict.
const GROKS = OPERATIONS.filter((op) => op.groksInPaper === true).map((op) => op.id)
const NO_GROK = OPERATIONS.filter((op) => op.groksInPaper === false).map((op) => op.id)

// ─────────────────────────────────────────────────────────────────────────────
// utils
// ─────────────────────────────────────────────────────────────────────────────

describe('median', () => {
  it('is null of none, the middle of an odd count, the mean of the two middle values of an even count', () => {
    expect(median([])).toBeNull()
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
  })

  it('does not depend on the order and lies between the smallest and the largest value', () => {
    fc.assert(
      fc.property(fc.array(range(-10, 10), { minLength: 1 }).chain((xs) => fc.tuple(fc.constant(xs), shuffled(xs))), ([xs, ys]) => {
        const m = median(xs)!
        expect(median(ys)).toBe(m)
        expect(m).toBeGreaterThanOrEqual(Math.min(...xs))
        expect(m).toBeLessThanOrEqual(Math.max(...xs))
      }),
    )
  })
})

// ─────────────────────────────────────────────────────────────────────────────
// every claim
// ─────────────────────────────────────────────────────────────────────────────

/** Operations every claim reads from, for the laws that hold of them all. */
const ALL_OPS = ['add', 'sub', 'mul', '2a+b', 'a2+b2', '(a+b)2', '(a+b)3', 'a3+b3', 'a2+ab+b2', 'a3+ab']

/** Any evidence: clean runs that grokked or not, unclean runs, unfinished runs, and transfer runs. */
const anyEvidence: fc.Arbitrary<ReadonlyArray<RunEvidence>> = fc
  .array(
    fc.constantFrom(...ALL_OPS).chain((op) =>
      fc.oneof(
        cleanGrokked(op),
        neverGrokked(op),
        unclean(op),
        fc.constant(unfinished(op)),
        fc
          .record({
            kind: fc.constantFrom<TransferKind>('pre-grokked embedding', 'pre-grokked transformer', 'frozen random embedding'),
            source: fc.boolean(),
            grok: fc.option(fc.integer({ min: 50, max: 1000 })),
          })
          .map(({ kind, source, grok }) =>
            base(op === 'add' ? '2a+b' : op, { transfer: kind, sourceGrokked: source, grokStep: grok, stayedGrokked: grok !== null }),
          ),
      ),
    ),
    { maxLength: 30 },
  )
  .map(named)

describe('every claim', () => {
  it('says not run on no evidence and on unfinished runs only', () => {
    for (const claim of CLAIMS) {
      const none = claim([], SETTINGS)
      expect(none.verdict).toBe('not run')
      expect(none.reason).not.toBe('')
      expect(verdictOf(claim, named(ALL_OPS.concat(HARD_OPS, SYMMETRIC_OPS).map(unfinished)))).toBe('not run')
    }
  })

  it('a verdict does not depend on the order of the runs', () => {
    fc.assert(
      fc.property(anyEvidence.chain((runs) => fc.tuple(fc.constant(runs), shuffled(runs))), ([runs, again]) => {
        for (const claim of CLAIMS) expect(claim(again, SETTINGS)).toEqual(claim(runs, SETTINGS))
      }),
      { numRuns: 50 },
    )
  })

  it('counts add up: planned ≥ finished ≥ grokked ≥ stayed; excluded runs are finished runs the claim read', () => {
    fc.assert(
      fc.property(anyEvidence, (runs) => {
        for (const claim of CLAIMS) {
          const r = claim(runs, SETTINGS)
          const c = r.counts
          expect(c.planned).toBeGreaterThanOrEqual(c.finished)
          expect(c.finished).toBeGreaterThanOrEqual(c.grokked)
          expect(c.grokked).toBeGreaterThanOrEqual(c.stayed)
          for (const name of c.excluded) expect(runs.find((x) => x.name === name)?.finished).toBe(true)
          for (const name of r.evidence) expect(runs.some((x) => x.name === name)).toBe(true)
          expect(r.measured).not.toContain('\n')
          for (const v of Object.values(r.numbers)) expect(v === null || Number.isFinite(v)).toBe(true)
        }
      }),
      { numRuns: 50 },
    )
  })

  it("each rule states its thresholds' values", () => {
    const rules = CLAIMS.map((c) => c([], SETTINGS).rule)
    expect(rules[0]).toContain(`${THRESHOLDS.ASYMMETRY_RATIO}·S`)
    expect(rules[1]).toContain(`${THRESHOLDS.DENSE_FFD}`)
    expect(rules[2]).toContain(`${THRESHOLDS.NEAR_ZERO_FCR}`)
    expect(rules[3]).toContain('80 %')
    expect(rules[4]).toContain(`${THRESHOLDS.SEPARATION}`)
    expect(rules[5]).toContain('90 %')
    expect(rules[6]).toContain(`${THRESHOLDS.HELP_FACTOR}`)
  })
})

/** The pattern claims and, for each, runs of the operations it reads. */
const PATTERN_CLAIMS: ReadonlyArray<readonly [string, Claim, ReadonlyArray<string>]> = [
  ['claim 1', claim1, ['sub', 'add', 'a2+b2', '(a+b)3']],
  ['claim 2', claim2, ['mul']],
  ['claim 3', claim3, ['a2+b2', '(a+b)2', '(a+b)5', 'a2+ab+b2']],
  ['claim 5', claim5, ['add', 'mul', 'sub']],
]

describe('runs that are not clean: diverged ones never decide a pattern, the others are read and named', () => {
  const diverged = (op: string): fc.Arbitrary<RunEvidence> =>
    fc
      .record({ grok: fc.option(fc.integer({ min: 50, max: 1000 })), m: arbMeasures() })
      .map(({ grok, m }) => base(op, { diverged: true, grokStep: grok, stayedGrokked: false, measures: m, finalTestAcc: null }))
  const fellBackOrUnstable = (op: string): fc.Arbitrary<RunEvidence> =>
    unclean(op).filter((r) => !r.diverged)
  for (const [label, claim, ops] of PATTERN_CLAIMS) {
    it(`${label}: adding diverged runs changes no verdict and no number; the grokked ones are named in counts.excluded`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.constantFrom(...ops).chain((op) => fc.oneof(cleanGrokked(op), neverGrokked(op))), { maxLength: 12 }),
          fc.array(fc.constantFrom(...ops).chain(diverged), { minLength: 1, maxLength: 6 }),
          (clean, bad) => {
            const before = claim(named(clean), SETTINGS)
            const all = named([...clean, ...bad])
            const after = claim(all, SETTINGS)
            expect(after.verdict).toBe(before.verdict)
            expect(after.numbers).toEqual(before.numbers)
            for (const r of all.slice(clean.length)) if (r.grokStep !== null) expect(after.counts.excluded).toContain(r.name)
            expect(after.counts.unclean).toEqual(before.counts.unclean)
            expect(after.counts.finished).toBe(all.length)
          },
        ),
        { numRuns: 60 },
      )
    })
    it(`${label}: a grokked run that fell back or was unstable is read as evidence, named in counts.unclean and said in the measured line`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.constantFrom(...ops).chain((op) => cleanGrokked(op)), { maxLength: 8 }),
          fc.array(fc.constantFrom(...ops).chain(fellBackOrUnstable), { minLength: 1, maxLength: 6 }),
          (clean, bad) => {
            const all = named([...clean, ...bad])
            const r = claim(all, SETTINGS)
            const read = all.slice(clean.length).filter((x) => r.evidence.includes(x.name))
            expect(r.counts.excluded).toEqual([])
            expect([...r.counts.unclean].sort()).toEqual(read.map((x) => x.name).sort())
            expect(r.measured.includes('unstable or fell back')).toBe(read.length > 0)
            expect(claim(named(clean), SETTINGS).counts.unclean).toEqual([])
          },
        ),
        { numRuns: 60 },
      )
    })
  }

  it('claim 5 (a): a run that fell back is read up to its grok step, where it was grokked', () => {
    const curve = [0, 50, 100, 150, 200, 250].map((step) => ({
      step,
      trainAcc: 1,
      testAcc: step >= 100 && step < 200 ? 1 : 0.1,
      ffdWE: step >= 100 ? 0.2 : 1,
      fcrWE: step >= 200 ? 0 : 0.9,
    }))
    const run = base('add', { grokStep: 100, fitStep: 50, measures: M, curve })
    // To the end, FCR moves most (0.9) and crosses half its change at 200: after the grok.
    expect(alignment({ ...run, stayedGrokked: true })).toBe('not aligned')
    // Up to the grok step only FFD moves, at 100: aligned.
    expect(alignment({ ...run, stayedGrokked: false, weightsAt: 'grok' })).toBe('aligned')
  })

  it('claim 3 (c): an unstable run that never grokked is read (the fixed rule reads every finished, not diverged one), so not excluded', () => {
    const never = named([
      base('a2+ab+b2', { grokStep: null, stayedGrokked: false, unstable: true, measures: { ...M, ffdWE: 0.9, fcrWE: 0.9 } }),
    ])
    const r = claim3(never, SETTINGS)
    expect(r.numbers['c.runs']).toBe(1)
    expect(r.counts.excluded).toEqual([])
    expect(r.measured).toContain('1 of them unstable')
  })
})

const M: WeightEvidence = { ffdWE: 0.5, fcrWE: 0.5, cosShareWE: 0.5, ffdWL: 0.5, fcrWL: 0.5, mulFfdWE: 0.5, mulFcrWE: 0.5, asymmetry: 0.5 }

// ─────────────────────────────────────────────────────────────────────────────
// claim 1
// ─────────────────────────────────────────────────────────────────────────────

const symRuns = (asymmetry: fc.Arbitrary<number>) =>
  overOps(SYMMETRIC_OPS, (op) => some(cleanGrokked(op, arbMeasures({ asymmetry })), 1, 2))

describe('claim 1: subtraction is strongly asymmetric', () => {
  it('reproduced when sub is far more asymmetric than every symmetric operation', () => {
    fc.assert(
      fc.property(runsOf(some(cleanGrokked('sub', arbMeasures({ asymmetry: range(0.5, 2) }))), symRuns(range(0, 0.2))), (runs) => {
        expect(verdictOf(claim1, runs)).toBe('reproduced')
      }),
    )
  })

  it('not reproduced when sub is no more asymmetric than the symmetric operations', () => {
    fc.assert(
      fc.property(runsOf(some(cleanGrokked('sub', arbMeasures({ asymmetry: range(0, 0.3) }))), symRuns(range(0.3, 1))), (runs) => {
        expect(verdictOf(claim1, runs)).toBe('not reproduced')
      }),
    )
  })

  it('partly when sub is more asymmetric, but less than twice', () => {
    const runs = named([base('sub', { measures: { ...M, asymmetry: 0.3 } }), base('add', { measures: { ...M, asymmetry: 0.2 } })])
    expect(claim1(runs, SETTINGS)).toMatchObject({ verdict: 'partly', numbers: { A: 0.3, S: 0.2 } })
  })

  it('not run without a grokked sub run, saying how many grokked within the budget', () => {
    const runs = named([base('sub', { grokStep: null, stayedGrokked: false, measures: M }), base('add', { measures: M })])
    const r = claim1(runs, SETTINGS)
    expect(r.verdict).toBe('not run')
    expect(r.reason).toBe('no grokked sub run: sub grokked in 0 of 1 finished runs within the 1000-step budget')
  })

  it("scaling sub's asymmetry up never lowers the verdict", () => {
    fc.assert(
      fc.property(
        runsOf(some(cleanGrokked('sub')), symRuns(range(0, 1))),
        range(1, 10),
        (runs, c) => {
          const up = runs.map((r) => (r.op === 'sub' ? { ...r, measures: { ...r.measures!, asymmetry: r.measures!.asymmetry * c } } : r))
          expect(RANK[verdictOf(claim1, up)]).toBeGreaterThanOrEqual(RANK[verdictOf(claim1, runs)])
        },
      ),
    )
  })
})

// ─────────────────────────────────────────────────────────────────────────────
// claim 2
// ─────────────────────────────────────────────────────────────────────────────

describe('claim 2: multiplication is cosine-biased at all frequencies', () => {
  const mul = (r: MeasureRanges) => runsOf(some(cleanGrokked('mul', arbMeasures(r))))

  it('reproduced when mul is dense, cosine-biased and sparse in the multiplicative basis', () => {
    fc.assert(
      fc.property(mul({ ffdWE: range(0.8, 1), fcrWE: range(0, 0.6), cosShareWE: range(0.5, 1), mulFfdWE: range(0, 0.4) }), (runs) => {
        expect(verdictOf(claim2, runs)).toBe('reproduced')
      }),
    )
  })

  it('not reproduced when it is sparse, balanced and dense in the multiplicative basis', () => {
    fc.assert(
      fc.property(mul({ ffdWE: range(0, 0.79), fcrWE: range(0.61, 1), mulFfdWE: fc.option(range(0.41, 1)) }), (runs) => {
        expect(verdictOf(claim2, runs)).toBe('not reproduced')
      }),
    )
  })

  it('partly with two conditions of three; the multiplicative FFD missing (p < 5) fails that condition', () => {
    const runs = named([base('mul', { measures: { ...M, ffdWE: 1, fcrWE: 0.1, cosShareWE: 0.9, mulFfdWE: null } })])
    expect(claim2(runs, SETTINGS)).toMatchObject({ verdict: 'partly', numbers: { M: null, conditionsHeld: 2 } })
  })

  it('lowering the multiplicative FFD never lowers the verdict', () => {
    fc.assert(
      fc.property(mul({ mulFfdWE: range(0, 1) }), range(0, 1), (runs, c) => {
        const down = runs.map((r) => ({ ...r, measures: { ...r.measures!, mulFfdWE: r.measures!.mulFfdWE! * c } }))
        expect(RANK[verdictOf(claim2, down)]).toBeGreaterThanOrEqual(RANK[verdictOf(claim2, runs)])
      }),
    )
  })

  it('not run when mul never grokked', () => {
    const r = claim2(named([base('mul', { grokStep: null, stayedGrokked: false, measures: M })]), SETTINGS)
    expect(r.verdict).toBe('not run')
    expect(r.reason).toContain('mul grokked in 0 of 1 finished runs')
  })
})

// ─────────────────────────────────────────────────────────────────────────────
// claim 3
// ─────────────────────────────────────────────────────────────────────────────

const POWERS = [2, 3, 4, 5, 6, 7].map((n) => `(a+b)${n}`)

describe('claim 3: polynomials superpose elementary patterns', () => {
  it('reproduced when a2+b2 is cosine-only, (a+b)ⁿ sparse, and the runs that never grokked have no clear pattern', () => {
    fc.assert(
      fc.property(
        runsOf(
          some(cleanGrokked('a2+b2', arbMeasures({ fcrWE: range(0, 0.2), cosShareWE: range(0.5, 1) }))),
          overOps(POWERS, (op) => some(cleanGrokked(op, arbMeasures({ ffdWE: range(0, 0.4) })), 1, 2)),
          overOps(HARD_OPS, (op) => some(neverGrokked(op, arbMeasures({ ffdWE: range(0.41, 1), fcrWE: range(0.21, 1) })), 1, 2)),
        ),
        (runs) => {
        expect(verdictOf(claim3, runs)).toBe('reproduced')
      },
      ),
    )
  })

  it('not reproduced when a2+b2 is balanced, (a+b)ⁿ dense, and the runs that never grokked are sparse', () => {
    fc.assert(
      fc.property(
        runsOf(
          some(cleanGrokked('a2+b2', arbMeasures({ fcrWE: range(0.21, 1) }))),
          overOps(POWERS, (op) => some(cleanGrokked(op, arbMeasures({ ffdWE: range(0.41, 1) })), 1, 2)),
          overOps(HARD_OPS, (op) => some(neverGrokked(op, arbMeasures({ ffdWE: range(0, 0.4) })), 1, 2)),
        ),
        (runs) => {
        expect(verdictOf(claim3, runs)).toBe('not reproduced')
      },
      ),
    )
  })

  it('one sub-check with evidence that held is partly, not reproduced; a failed one with a held one is partly', () => {
    const sq = base('a2+b2', { measures: { ...M, fcrWE: 0.1, cosShareWE: 0.9 } })
    expect(verdictOf(claim3, named([sq]))).toBe('partly')
    const sparseNever = base('a3+ab', { grokStep: null, stayedGrokked: false, measures: { ...M, ffdWE: 0.2 } })
    expect(claim3(named([sq, sparseNever]), SETTINGS)).toMatchObject({ verdict: 'partly', reason: '(a) held, (b) no evidence, (c) failed' })
  })

  it('not run when no sub-check has evidence: grokked runs of other operations only, or division and the random table', () => {
    const runs = named([
      base('add', { measures: M }),
      base('div', { grokStep: null, stayedGrokked: false, measures: M }),
      base('rand', { grokStep: null, stayedGrokked: false, measures: M }),
    ])
    expect(verdictOf(claim3, runs)).toBe('not run')
  })

  it('making the runs that never grokked less sparse never lowers the verdict', () => {
    fc.assert(
      fc.property(
        runsOf(
          fc.array(cleanGrokked('a2+b2'), { maxLength: 2 }),
          overOps(POWERS, (op) => fc.array(cleanGrokked(op), { maxLength: 2 })),
          overOps(HARD_OPS, (op) => some(neverGrokked(op), 1, 2)),
        ),
        range(0, 0.6),
        (runs, d) => {
          const up = runs.map((r) =>
            r.grokStep === null ? { ...r, measures: { ...r.measures!, ffdWE: r.measures!.ffdWE + d, fcrWE: r.measures!.fcrWE + d } } : r,
          )
          expect(RANK[verdictOf(claim3, up)]).toBeGreaterThanOrEqual(RANK[verdictOf(claim3, runs)])
        },
      ),
    )
  })
})

// ─────────────────────────────────────────────────────────────────────────────
// claim 4
// ─────────────────────────────────────────────────────────────────────────────

const G_OPS = SYMMETRIC_OPS.filter((op) => op !== 'add')
const grokking = (op: string, groks: boolean) =>
  some((groks ? cleanGrokked(op) : neverGrokked(op)).map((r) => ({ ...r, measures: null })), 1, 3)

describe('claim 4: symmetric expressions grok easily, cross terms do not', () => {
  it('reproduced when every symmetric operation groks and no cross term does', () => {
    fc.assert(
      fc.property(runsOf(overOps(G_OPS, (op) => grokking(op, true)), overOps(HARD_OPS, (op) => grokking(op, false))), (runs) => {
        expect(verdictOf(claim4, runs)).toBe('reproduced')
      },
      ),
    )
  })

  it('not reproduced when no symmetric operation groks and every cross term does', () => {
    fc.assert(
      fc.property(runsOf(overOps(G_OPS, (op) => grokking(op, false)), overOps(HARD_OPS, (op) => grokking(op, true))), (runs) => {
        expect(verdictOf(claim4, runs)).toBe('not reproduced')
      },
      ),
    )
  })

  it('not run when either group has no finished run', () => {
    fc.assert(
      fc.property(overOps(G_OPS, (op) => grokking(op, true)).map(named), (runs) => {
        expect(verdictOf(claim4, runs)).toBe('not run')
        expect(verdictOf(claim4, named([...runs, unfinished('a3+ab')]))).toBe('not run')
      }),
    )
  })

  it('a run that groks more never lowers the verdict of the symmetric group; one that groks less never lowers the cross terms’', () => {
    fc.assert(
      fc.property(
        runsOf(overOps(G_OPS, (op) => some(fc.boolean().chain((g) => (g ? cleanGrokked(op) : neverGrokked(op))), 1, 3)),
          overOps(HARD_OPS, (op) => some(fc.boolean().chain((g) => (g ? cleanGrokked(op) : neverGrokked(op))), 1, 3))),
        fc.nat(),
        (runs, i) => {
          const k = i % runs.length
          const r = runs[k]!
          const flipped = G_OPS.includes(r.op)
            ? { ...r, grokStep: r.grokStep ?? 100, stayedGrokked: true }
            : { ...r, grokStep: null, stayedGrokked: false }
          const after = runs.map((x, j) => (j === k ? flipped : x))
          expect(RANK[verdictOf(claim4, after)]).toBeGreaterThanOrEqual(RANK[verdictOf(claim4, runs)])
        },
      ),
    )
  })

  it('counts grokked runs that stayed and unstable ones in its measured line', () => {
    const runs = named([base('a2+b2', { unstable: true, stayedGrokked: false }), base('a3+ab', { grokStep: null, stayedGrokked: false })])
    const r = claim4(runs, SETTINGS)
    expect(r.verdict).toBe('reproduced')
    expect(r.measured).toContain('0 of the 1 run that grokked stayed grokked; 1 unstable, 0 diverged')
  })
})

// ─────────────────────────────────────────────────────────────────────────────
// claim 5
// ─────────────────────────────────────────────────────────────────────────────

/** A curve evaluated every 50 steps to `end`: FFD(W_E) from 1 to `after` at `changeAt`, FCR flat. */
const curve = (end: number, changeAt: number, after: number): ReadonlyArray<CurvePoint> =>
  Array.from({ length: end / 50 + 1 }, (_, i) => ({
    step: i * 50,
    trainAcc: 1,
    testAcc: i * 50 >= changeAt ? 1 : 0,
    ffdWE: i * 50 >= changeAt ? after : 1,
    fcrWE: 0.5,
  }))

/** A clean grokked run whose FFD changes at its grok step (aligned) or long before it fits (not aligned). */
const tracked = (op: string, aligned: boolean, m: MeasureRanges = {}) =>
  fc.record({ g: fc.integer({ min: 4, max: 16 }), m: arbMeasures(m) }).map(({ g, m }) => {
    const grokStep = g * 50
    return base(op, {
      grokStep,
      fitStep: aligned ? 100 : grokStep,
      steps: grokStep + 300,
      measures: m,
      curve: curve(grokStep + 300, aligned ? grokStep : 50, 0.2),
    })
  })

describe('claim 5: FFD and FCR track late generalization and separate the operations', () => {
  it('alignment: a change at the grok step is aligned, one before the fit is not, a small one is no change', () => {
    const r = base('add', { grokStep: 500, fitStep: 200, curve: curve(800, 500, 0.2) })
    expect(alignment(r)).toBe('aligned')
    expect(alignment({ ...r, curve: curve(800, 100, 0.2) })).toBe('not aligned')
    expect(alignment({ ...r, curve: curve(800, 550, 0.2) })).toBe('aligned')
    expect(alignment({ ...r, curve: curve(800, 600, 0.2) })).toBe('not aligned')
    expect(alignment({ ...r, curve: curve(800, 500, 0.95) })).toBe('no change')
    expect(alignment({ ...r, curve: curve(50, 50, 0.2) })).toBe('no curve')
  })

  it('reproduced when FFD changes at the grok and add and mul are far apart', () => {
    fc.assert(
      fc.property(
        runsOf(some(tracked('add', true, { ffdWE: range(0, 0.3) })), some(tracked('mul', true, { ffdWE: range(0.7, 1) }))),
        (runs) => {
        expect(verdictOf(claim5, runs)).toBe('reproduced')
      },
      ),
    )
  })

  it('not reproduced when FFD changes long before the fit and add and mul are alike', () => {
    const alike = { ffdWE: range(0.4, 0.6), fcrWE: range(0.4, 0.6) }
    fc.assert(
      fc.property(runsOf(some(tracked('add', false, alike)), some(tracked('mul', false, alike))), (runs) => {
        expect(verdictOf(claim5, runs)).toBe('not reproduced')
      },
      ),
    )
  })

  it('with one sub-check only: partly if it held, not reproduced if it failed', () => {
    fc.assert(
      fc.property(runsOf(some(tracked('sub', true))), (runs) => {
        expect(verdictOf(claim5, runs)).toBe('partly')
      }),
    )
    fc.assert(
      fc.property(runsOf(some(tracked('sub', false))), (runs) => {
        expect(verdictOf(claim5, runs)).toBe('not reproduced')
      }),
    )
  })

  it('not run without clean grokked runs', () => {
    expect(verdictOf(claim5, named([base('add', { grokStep: null, stayedGrokked: false, measures: M })]))).toBe('not run')
  })
})

// ─────────────────────────────────────────────────────────────────────────────
// claim 6
// ─────────────────────────────────────────────────────────────────────────────

/** Runs of some Table A.5 operations, each grokking as the paper says (`agree`) or the opposite. */
const tableRuns = (agree: fc.Arbitrary<boolean>) =>
  runsOf(overOps([...GROKS, ...NO_GROK], (op) => agree.chain((a) => grokking(op, GROKS.includes(op) === a))))

describe('claim 6: Table A.5', () => {
  it('reproduced when every operation agrees with the paper, not reproduced when none does', () => {
    fc.assert(fc.property(tableRuns(fc.constant(true)), (runs) => {
        expect(verdictOf(claim6, runs)).toBe('reproduced')
      }))
    fc.assert(fc.property(tableRuns(fc.constant(false)), (runs) => {
        expect(verdictOf(claim6, runs)).toBe('not reproduced')
      }))
  })

  it('rows are in OPERATIONS order, one per operation of Table A.5 with a planned run; an unfinished one has no verdict', () => {
    const runs = named([base('mul', {}), base('add', { grokStep: null, stayedGrokked: false }), unfinished('a3+ab'), base('div', {})])
    const rows = tableRows(runs)
    expect(rows.map((r) => [r.op, r.groks, r.agrees])).toEqual([
      ['add', false, false],
      ['mul', true, true],
      ['a3+ab', null, null],
    ])
    expect(claim6(runs, SETTINGS)).toMatchObject({ verdict: 'not reproduced', numbers: { agreeShare: 0.5 } })
  })

  it('an operation groks when more than half of its finished runs grokked; the median grok step is of those', () => {
    const runs = named([base('add', { grokStep: 300 }), base('add', { grokStep: 500 }), base('add', { grokStep: null, stayedGrokked: false })])
    expect(tableRows(runs)[0]).toMatchObject({ planned: 3, finished: 3, grokked: 2, stayed: 2, medianGrokStep: 400, groks: true })
    expect(tableRows(runs.slice(1))[0]).toMatchObject({ grokked: 1, groks: false })
  })

  it('making a disagreeing operation agree never lowers the verdict', () => {
    fc.assert(
      fc.property(tableRuns(fc.boolean()), fc.nat(), (runs, i) => {
        const rows = tableRows(runs).filter((r) => r.agrees === false)
        if (rows.length === 0) return
        const op = rows[i % rows.length]!
        const after = runs.map((r) =>
          r.op !== op.op
            ? r
            : op.paperGroks
              ? { ...r, grokStep: 100, stayedGrokked: true }
              : { ...r, grokStep: null, stayedGrokked: false },
        )
        expect(RANK[verdictOf(claim6, after)]).toBeGreaterThanOrEqual(RANK[verdictOf(claim6, runs)])
      }),
    )
  })

  it("the reason says where the settings differ from the paper's, and what a short budget means", () => {
    const runs = named([base('add', {})])
    expect(claim6(runs, SETTINGS).reason).toBe(
      'a = 100 % (1 of 1); settings differ from the paper\'s: p = 31 (paper: 97), r = 0.5 (paper: 0.3), 1000 steps (paper: up to 300000); ' +
        '"not grokked within 1000 steps" is not the paper\'s verdict after 300000 steps',
    )
    expect(claim6(runs, { ...SETTINGS, p: 97, frac: 0.3, steps: 300_000 }).reason).toBe('a = 100 % (1 of 1)')
  })
})

// ─────────────────────────────────────────────────────────────────────────────
// claim 7
// ─────────────────────────────────────────────────────────────────────────────

const PV: ReadonlyArray<TransferKind> = ['pre-grokked embedding', 'pre-grokked transformer']

/** Runs of `op` of a kind, grokking or not at these steps. */
const kindRuns = (op: string, kind: TransferKind, groks: boolean, step: fc.Arbitrary<number> = fc.integer({ min: 100, max: 900 })) =>
  some(
    step.map((s) =>
      base(op, {
        transfer: kind,
        sourceGrokked: kind === 'scratch' ? null : true,
        grokStep: groks ? s : null,
        stayedGrokked: groks,
      }),
    ),
    1,
    3,
  )

const transferRuns = (lin: boolean, hard: boolean) =>
  runsOf(
    kindRuns('2a+b', 'scratch', false),
    kindRuns('a2+ab+b2', 'scratch', false),
    ...PV.map((k) => kindRuns('2a+b', k, lin)),
    ...PV.map((k) => kindRuns('a2+ab+b2', k, hard)),
    fc.boolean().chain((g) => kindRuns('2a+b', 'frozen random embedding', g)),
  )

describe('claim 7: transfer is limited to specific combinations', () => {
  it('reproduced when pre-grokked parts help 2a+b and not a2+ab+b2; not reproduced when the other way round', () => {
    fc.assert(fc.property(transferRuns(true, false), (runs) => {
        expect(verdictOf(claim7, runs)).toBe('reproduced')
      }))
    fc.assert(fc.property(transferRuns(false, true), (runs) => {
        expect(verdictOf(claim7, runs)).toBe('not reproduced')
      }))
    fc.assert(fc.property(transferRuns(true, true), (runs) => {
        expect(verdictOf(claim7, runs)).toBe('partly')
      }))
  })

  it('helping also means grokking in at most half of scratch’s median steps when both grok', () => {
    const runs = (factor: number) =>
      named([
        base('2a+b', { grokStep: 1000 }),
        base('a2+ab+b2', { grokStep: 1000 }),
        ...PV.map((k) => base('2a+b', { transfer: k, sourceGrokked: true, grokStep: 1000 * factor })),
        ...PV.map((k) => base('a2+ab+b2', { transfer: k, sourceGrokked: true, grokStep: 1000 })),
      ])
    expect(verdictOf(claim7, runs(0.5))).toBe('reproduced')
    expect(verdictOf(claim7, runs(0.6))).toBe('partly')
  })

  it('the frozen random embedding is reported, not judged', () => {
    fc.assert(
      fc.property(transferRuns(true, false), fc.boolean(), (runs, groks) => {
        const frozen = runs.map((r) =>
          r.transfer === 'frozen random embedding' ? { ...r, grokStep: groks ? 100 : null, stayedGrokked: groks } : r,
        )
        const r = claim7(frozen, SETTINGS)
        expect(r.verdict).toBe('reproduced')
        expect(r.numbers['2a+b.frozen random embedding.share']).toBe(groks ? 1 : 0)
      }),
    )
  })

  it('runs whose source did not grok are excluded; without counted runs of a pre-grokked variant it is not run', () => {
    fc.assert(
      fc.property(transferRuns(true, false), (runs) => {
        const orphaned = runs.map((r) => (r.op === '2a+b' && r.transfer === 'pre-grokked embedding' ? { ...r, sourceGrokked: false } : r))
        const r = claim7(orphaned, SETTINGS)
        expect(r.verdict).toBe('not run')
        expect(r.reason).toContain('2a+b pre-grokked embedding')
        for (const x of orphaned.filter((x) => x.sourceGrokked === false)) expect(r.counts.excluded).toContain(x.name)
      }),
    )
  })

  it('not run without scratch runs of a target', () => {
    fc.assert(
      fc.property(transferRuns(true, false), (runs) => {
        expect(verdictOf(claim7, runs.filter((r) => !(r.op === 'a2+ab+b2' && r.transfer === 'scratch')))).toBe('not run')
      },
      ),
    )
  })
})

// ─────────────────────────────────────────────────────────────────────────────
// claims.json
// ─────────────────────────────────────────────────────────────────────────────

describe('claims.json', () => {
  it('judgeClaims → JSON → decodeClaimsDocument gives the same document (NaN measures come back NaN)', () => {
    fc.assert(
      fc.property(anyEvidence, fc.array(fc.string(), { maxLength: 3 }), (runs, notes) => {
        const withNaN = runs.map((r, i) => (i === 0 && r.measures !== null ? { ...r, measures: { ...r.measures, cosShareWE: NaN } } : r))
        const doc = judgeClaims(withNaN, SETTINGS, notes)
        expect(doc.format).toBe(CLAIMS_FORMAT)
        expect(doc.claims.map((c) => c.id)).toEqual([1, 2, 3, 4, 5, 6, 7])
        const back = decodeClaimsDocument(JSON.parse(JSON.stringify(doc)))
        expect(back).toEqual(E.right(doc))
      }),
      { numRuns: 40 },
    )
  })

  it('a damaged document is refused naming the field', () => {
    const doc = JSON.parse(JSON.stringify(judgeClaims(named([base('add', { measures: M })]), SETTINGS, []))) as Record<string, unknown>
    expect(decodeClaimsDocument({ ...doc, format: 'grokscope-claims/0' })).toEqual(E.left(expect.stringContaining('format')))
    const claims = doc['claims'] as Array<Record<string, unknown>>
    expect(decodeClaimsDocument({ ...doc, claims: [{ ...claims[0], verdict: 'maybe' }] })).toEqual(
      E.left(expect.stringContaining('claims.0.verdict')),
    )
  })
})

describe('thresholds are inclusive where the rules say ≥ or ≤', () => {
  const grok = (op: string, groks: boolean) => base(op, groks ? {} : { grokStep: null, stayedGrokked: false })

  it('claim 1: A = 2·S exactly is reproduced', () => {
    const runs = named([base('sub', { measures: { ...M, asymmetry: 0.5 } }), base('add', { measures: { ...M, asymmetry: 0.25 } })])
    expect(verdictOf(claim1, runs)).toBe('reproduced')
  })

  it('claim 4: g = 80 % (4 of 5) and h = 25 % (1 of 4) is partly; h = 0 is reproduced', () => {
    const g = G_OPS.slice(0, 5).map((op, i) => grok(op, i < 4))
    expect(verdictOf(claim4, named([...g, ...HARD_OPS.map((op, i) => grok(op, i === 0))]))).toBe('partly')
    expect(verdictOf(claim4, named([...g, ...HARD_OPS.map((op) => grok(op, false))]))).toBe('reproduced')
  })

  it('claim 6: 9 of 10 agreeing is reproduced, 6 of 10 partly, 5 of 10 not reproduced', () => {
    const ops = GROKS.slice(0, 10)
    const runs = (k: number) => named(ops.map((op, i) => grok(op, i < k)))
    expect(verdictOf(claim6, runs(9))).toBe('reproduced')
    expect(verdictOf(claim6, runs(6))).toBe('partly')
    expect(verdictOf(claim6, runs(5))).toBe('not reproduced')
  })

  it('claim 3 (b): 3 of 4 (a+b)ⁿ sparse holds, 2 of 4 fails', () => {
    const runs = (k: number) => named(POWERS.slice(0, 4).map((op, i) => base(op, { measures: { ...M, ffdWE: i < k ? 0.4 : 0.41 } })))
    expect(claim3(runs(3), SETTINGS).reason).toBe('(a) no evidence, (b) held, (c) no evidence')
    expect(claim3(runs(2), SETTINGS).reason).toBe('(a) no evidence, (b) failed, (c) no evidence')
  })
})

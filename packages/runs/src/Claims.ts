/**
 * The paper's claims as verdict rules over measured runs. Each claim of the abstract of
 * Furuta et al. (arXiv 2402.16726; TMLR 2024) and its Table A.5 has a rule, written
 * here before any run of `grokscope reproduce` was looked at, with every threshold
 * named below: the rule reads the evidence of finished runs (`RunEvidence`) and says
 * `reproduced`, `partly`, `not reproduced` or `not run`, with the numbers it read. A
 * run that diverged, left its fitted training set (unstable) or fell back after it
 * grokked is never silent evidence for a pattern: the pattern claims read clean runs
 * only and name the ones they left out; the grokking claims count a run as grokked
 * when its test accuracy reached 0.99 (the paper's criterion) and say how many of
 * those stayed.
 *
 * @example
 * import { CLAIM_IDS, THRESHOLDS, judgeClaims, median } from '@grokscope/runs'
 * CLAIM_IDS.length  // => 7
 * THRESHOLDS.SPARSE_FFD  // => 0.4
 * median([4, 1, 3, 2])  // => 2.5
 * const settings = { tier: 'quick', p: 31, frac: 0.5, seeds: [0], recipe: 'AdamW', steps: 3000, paperSteps: 300000 }
 * const none = judgeClaims([], { ...settings, evalEvery: 50, stopAfterGrok: 300 }, [])
 * none.claims.map((c) => c.verdict)  // => ['not run', 'not run', 'not run', 'not run', 'not run', 'not run', 'not run']
 *
 * @since 0.4.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { OPERATIONS, firstProblem } from '@grokscope/data'
import { VERSION } from './Config.js'
import { JsonNumber } from './Record.js'

// ─────────────────────────────────────────────────────────────────────────────
// thresholds (fixed before any run of the reproduction; never tuned to a result)
// ─────────────────────────────────────────────────────────────────────────────

/**
 * Every threshold a verdict rule reads. Chosen from the paper's statements and the reference figures of an
 * independent implementation (docs/REPRODUCE.md says why each one), before any reproduction run was read.
 */
export const THRESHOLDS = {
  /** FFD(W_E) at or below this is sparse (a few key frequencies: addition's 0.10–0.17 at p = 97, 0.33 at p = 31). */
  SPARSE_FFD: 0.4,
  /** FFD(W_E) at or above this is dense (components at nearly all frequencies: multiplication's 1.00). */
  DENSE_FFD: 0.8,
  /** FCR(W_E) at or below this: each frequency is biased to its cosine or its sine. */
  BIASED_FCR: 0.6,
  /** FCR(W_E) at or below this is "near 0": one of cosine and sine only. */
  NEAR_ZERO_FCR: 0.2,
  /** The cosines' share of the non-constant energy of W_E at or above this: cosine-biased. */
  COS_SHARE: 0.5,
  /** Subtraction's median logits-map asymmetry at least this many times the symmetric operations' median: strongly asymmetric. */
  ASYMMETRY_RATIO: 2,
  /** An operation groks in a setting when more than this share of its finished runs grokked. */
  GROK_MAJORITY: 0.5,
  /** Claim 4: at least this share of the symmetric and alternating operations grok ("easily"). */
  EASY_SHARE: 0.8,
  /** Claim 4: at most this share of the non-factorizable cross terms grok. */
  HARD_SHARE: 0.2,
  /** "Most": claims 3 and 5 hold for at least this share of the runs or operations they read. */
  MOST_SHARE: 0.75,
  /** Claim 5: a measure that moves less than this from its first evaluation to the end has not changed. */
  MIN_CHANGE: 0.1,
  /** Claim 5: addition's and multiplication's median FFD or FCR of W_E at least this far apart: separated. */
  SEPARATION: 0.3,
  /** Claim 6: at least this share of the operations agreeing with Table A.5: reproduced. */
  AGREE_REPRODUCED: 0.9,
  /** Claim 6: at least this share agreeing: partly reproduced. */
  AGREE_PARTLY: 0.6,
  /** Claim 7: a transfer variant helps when it groks where scratch does not, or at most this fraction of scratch's grok step. */
  HELP_FACTOR: 0.5,
} as const

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** The claims, in the order of the paper's abstract, then Table A.5 and the transfer ablation. */
export const CLAIM_IDS = [1, 2, 3, 4, 5, 6, 7] as const
export type ClaimId = (typeof CLAIM_IDS)[number]

/** A claim's verdict. `not run`: the runs it reads are missing, unfinished, or none of them qualifies (the reason says which). */
export type Verdict = 'reproduced' | 'partly' | 'not reproduced' | 'not run'

/** How a run was trained: from scratch, or one of the paper's three transfer variants. */
export type TransferKind = 'scratch' | 'pre-grokked embedding' | 'pre-grokked transformer' | 'frozen random embedding'

/** The measures of the weights a claim reads (the end of the run, or its grok step: `RunEvidence.weightsAt`). */
export interface WeightEvidence {
  /** FFD and FCR of `W_E[0:p]` in the additive Fourier basis (η = 0.5). */
  readonly ffdWE: number
  readonly fcrWE: number
  /** The cosines' share `Σμ² / Σ(μ² + ν²)` of `W_E`'s non-constant spectrum (NaN: no energy). */
  readonly cosShareWE: number
  /** FFD and FCR of the neuron-logit map `W_L`. */
  readonly ffdWL: number
  readonly fcrWL: number
  /** FFD and FCR of `W_E` in the multiplicative basis (`null` for p < 5). */
  readonly mulFfdWE: number | null
  readonly mulFcrWE: number | null
  /** `‖M − Mᵀ‖_F / ‖M‖_F` of the logits map in the 2-D Fourier basis (the run's first operation). */
  readonly asymmetry: number
}

/** One evaluation of a run, as claim 5 reads it. */
export interface CurvePoint {
  readonly step: number
  readonly trainAcc: number
  readonly testAcc: number
  readonly ffdWE: number
  readonly fcrWE: number
}

/** What the rules know of one planned run. */
export interface RunEvidence {
  /** The run's folder name. */
  readonly name: string
  /** The reproduction's stage folder (`ops` or `transfer`). */
  readonly stage: string
  /** The operation id (a reproduction's runs each train one operation). */
  readonly op: string
  readonly p: number
  readonly frac: number
  readonly seed: number
  readonly transfer: TransferKind
  /** False: the run is planned but has not finished (never started, running, interrupted or failed); every field below is then empty. */
  readonly finished: boolean
  readonly steps: number
  /** The first evaluation whose test accuracy reached 0.99, or null. */
  readonly grokStep: number | null
  /** Every evaluation from the grok step on stayed at 0.99 or above (false when it never grokked). */
  readonly stayedGrokked: boolean
  /** The first evaluation whose train accuracy reached 0.99, or null. */
  readonly fitStep: number | null
  /** It left its fitted training set (`runStability`). */
  readonly unstable: boolean
  readonly diverged: boolean
  readonly finalTestAcc: number | null
  readonly bestTestAcc: number | null
  /** Which weights `measures` are of: the end, or (a run that grokked and fell back) the grok step's, from its history. */
  readonly weightsAt: 'end' | 'grok'
  readonly measures: WeightEvidence | null
  readonly curve: ReadonlyArray<CurvePoint>
  /** For a transfer run: whether its source run grokked and stayed grokked (null: scratch). */
  readonly sourceGrokked: boolean | null
}

/** How many of the runs a claim read did what. */
export interface RunCounts {
  readonly planned: number
  readonly finished: number
  readonly grokked: number
  readonly stayed: number
  readonly unstable: number
  readonly diverged: number
  /** Finished runs the rule left out: diverged or unmeasured grokked runs, or transfer runs whose source did not grok, by name. */
  readonly excluded: ReadonlyArray<string>
  /** The runs of a pattern claim's evidence that were unstable or fell back after grokking, by name (read, and said so). */
  readonly unclean: ReadonlyArray<string>
}

/** One claim's statement, rule and result. */
export interface ClaimResult {
  readonly id: ClaimId
  /** A few words: "Subtraction is strongly asymmetric". */
  readonly title: string
  /** What the paper says, quoted or closely paraphrased, with where. */
  readonly paper: string
  /** The verdict rule in words, with its thresholds' values. */
  readonly rule: string
  /** One line of what was measured, with the numbers. */
  readonly measured: string
  readonly verdict: Verdict
  /** Why this verdict (for `not run`: what is missing). */
  readonly reason: string
  readonly counts: RunCounts
  /** Every number the rule read, by name (medians, shares, per-operation values). */
  readonly numbers: Readonly<Record<string, number | null>>
  /** The runs whose evidence the rule read. */
  readonly evidence: ReadonlyArray<string>
}

/** One row of claim 6: an operation of Table A.5 against the paper's verdict. */
export interface TableRow {
  readonly op: string
  readonly formula: string
  readonly family: string
  /** The paper's verdict at r = 0.3. */
  readonly paperGroks: boolean
  readonly planned: number
  readonly finished: number
  readonly grokked: number
  readonly stayed: number
  readonly unstable: number
  readonly diverged: number
  /** Median grok step of the runs that grokked, or null. */
  readonly medianGrokStep: number | null
  /** Ours: the operation groks (more than GROK_MAJORITY of its finished runs grokked); null: no finished run. */
  readonly groks: boolean | null
  /** Whether ours equals the paper's; null: no finished run. */
  readonly agrees: boolean | null
}

/** The `format` of claims.json written now. */
export const CLAIMS_FORMAT = 'grokscope-claims/1'

/** What was run: the tier and its settings, as the report states them. */
export interface ClaimsSettings {
  readonly tier: string
  readonly p: number
  readonly frac: number
  readonly seeds: ReadonlyArray<number>
  /** The recipe in words ("AdamW, lr 2e-2, wd 2 (--recipe fast)"). */
  readonly recipe: string
  /** The step budget of each run, and the paper's (3·10⁵). */
  readonly steps: number
  readonly paperSteps: number
  readonly evalEvery: number
  readonly stopAfterGrok: number | null
}

/** `ClaimsSettings` in claims.json and reproduce.json. */
export const ClaimsSettingsCodec: t.Type<ClaimsSettings, ClaimsSettings, unknown> = t.type({
  tier: t.string,
  p: t.number,
  frac: t.number,
  seeds: t.readonlyArray(t.number),
  recipe: t.string,
  steps: t.number,
  paperSteps: t.number,
  evalEvery: t.number,
  stopAfterGrok: t.union([t.number, t.null]),
})

/** claims.json: the settings, every claim's result, claim 6's table, every run's evidence, and what was not run or cut. */
export interface ClaimsDocument {
  readonly format: typeof CLAIMS_FORMAT
  readonly grokscope: string
  readonly settings: ClaimsSettings
  readonly claims: ReadonlyArray<ClaimResult>
  readonly table: ReadonlyArray<TableRow>
  readonly runs: ReadonlyArray<RunEvidence>
  /** Every budget cut, run not run and setting that differs from the paper's, one line each. */
  readonly notes: ReadonlyArray<string>
}

/** The operations claim 1 compares subtraction with, and claim 4 (without `add`) expects to grok: `add`, `aⁿ+bⁿ` and `(a+b)ⁿ`, n = 2..7. */
export const SYMMETRIC_OPS: ReadonlyArray<string> = [
  'add',
  ...[2, 3, 4, 5, 6, 7].map((n) => `a${n}+b${n}`),
  ...[2, 3, 4, 5, 6, 7].map((n) => `(a+b)${n}`),
]

/** Claim 4: the non-factorizable cross terms, which do not grok in Table A.5. */
export const HARD_OPS: ReadonlyArray<string> = ['a2+ab+b2', 'a3+ab', 'a2+ab+b2+a', 'a3+ab2+b']

/** Claim 7: the transfer variants load from this operation's runs. */
export const TRANSFER_SOURCE = 'add'

/** Claim 7's targets: a linear expression (transfer helps, the paper says) and a non-factorizable one (it does not). */
export const TRANSFER_TARGETS = ['2a+b', 'a2+ab+b2'] as const

// ─────────────────────────────────────────────────────────────────────────────
// utils
// ─────────────────────────────────────────────────────────────────────────────

const T = THRESHOLDS

/** The median: null for none; of an even count, the mean of the two middle values. */
export const median = (xs: ReadonlyArray<number>): number | null => {
  if (xs.length === 0) return null
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** The median of the finite values (a measure that is NaN is no evidence). */
const medianOf = (xs: ReadonlyArray<number | null>): number | null =>
  median(xs.filter((x): x is number => x !== null && Number.isFinite(x)))

/** A number as `numbers` holds it: a non-finite one is null (claims.json has no NaN). */
const num = (x: number | null): number | null => (x === null || !Number.isFinite(x) ? null : x)

/** A number in a sentence: three significant digits, `n/a` for none. */
const fmt = (x: number | null): string => (x === null || !Number.isFinite(x) ? 'n/a' : String(Number(x.toPrecision(3))))

/** `1 run`, `2 runs`. */
const runsText = (n: number): string => `${n} run${n === 1 ? '' : 's'}`

const pct = (x: number | null): string => (x === null ? 'n/a' : `${Math.round(x * 100)} %`)

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const names = (runs: ReadonlyArray<RunEvidence>): ReadonlyArray<string> => runs.map((r) => r.name).sort(byName)

const isScratch = (r: RunEvidence): boolean => r.transfer === 'scratch'
const isGrokked = (r: RunEvidence): boolean => r.finished && r.grokStep !== null

/** Finished, not diverged, not unstable, and (if it grokked) stayed grokked. */
export const isClean = (r: RunEvidence): boolean => r.finished && !r.diverged && !r.unstable && (r.grokStep === null || r.stayedGrokked)

/**
 * The evidence of a pattern claim (1, 2, 3 and 5): a finished run that grokked, did not diverge and has measures, taken
 * where it was grokked (the end, or the grok step of a run that fell back). Its unclean ones are named in `counts.unclean`.
 */
export const isPatternEvidence = (r: RunEvidence): boolean => r.finished && !r.diverged && r.grokStep !== null && r.measures !== null

const measuresOf = (runs: ReadonlyArray<RunEvidence>): ReadonlyArray<WeightEvidence> =>
  runs.flatMap((r) => (r.measures === null ? [] : [r.measures]))

/** How many of these runs did what; `excluded` as given; `unclean`, the runs of `evidence` that are not clean. */
const countsOf = (
  runs: ReadonlyArray<RunEvidence>,
  excluded: ReadonlyArray<string>,
  evidence: ReadonlyArray<RunEvidence> = [],
): RunCounts => {
  const done = runs.filter((r) => r.finished)
  return {
    planned: runs.length,
    finished: done.length,
    grokked: done.filter(isGrokked).length,
    stayed: done.filter((r) => isGrokked(r) && r.stayedGrokked).length,
    unstable: done.filter((r) => r.unstable).length,
    diverged: done.filter((r) => r.diverged).length,
    excluded: [...excluded].sort(byName),
    unclean: names(evidence.filter((r) => !isClean(r))),
  }
}

/** The measured line's note on the unclean runs among a pattern's evidence, or ''. */
const uncleanText = (evidence: ReadonlyArray<RunEvidence>): string => {
  const k = evidence.filter((r) => !isClean(r)).length
  return k === 0 ? '' : `; ${k} of these ${runsText(evidence.length)} unstable or fell back (each measured at its grok step if it fell back)`
}

/** The finished runs a pattern claim left out: diverged, or grokked without measures. */
const leftOut = (runs: ReadonlyArray<RunEvidence>): ReadonlyArray<string> =>
  runs.filter((r) => r.finished && r.grokStep !== null && !isPatternEvidence(r)).map((r) => r.name)


/** Why a pattern has no evidence from `label`'s runs: how many finished, grokked, and were left out. */
const noCleanGrokked = (label: string, runs: ReadonlyArray<RunEvidence>, s: ClaimsSettings): string => {
  const done = runs.filter((r) => r.finished)
  if (done.length === 0) return `no finished ${label} run (${runs.length} planned)`
  const grokked = done.filter(isGrokked)
  const left = grokked.filter((r) => !isPatternEvidence(r)).length
  return (
    `no grokked ${label} run: ${label} grokked in ${grokked.length} of ${done.length} finished runs within the ` +
    `${s.steps}-step budget${left > 0 ? ` (${left} of them left out: diverged or unmeasured)` : ''}`
  )
}

/** Whether an operation groks: more than GROK_MAJORITY of its finished scratch runs grokked; null: none finished. */
const groksOf = (runs: ReadonlyArray<RunEvidence>, op: string): { readonly n: number; readonly k: number; readonly groks: boolean } => {
  const done = runs.filter((r) => isScratch(r) && r.op === op && r.finished)
  const k = done.filter(isGrokked).length
  return { n: done.length, k, groks: done.length > 0 && k / done.length > T.GROK_MAJORITY }
}

const CLEAN =
  'evidence: the grokked runs that did not diverge, each measured where it was grokked (at its grok step if it fell back); ' +
  'the unstable or fallen-back ones among them are named in counts.unclean, diverged ones in counts.excluded'

const budgetText = (s: ClaimsSettings): string => `within the ${s.steps}-step budget`

// ─────────────────────────────────────────────────────────────────────────────
// the claims
// ─────────────────────────────────────────────────────────────────────────────

/** Claim 1: subtraction's logits map is far more asymmetric than the symmetric operations'. */
export const claim1 = (runs: ReadonlyArray<RunEvidence>, s: ClaimsSettings): ClaimResult => {
  const read = runs.filter((r) => isScratch(r) && (r.op === 'sub' || SYMMETRIC_OPS.includes(r.op)))
  const sub = read.filter((r) => r.op === 'sub' && isPatternEvidence(r))
  const sym = read.filter((r) => r.op !== 'sub' && isPatternEvidence(r))
  const A = medianOf(measuresOf(sub).map((m) => m.asymmetry))
  const S = medianOf(measuresOf(sym).map((m) => m.asymmetry))
  const ratio = A === null || S === null || S === 0 ? null : A / S
  const verdict: Verdict =
    A === null || S === null ? 'not run' : A > 0 && A >= T.ASYMMETRY_RATIO * S ? 'reproduced' : A > S ? 'partly' : 'not reproduced'
  const perOp = Object.fromEntries(
    ['sub', ...SYMMETRIC_OPS].filter((op) => read.some((r) => r.op === op && isPatternEvidence(r))).map((op) => [
      `asymmetry.${op}`,
      num(medianOf(measuresOf(read.filter((r) => r.op === op && isPatternEvidence(r))).map((m) => m.asymmetry))),
    ]),
  )
  return {
    id: 1,
    title: 'Subtraction is strongly asymmetric',
    paper: 'Abstract: "subtraction poses a strong asymmetry on Transformer".',
    rule:
      `A = median logits-map asymmetry ‖M − Mᵀ‖/‖M‖ of the grokked sub runs, S = the same over the symmetric operations ` +
      `(add, aⁿ+bⁿ, (a+b)ⁿ, n = 2..7; scratch runs); reproduced if A > 0 and A ≥ ${T.ASYMMETRY_RATIO}·S, partly if A > S, ` +
      `else not reproduced; not run without both (${CLEAN})`,
    measured:
      `sub's median asymmetry ${fmt(A)} (${runsText(sub.length)}) vs the symmetric operations' ${fmt(S)} (${runsText(sym.length)})` +
      `${ratio === null ? '' : `: ${fmt(ratio)}×`}${uncleanText([...sub, ...sym])}`,
    verdict,
    reason:
      A === null
        ? noCleanGrokked('sub', read.filter((r) => r.op === 'sub'), s)
        : S === null
          ? noCleanGrokked('symmetric-operation', read.filter((r) => r.op !== 'sub'), s)
          : verdict === 'reproduced'
            ? `A = ${fmt(A)} ≥ ${T.ASYMMETRY_RATIO} × S = ${fmt(T.ASYMMETRY_RATIO * S)}`
            : verdict === 'partly'
              ? `A = ${fmt(A)} > S = ${fmt(S)} but < ${T.ASYMMETRY_RATIO} × S`
              : `A = ${fmt(A)} is not above S = ${fmt(S)}${A === 0 ? ' (A = 0)' : ''}`,
    counts: countsOf(read, leftOut(read), [...sub, ...sym]),
    numbers: { A: num(A), S: num(S), ratio: num(ratio), subRuns: sub.length, symmetricRuns: sym.length, ...perOp },
    evidence: names([...sub, ...sym]),
  }
}

/** Claim 2: multiplication's embedding is dense and cosine-biased in the additive basis, sparse in the multiplicative one. */
export const claim2 = (runs: ReadonlyArray<RunEvidence>, s: ClaimsSettings): ClaimResult => {
  const read = runs.filter((r) => isScratch(r) && r.op === 'mul')
  const mul = read.filter(isPatternEvidence)
  const m = measuresOf(mul)
  const F = medianOf(m.map((x) => x.ffdWE))
  const R = medianOf(m.map((x) => x.fcrWE))
  const C = medianOf(m.map((x) => x.cosShareWE))
  const M = medianOf(m.map((x) => x.mulFfdWE))
  const dense = F !== null && F >= T.DENSE_FFD
  const biased = R !== null && R <= T.BIASED_FCR && C !== null && C >= T.COS_SHARE
  const sparse = M !== null && M <= T.SPARSE_FFD
  const held = [dense, biased, sparse].filter(Boolean).length
  const verdict: Verdict = mul.length === 0 ? 'not run' : held === 3 ? 'reproduced' : held === 2 ? 'partly' : 'not reproduced'
  const says = (ok: boolean, what: string) => `${what} ${ok ? 'held' : 'failed'}`
  return {
    id: 2,
    title: 'Multiplication needs cosine-biased components at all frequencies',
    paper: 'Abstract: "multiplication requires cosine-biased components at all the frequencies in a Fourier domain".',
    rule:
      `over the grokked mul runs, medians F = FFD(W_E), R = FCR(W_E), C = cosine share of W_E, M = FFD(W_E) in the ` +
      `multiplicative basis; conditions: dense F ≥ ${T.DENSE_FFD}; cosine-biased R ≤ ${T.BIASED_FCR} and C ≥ ${T.COS_SHARE}; ` +
      `sparse in the multiplicative basis M ≤ ${T.SPARSE_FFD}; reproduced: all 3, partly: 2, not reproduced: at most 1; ` +
      `not run without a grokked mul run (${CLEAN})`,
    measured:
      `mul (${runsText(mul.length)}): FFD(W_E) ${fmt(F)}, FCR(W_E) ${fmt(R)}, cosine share ${fmt(C)}, multiplicative FFD(W_E) ` +
      `${fmt(M)}${uncleanText(mul)}`,
    verdict,
    reason:
      mul.length === 0
        ? noCleanGrokked('mul', read, s)
        : `${held} of 3 conditions held: ${[says(dense, 'dense'), says(biased, 'cosine-biased'), says(sparse, 'multiplicatively sparse')].join(', ')}`,
    counts: countsOf(read, leftOut(read), mul),
    numbers: { F: num(F), R: num(R), C: num(C), M: num(M), runs: mul.length, conditionsHeld: mul.length === 0 ? null : held },
    evidence: names(mul),
  }
}

/** A sub-check of a claim: whether it held, or null when it has no evidence; a line of what it read. */
interface SubCheck {
  readonly held: boolean | null
  readonly text: string
}

const checkText = (label: string, c: SubCheck): string => `${label} ${c.held === null ? 'no evidence' : c.held ? 'held' : 'failed'}`

/** The operations claim 3 reads no pattern from: the random table and division (not part of Table A.5's verdicts). */
const NO_PATTERN_OPS: ReadonlyArray<string> = ['rand', 'div']

/** Claim 3: polynomials superpose elementary patterns; those that do not grok show no clear pattern. */
export const claim3 = (runs: ReadonlyArray<RunEvidence>, s: ClaimsSettings): ClaimResult => {
  const read = runs.filter((r) => isScratch(r) && !NO_PATTERN_OPS.includes(r.op))
  // (a) a²+b²: cosine-only components.
  const sq = read.filter((r) => r.op === 'a2+b2' && isPatternEvidence(r))
  const sqFcr = medianOf(measuresOf(sq).map((m) => m.fcrWE))
  const sqCos = medianOf(measuresOf(sq).map((m) => m.cosShareWE))
  const a: SubCheck = {
    held: sq.length === 0 ? null : sqFcr !== null && sqFcr <= T.NEAR_ZERO_FCR && sqCos !== null && sqCos >= T.COS_SHARE,
    text: `a2+b2 (${runsText(sq.length)}): FCR(W_E) ${fmt(sqFcr)}, cosine share ${fmt(sqCos)}`,
  }
  // (b) (a+b)ⁿ: addition-like sparse frequencies, per operation.
  const powers = [2, 3, 4, 5, 6, 7].map((n) => `(a+b)${n}`)
  const powerFfd = powers.flatMap((op) => {
    const ffd = medianOf(measuresOf(read.filter((r) => r.op === op && isPatternEvidence(r))).map((m) => m.ffdWE))
    return ffd === null ? [] : [{ op, ffd }]
  })
  const sparseShare = powerFfd.length === 0 ? null : powerFfd.filter((x) => x.ffd <= T.SPARSE_FFD).length / powerFfd.length
  const b: SubCheck = {
    held: sparseShare === null ? null : sparseShare >= T.MOST_SHARE,
    text: `(a+b)ⁿ sparse in ${powerFfd.filter((x) => x.ffd <= T.SPARSE_FFD).length} of ${powerFfd.length} grokked operations`,
  }
  // (c) no clear pattern where it did not grok.
  const never = read.filter((r) => r.finished && !r.diverged && r.grokStep === null && r.measures !== null)
  const unclear = never.filter((r) => r.measures!.ffdWE > T.SPARSE_FFD && r.measures!.fcrWE > T.NEAR_ZERO_FCR)
  const unclearShare = never.length === 0 ? null : unclear.length / never.length
  const c: SubCheck = {
    held: unclearShare === null ? null : unclearShare >= T.MOST_SHARE,
    text:
      `no clear pattern in ${unclear.length} of ${never.length} runs that never grokked` +
      `${never.some((r) => r.unstable) ? ` (${never.filter((r) => r.unstable).length} of them unstable)` : ''}`,
  }
  const checks = [a, b, c]
  const withEvidence = checks.filter((x) => x.held !== null)
  const held = withEvidence.filter((x) => x.held === true).length
  const verdict: Verdict =
    withEvidence.length === 0
      ? 'not run'
      : held === withEvidence.length && withEvidence.length >= 2
        ? 'reproduced'
        : held >= 1
          ? 'partly'
          : 'not reproduced'
  const used = new Set([...sq, ...read.filter((r) => powers.includes(r.op) && isPatternEvidence(r)), ...never].map((r) => r.name))
  return {
    id: 3,
    title: 'Polynomials superpose elementary patterns; no clear pattern where they do not grok',
    paper:
      'Abstract: "polynomials often result in the superposition of the patterns from elementary arithmetic, but clear patterns ' +
      'do not emerge in challenging cases".',
    rule:
      `(a) a2+b2 is cosine-only: its grokked runs' median FCR(W_E) ≤ ${T.NEAR_ZERO_FCR} and median cosine share ≥ ` +
      `${T.COS_SHARE}; (b) (a+b)ⁿ is addition-like: of the operations (a+b)2..(a+b)7 with a grokked run, at least ` +
      `${pct(T.MOST_SHARE)} have median FFD(W_E) ≤ ${T.SPARSE_FFD}; (c) no clear pattern without grokking: of the finished, ` +
      `not diverged scratch runs (any operation but rand and div) that never grokked, at least ${pct(T.MOST_SHARE)} have ` +
      `FFD(W_E) > ${T.SPARSE_FFD} and FCR(W_E) > ${T.NEAR_ZERO_FCR}; reproduced: every sub-check with evidence held and at ` +
      `least 2 have evidence; partly: at least one held; not reproduced: none held; not run: none has evidence (${CLEAN})`,
    measured: `(a) ${a.text}; (b) ${b.text}; (c) ${c.text}${uncleanText(read.filter((r) => used.has(r.name)))}`,
    verdict,
    reason:
      withEvidence.length === 0
        ? `no sub-check has evidence: ${noCleanGrokked('a2+b2', read.filter((r) => r.op === 'a2+b2'), s)}; no grokked ` +
          `(a+b)ⁿ run; no finished run that never grokked`
        : `${[checkText('(a)', a), checkText('(b)', b), checkText('(c)', c)].join(', ')}`,
    counts: countsOf(read, leftOut(read), read.filter((r) => used.has(r.name))),
    numbers: {
      'a.fcrWE': num(sqFcr),
      'a.cosShareWE': num(sqCos),
      'a.runs': sq.length,
      'b.sparseShare': num(sparseShare),
      ...Object.fromEntries(powerFfd.map((x) => [`b.ffdWE.${x.op}`, num(x.ffd)])),
      'c.unclearShare': num(unclearShare),
      'c.runs': never.length,
    },
    evidence: [...used].sort(byName),
  }
}

/** Claim 4: the symmetric and alternating higher-degree operations grok; the non-factorizable cross terms do not. */
export const claim4 = (runs: ReadonlyArray<RunEvidence>, s: ClaimsSettings): ClaimResult => {
  const G = SYMMETRIC_OPS.filter((op) => op !== 'add')
  const read = runs.filter((r) => isScratch(r) && (G.includes(r.op) || HARD_OPS.includes(r.op)))
  const gOps = G.map((op) => ({ op, ...groksOf(read, op) })).filter((x) => x.n > 0)
  const hOps = HARD_OPS.map((op) => ({ op, ...groksOf(read, op) })).filter((x) => x.n > 0)
  const g = gOps.length === 0 ? null : gOps.filter((x) => x.groks === true).length / gOps.length
  const h = hOps.length === 0 ? null : hOps.filter((x) => x.groks === true).length / hOps.length
  const easy = g !== null && g >= T.EASY_SHARE
  const hard = h !== null && h <= T.HARD_SHARE
  const verdict: Verdict = g === null || h === null ? 'not run' : easy && hard ? 'reproduced' : easy || hard ? 'partly' : 'not reproduced'
  const counts = countsOf(read, [])
  const list = (xs: ReadonlyArray<{ readonly op: string; readonly groks: boolean | null }>) =>
    xs.filter((x) => x.groks === true).map((x) => x.op).join(', ') || 'none'
  return {
    id: 4,
    title: 'Symmetric and alternating higher-degree expressions grok easily; non-factorizable cross terms do not',
    paper:
      'Abstract: "grokking can easily occur even in higher-degree formulas with basic symmetric and alternating expressions"; ' +
      'Table A.5: a²+ab+b², a³+ab, a²+ab+b²+a and a³+ab²+b do not grok.',
    rule:
      `an operation groks when more than ${pct(T.GROK_MAJORITY)} of its finished scratch runs reached test accuracy 0.99; ` +
      `g = share of aⁿ+bⁿ and (a+b)ⁿ (n = 2..7) that grok, h = share of ${HARD_OPS.join(', ')} that grok (operations ` +
      `with a finished run only); reproduced: g ≥ ${pct(T.EASY_SHARE)} and h ≤ ${pct(T.HARD_SHARE)}; partly: one of them; ` +
      `not reproduced: neither; not run: either group has no finished operation`,
    measured:
      `${gOps.filter((x) => x.groks === true).length} of ${gOps.length} symmetric/alternating operations grok (g = ${pct(g)}), ` +
      `${hOps.filter((x) => x.groks === true).length} of ${hOps.length} cross terms grok (h = ${pct(h)}: ${list(hOps)}) ${budgetText(s)}; ` +
      `${counts.stayed} of the ${runsText(counts.grokked)} that grokked stayed grokked; ${counts.unstable} unstable, ${counts.diverged} diverged`,
    verdict,
    reason:
      g === null || h === null
        ? `no finished scratch run of ${g === null ? 'any symmetric or alternating operation' : 'any cross term'} (${s.steps}-step budget)`
        : `easy ${easy ? 'held' : 'failed'} (g = ${pct(g)}), hard ${hard ? 'held' : 'failed'} (h = ${pct(h)})` +
          `${s.steps < s.paperSteps ? `; "does not grok" here means not within ${s.steps} steps (the paper's budget: ${s.paperSteps})` : ''}`,
    counts,
    numbers: {
      g: num(g),
      h: num(h),
      ...Object.fromEntries([...gOps, ...hOps].map((x) => [`share.${x.op}`, x.k / x.n])),
    },
    evidence: names(read.filter((r) => r.finished)),
  }
}

/** Claim 5 (a): whether a run's FFD or FCR of W_E changed around the grok (fit step − e to grok step + e). */
export const alignment = (r: RunEvidence): 'aligned' | 'not aligned' | 'no change' | 'no curve' => {
  const grok = r.grokStep
  // A run that fell back is read up to its grok step, where it was grokked.
  const c = grok === null || r.stayedGrokked ? r.curve : r.curve.filter((p) => p.step <= grok)
  if (c.length < 3 || grok === null) return 'no curve'
  const first = c[0]!
  const last = c[c.length - 1]!
  const deltas = (['ffdWE', 'fcrWE'] as const).map((k) => ({ k, d: Math.abs(last[k] - first[k]) })).filter((x) => Number.isFinite(x.d))
  const best = deltas.reduce<{ k: 'ffdWE' | 'fcrWE'; d: number } | null>((m, x) => (m === null || x.d > m.d ? x : m), null)
  if (best === null || best.d < T.MIN_CHANGE) return 'no change'
  const tau = c.find((p) => Math.abs(p[best.k] - first[best.k]) >= best.d / 2)!.step
  const e = Math.min(...c.slice(1).map((p, i) => Math.abs(p.step - c[i]!.step)))
  return (r.fitStep ?? first.step) - e <= tau && tau <= grok + e ? 'aligned' : 'not aligned'
}

/** Claim 5: FFD and FCR change with the late generalization, and separate addition's representation from multiplication's. */
export const claim5 = (runs: ReadonlyArray<RunEvidence>, s: ClaimsSettings): ClaimResult => {
  const read = runs.filter(isScratch)
  const tracked = read.filter((r) => isPatternEvidence(r) && alignment(r) !== 'no curve')
  const aligned = tracked.filter((r) => alignment(r) === 'aligned').length
  const noChange = tracked.filter((r) => alignment(r) === 'no change').length
  const alignedShare = tracked.length === 0 ? null : aligned / tracked.length
  const a: SubCheck = {
    held: alignedShare === null ? null : alignedShare >= T.MOST_SHARE,
    text: `FFD or FCR changed around the grok in ${aligned} of ${tracked.length} grokked runs with 3 or more evaluations (${noChange} with no change)`,
  }
  const medians = (op: string) => {
    const m = measuresOf(read.filter((r) => r.op === op && isPatternEvidence(r)))
    return { ffd: medianOf(m.map((x) => x.ffdWE)), fcr: medianOf(m.map((x) => x.fcrWE)) }
  }
  const add = medians('add')
  const mul = medians('mul')
  const dFfd = add.ffd === null || mul.ffd === null ? null : Math.abs(add.ffd - mul.ffd)
  const dFcr = add.fcr === null || mul.fcr === null ? null : Math.abs(add.fcr - mul.fcr)
  const b: SubCheck = {
    held: dFfd === null && dFcr === null ? null : (dFfd ?? 0) >= T.SEPARATION || (dFcr ?? 0) >= T.SEPARATION,
    text: `add vs mul: FFD(W_E) ${fmt(add.ffd)} vs ${fmt(mul.ffd)}, FCR(W_E) ${fmt(add.fcr)} vs ${fmt(mul.fcr)}`,
  }
  const withEvidence = [a, b].filter((x) => x.held !== null)
  const held = withEvidence.filter((x) => x.held === true).length
  const verdict: Verdict =
    withEvidence.length === 0
      ? 'not run'
      : withEvidence.length === 2
        ? held === 2
          ? 'reproduced'
          : held === 1
            ? 'partly'
            : 'not reproduced'
        : held === 1
          ? 'partly'
          : 'not reproduced'
  const separation = read.filter((r) => (r.op === 'add' || r.op === 'mul') && isPatternEvidence(r))
  return {
    id: 5,
    title: "FFD and FCR track late generalization and separate the operations' representations",
    paper:
      'Abstract: "Fourier Frequency Sparsity and Fourier Coefficient Ratio, which not only indicate the late generalization but ' +
      'also characterize distinctive internal representations of grokked models per modular operation".',
    rule:
      `(a) tracking: in each grokked scratch run with at least 3 evaluations, of FFD(W_E) and FCR(W_E) the one that ` +
      `changed more from the first evaluation to the last (by less than ${T.MIN_CHANGE}: no change, not aligned) crosses half ` +
      `its change at a step τ with fit step − e ≤ τ ≤ grok step + e (e: the evaluation interval); held if at least ` +
      `${pct(T.MOST_SHARE)} of the runs are aligned; (b) separation: the grokked add and mul runs' median FFD(W_E) or ` +
      `FCR(W_E) differ by at least ${T.SEPARATION}; reproduced: both held; partly: one held (or the only one with evidence ` +
      `held); not reproduced: none held; not run: neither has evidence (${CLEAN})`,
    measured: `(a) ${a.text}; (b) ${b.text}${uncleanText(read.filter((r) => tracked.includes(r) || separation.includes(r)))}`,
    verdict,
    reason:
      withEvidence.length === 0
        ? `no grokked scratch run with 3 evaluations, and no grokked add and mul runs: ` +
          `${read.filter(isGrokked).length} of ${read.filter((r) => r.finished).length} finished scratch runs grokked ${budgetText(s)}`
        : `${checkText('(a) tracking', a)}, ${checkText('(b) separation', b)}`,
    counts: countsOf(read, leftOut(read), read.filter((r) => tracked.includes(r) || separation.includes(r))),
    numbers: {
      alignedShare: num(alignedShare),
      trackedRuns: tracked.length,
      noChangeRuns: noChange,
      'add.ffdWE': num(add.ffd),
      'add.fcrWE': num(add.fcr),
      'mul.ffdWE': num(mul.ffd),
      'mul.fcrWE': num(mul.fcr),
      deltaFfdWE: num(dFfd),
      deltaFcrWE: num(dFcr),
    },
    evidence: names([...new Set([...tracked, ...separation])]),
  }
}

/** Claim 6's table: one row per operation of Table A.5 with a planned scratch run, in `OPERATIONS` order. */
export const tableRows = (runs: ReadonlyArray<RunEvidence>): ReadonlyArray<TableRow> =>
  OPERATIONS.flatMap((op) => {
    if (op.groksInPaper === null) return []
    const planned = runs.filter((r) => isScratch(r) && r.op === op.id)
    if (planned.length === 0) return []
    const done = planned.filter((r) => r.finished)
    const grokked = done.filter(isGrokked)
    const groks = done.length === 0 ? null : grokked.length / done.length > T.GROK_MAJORITY
    return [
      {
        op: op.id,
        formula: op.formula,
        family: op.family,
        paperGroks: op.groksInPaper,
        planned: planned.length,
        finished: done.length,
        grokked: grokked.length,
        stayed: grokked.filter((r) => r.stayedGrokked).length,
        unstable: done.filter((r) => r.unstable).length,
        diverged: done.filter((r) => r.diverged).length,
        medianGrokStep: median(grokked.map((r) => r.grokStep!)),
        groks,
        agrees: groks === null ? null : groks === op.groksInPaper,
      },
    ]
  })

const paperSets = (): string => {
  const paper = OPERATIONS.filter((op) => op.groksInPaper !== null)
  return (
    `groks: ${paper.filter((op) => op.groksInPaper === true).map((op) => op.id).join(', ')}; ` +
    `does not grok: ${paper.filter((op) => op.groksInPaper === false).map((op) => op.id).join(', ')}`
  )
}

/** How these settings differ from the paper's (p = 97, r = 0.3, its budget), as a clause; '' when they do not. */
const differences = (s: ClaimsSettings): string => {
  const d = [
    ...(s.p !== 97 ? [`p = ${s.p} (paper: 97)`] : []),
    ...(s.frac !== 0.3 ? [`r = ${s.frac} (paper: 0.3)`] : []),
    ...(s.steps < s.paperSteps ? [`${s.steps} steps (paper: up to ${s.paperSteps})`] : []),
  ]
  return d.length === 0
    ? ''
    : `; settings differ from the paper's: ${d.join(', ')}` +
        `${s.steps < s.paperSteps ? `; "not grokked within ${s.steps} steps" is not the paper's verdict after ${s.paperSteps} steps` : ''}`
}

/** Claim 6: which operations grok at r = 0.3, against Table A.5. */
export const claim6 = (runs: ReadonlyArray<RunEvidence>, s: ClaimsSettings): ClaimResult => {
  const rows = tableRows(runs)
  const done = rows.filter((r) => r.agrees !== null)
  const agree = done.filter((r) => r.agrees === true).length
  const share = done.length === 0 ? null : agree / done.length
  const verdict: Verdict =
    share === null ? 'not run' : share >= T.AGREE_REPRODUCED ? 'reproduced' : share >= T.AGREE_PARTLY ? 'partly' : 'not reproduced'
  const read = runs.filter((r) => isScratch(r) && rows.some((row) => row.op === r.op))
  const disagree = done.filter((r) => r.agrees === false).map((r) => `${r.op} (${r.groks === true ? 'groks' : 'does not'})`)
  return {
    id: 6,
    title: 'Table A.5: which operations grok at r = 0.3',
    paper: `Table A.5 (r = 0.3, up to 3·10⁵ steps): ${paperSets()}.`,
    rule:
      `an operation groks when more than ${pct(T.GROK_MAJORITY)} of its finished scratch runs reached test accuracy 0.99; ` +
      `a = share of the operations with a finished run that agree with Table A.5; reproduced: a ≥ ${pct(T.AGREE_REPRODUCED)}; ` +
      `partly: a ≥ ${pct(T.AGREE_PARTLY)}; else not reproduced; not run: no operation has a finished run`,
    measured:
      `${agree} of ${done.length} operations agree with Table A.5 (a = ${pct(share)})` +
      `${disagree.length > 0 ? `; differ: ${disagree.join(', ')}` : ''}; ${rows.length - done.length} without a finished run`,
    verdict,
    reason:
      (share === null
        ? `no operation of Table A.5 has a finished scratch run (${rows.length} planned)`
        : `a = ${pct(share)} (${agree} of ${done.length})`) + differences(s),
    counts: countsOf(read, []),
    numbers: {
      agreeShare: num(share),
      agreeing: agree,
      operations: done.length,
      ...Object.fromEntries(done.map((r) => [`grokked.${r.op}`, r.grokked / r.finished])),
    },
    evidence: names(read.filter((r) => r.finished)),
  }
}

/** The kinds claim 7's verdict reads: the pre-grokked variants. */
const PRE_GROKKED: ReadonlyArray<TransferKind> = ['pre-grokked embedding', 'pre-grokked transformer']

/** Claim 7: transfer from addition helps the linear expression and not the non-factorizable one. */
export const claim7 = (runs: ReadonlyArray<RunEvidence>, s: ClaimsSettings): ClaimResult => {
  const targets: ReadonlyArray<string> = TRANSFER_TARGETS
  const read = runs.filter((r) => targets.includes(r.op))
  const transfer = read.filter((r) => !isScratch(r))
  const counted = transfer.filter((r) => r.sourceGrokked === true)
  const stats = (op: string, kind: TransferKind) => {
    const done = (kind === 'scratch' ? read.filter(isScratch) : counted.filter((r) => r.transfer === kind)).filter(
      (r) => r.op === op && r.finished,
    )
    const grokked = done.filter(isGrokked)
    return {
      n: done.length,
      share: done.length === 0 ? null : grokked.length / done.length,
      med: median(grokked.map((r) => r.grokStep!)),
    }
  }
  const kinds: ReadonlyArray<TransferKind> = ['scratch', ...PRE_GROKKED, 'frozen random embedding']
  const table = targets.map((op) => ({ op, by: Object.fromEntries(kinds.map((k) => [k, stats(op, k)])) }))
  const missing = table.flatMap(({ op, by }) =>
    [...(by.scratch!.n === 0 ? ['scratch'] : []), ...PRE_GROKKED.filter((k) => by[k]!.n === 0)].map((k) => `${op} ${k}`),
  )
  const helps = (op: string): boolean => {
    const by = table.find((x) => x.op === op)!.by
    const sc = by.scratch!
    return PRE_GROKKED.some((k) => {
      const v = by[k]!
      if (v.share === null || sc.share === null || v.share <= 0.5) return false
      return sc.share <= 0.5 || (v.med !== null && sc.med !== null && v.med <= T.HELP_FACTOR * sc.med)
    })
  }
  const [linear, hardOp] = TRANSFER_TARGETS
  const lin = missing.length === 0 && helps(linear)
  const hard = missing.length === 0 && helps(hardOp)
  const verdict: Verdict =
    missing.length > 0 ? 'not run' : lin && !hard ? 'reproduced' : !lin && hard ? 'not reproduced' : 'partly'
  const line = (op: string) =>
    `${op}: ${kinds
      .map((k) => {
        const v = table.find((x) => x.op === op)!.by[k]!
        return `${k} ${v.n === 0 ? 'n/a' : `${pct(v.share)} grokked, median step ${fmt(v.med)}`}`
      })
      .join('; ')}`
  const excluded = transfer.filter((r) => r.finished && r.sourceGrokked !== true).map((r) => r.name)
  return {
    id: 7,
    title: 'Transfer is limited to specific combinations',
    paper:
      'TMLR version, abstract: "the ablation with frozen pre-grokked modules reveals the transferability is only limited to ' +
      'the specific combinations, such as from elementary arithmetic to linear expressions".',
    rule:
      `runs loading from ${TRANSFER_SOURCE} count only when their source run grokked and stayed grokked; per target and ` +
      `variant: share grokked and median grok step; a pre-grokked variant (embedding or Transformer) helps when more than half ` +
      `of its runs grok and at most half from scratch do, or both more than half and its median grok step ≤ ${T.HELP_FACTOR} × ` +
      `scratch's; reproduced: one helps ${linear} and none helps ${hardOp}; partly: only one of those; not reproduced: none ` +
      `helps ${linear} and one helps ${hardOp}; not run: a target lacks finished scratch runs or counted runs of a pre-grokked ` +
      `variant; the frozen random embedding is reported, not part of the verdict`,
    measured: `${line(linear)} | ${line(hardOp)}`,
    verdict,
    reason:
      missing.length > 0
        ? `no finished (counted) runs of ${missing.join(', ')}${excluded.length > 0 ? `; ${excluded.length} runs left out: their source did not grok` : ''}`
        : `transfer ${lin ? 'helps' : 'does not help'} ${linear} and ${hard ? 'helps' : 'does not help'} ${hardOp} ${budgetText(s)}`,
    counts: countsOf(read, excluded),
    numbers: Object.fromEntries(
      table.flatMap(({ op, by }) =>
        kinds.flatMap((k) => [
          [`${op}.${k}.share`, num(by[k]!.share)],
          [`${op}.${k}.medianGrokStep`, num(by[k]!.med)],
          [`${op}.${k}.runs`, by[k]!.n],
        ]),
      ),
    ),
    evidence: names([...read.filter((r) => isScratch(r) && r.finished), ...counted.filter((r) => r.finished)]),
  }
}

/** Every claim's rule, in `CLAIM_IDS` order. */
export const CLAIMS: ReadonlyArray<(runs: ReadonlyArray<RunEvidence>, s: ClaimsSettings) => ClaimResult> = [
  claim1,
  claim2,
  claim3,
  claim4,
  claim5,
  claim6,
  claim7,
]

/** claims.json's document: every claim judged on these runs, claim 6's table, the runs, and the notes. */
export const judgeClaims = (runs: ReadonlyArray<RunEvidence>, settings: ClaimsSettings, notes: ReadonlyArray<string>): ClaimsDocument => ({
  format: CLAIMS_FORMAT,
  grokscope: VERSION,
  settings,
  claims: CLAIMS.map((claim) => claim(runs, settings)),
  table: tableRows(runs),
  runs,
  notes,
})

// ─────────────────────────────────────────────────────────────────────────────
// claims.json
// ─────────────────────────────────────────────────────────────────────────────

/** A number that may be absent: a non-finite one is written as null. */
const NullableNumber = new t.Type<number | null, number | null, unknown>(
  'a number or null',
  (u): u is number | null => u === null || typeof u === 'number',
  (u, c) => (u === null || typeof u === 'number' ? t.success(u) : t.failure(u, c)),
  (n) => (n === null || !Number.isFinite(n) ? null : n),
)

const oneOf = <A extends string>(xs: ReadonlyArray<A>) => t.keyof(Object.fromEntries(xs.map((x) => [x, null])) as Record<A, null>)

const TRANSFER_KINDS: ReadonlyArray<TransferKind> = ['scratch', 'pre-grokked embedding', 'pre-grokked transformer', 'frozen random embedding']
const VERDICTS: ReadonlyArray<Verdict> = ['reproduced', 'partly', 'not reproduced', 'not run']

const WeightEvidenceCodec = t.type({
  ffdWE: JsonNumber,
  fcrWE: JsonNumber,
  cosShareWE: JsonNumber,
  ffdWL: JsonNumber,
  fcrWL: JsonNumber,
  mulFfdWE: NullableNumber,
  mulFcrWE: NullableNumber,
  asymmetry: JsonNumber,
})

const RunEvidenceCodec = t.type({
  name: t.string,
  stage: t.string,
  op: t.string,
  p: t.number,
  frac: t.number,
  seed: t.number,
  transfer: oneOf(TRANSFER_KINDS),
  finished: t.boolean,
  steps: t.number,
  grokStep: t.union([t.number, t.null]),
  stayedGrokked: t.boolean,
  fitStep: t.union([t.number, t.null]),
  unstable: t.boolean,
  diverged: t.boolean,
  finalTestAcc: NullableNumber,
  bestTestAcc: NullableNumber,
  weightsAt: oneOf(['end', 'grok'] as const),
  measures: t.union([WeightEvidenceCodec, t.null]),
  curve: t.readonlyArray(t.type({ step: t.number, trainAcc: JsonNumber, testAcc: JsonNumber, ffdWE: JsonNumber, fcrWE: JsonNumber })),
  sourceGrokked: t.union([t.boolean, t.null]),
})

const RunCountsCodec = t.type({
  planned: t.number,
  finished: t.number,
  grokked: t.number,
  stayed: t.number,
  unstable: t.number,
  diverged: t.number,
  excluded: t.readonlyArray(t.string),
  unclean: t.readonlyArray(t.string),
})

const ClaimResultCodec = t.type({
  id: t.union([t.literal(1), t.literal(2), t.literal(3), t.literal(4), t.literal(5), t.literal(6), t.literal(7)]),
  title: t.string,
  paper: t.string,
  rule: t.string,
  measured: t.string,
  verdict: oneOf(VERDICTS),
  reason: t.string,
  counts: RunCountsCodec,
  numbers: t.record(t.string, NullableNumber),
  evidence: t.readonlyArray(t.string),
})

const TableRowCodec = t.type({
  op: t.string,
  formula: t.string,
  family: t.string,
  paperGroks: t.boolean,
  planned: t.number,
  finished: t.number,
  grokked: t.number,
  stayed: t.number,
  unstable: t.number,
  diverged: t.number,
  medianGrokStep: NullableNumber,
  groks: t.union([t.boolean, t.null]),
  agrees: t.union([t.boolean, t.null]),
})

/** claims.json: NaN measures are written as null and read back as NaN; a non-finite number that may be absent is read as null. */
export const ClaimsDocumentCodec = t.type({
  format: t.literal(CLAIMS_FORMAT),
  grokscope: t.string,
  settings: ClaimsSettingsCodec,
  claims: t.readonlyArray(ClaimResultCodec),
  table: t.readonlyArray(TableRowCodec),
  runs: t.readonlyArray(RunEvidenceCodec),
  notes: t.readonlyArray(t.string),
})

/** A parsed claims.json; `Left` names the field. */
export const decodeClaimsDocument = (u: unknown): E.Either<string, ClaimsDocument> => {
  const doc = ClaimsDocumentCodec.decode(u)
  return E.isLeft(doc) ? E.left(firstProblem(doc.left)) : E.right(doc.right)
}

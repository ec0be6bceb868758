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
 * import { CLAIM_IDS, THRESHOLDS } from '@grokscope/runs'
 * CLAIM_IDS.length  // => 7
 * THRESHOLDS.SPARSE_FFD  // => 0.4
 *
 * @since 0.4.0
 */
import * as t from 'io-ts'

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
  /** Finished runs the rule left out of a pattern's evidence (unstable, diverged or fell back), by name. */
  readonly excluded: ReadonlyArray<string>
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

// Synthetic claims documents for the claims report's tests: runs with curves and measures as a reproduction at p = 31
// would leave them (add sparse, mul dense, a transfer stage), every verdict among the claims, and text with pipes.
import { findOperation } from '@grokscope/data'
import {
  CLAIMS_FORMAT,
  type ClaimId,
  type ClaimResult,
  type ClaimsDocument,
  type CurvePoint,
  type RunEvidence,
  type TableRow,
  type TransferKind,
  type Verdict,
} from '@grokscope/runs'

const P = 31
const STEPS = 3000
const EVERY = 100

/** What a synthetic run does: when it fits and groks (null: never), and its final FFD, FCR and asymmetry. */
export interface RunShape {
  readonly op: string
  readonly seed: number
  readonly transfer?: TransferKind
  readonly fit?: number | null
  readonly grok?: number | null
  readonly stayed?: boolean
  readonly unstable?: boolean
  readonly diverged?: boolean
  readonly finished?: boolean
  readonly ffd?: number
  readonly fcr?: number
  readonly mulFfd?: number | null
  readonly asymmetry?: number
}

const SHORT: Readonly<Record<TransferKind, string>> = {
  scratch: '',
  'pre-grokked embedding': '-emb',
  'pre-grokked transformer': '-tf',
  'frozen random embedding': '-frozen',
}

/** A smooth step from 0 to 1 centred on `at`. */
const rise = (step: number, at: number | null): number => (at === null ? 0 : 1 / (1 + Math.exp(-(step - at) / 150)))

/** A run's evidence: a curve every 100 steps to 3000 (train accuracy rising at the fit, test at the grok, FFD falling with it). */
export const run = (s: RunShape): RunEvidence => {
  const transfer = s.transfer ?? 'scratch'
  const finished = s.finished ?? true
  const fit = s.fit === undefined ? 400 : s.fit
  const grok = s.grok === undefined ? 1500 : s.grok
  const ffd = s.ffd ?? 0.3
  const fcr = s.fcr ?? 0.85
  const curve: CurvePoint[] = finished
    ? Array.from({ length: STEPS / EVERY + 1 }, (_, i) => {
        const step = i * EVERY
        const g = rise(step, grok)
        return {
          step,
          trainAcc: 0.05 + 0.95 * rise(step, fit),
          testAcc: 0.03 + 0.97 * g,
          ffdWE: 1 - (1 - ffd) * g,
          fcrWE: 0.95 - (0.95 - fcr) * g,
        }
      })
    : []
  return {
    name: `${s.op}-p${P}-r0.3-s${s.seed}${SHORT[transfer]}`,
    stage: transfer === 'scratch' ? 'ops' : 'transfer',
    op: s.op,
    p: P,
    frac: 0.3,
    seed: s.seed,
    transfer,
    finished,
    steps: finished ? STEPS : 0,
    grokStep: finished ? grok : null,
    stayedGrokked: finished && grok !== null && (s.stayed ?? true),
    fitStep: finished ? fit : null,
    unstable: finished && (s.unstable ?? false),
    diverged: finished && (s.diverged ?? false),
    finalTestAcc: finished ? curve.at(-1)!.testAcc : null,
    bestTestAcc: finished ? Math.max(...curve.map((c) => c.testAcc)) : null,
    weightsAt: 'end',
    measures: finished
      ? {
          ffdWE: ffd,
          fcrWE: fcr,
          cosShareWE: 0.5,
          ffdWL: ffd,
          fcrWL: fcr,
          mulFfdWE: s.mulFfd === undefined ? 0.9 : s.mulFfd,
          mulFcrWE: 0.5,
          asymmetry: s.asymmetry ?? 0.05,
        }
      : null,
    curve,
    sourceGrokked: transfer === 'scratch' ? null : true,
  }
}

/** A claim's result with the counts of its runs (their names its evidence). */
export const claim = (id: ClaimId, verdict: Verdict, runs: ReadonlyArray<RunEvidence>, text: Partial<ClaimResult> = {}): ClaimResult => {
  const done = runs.filter((r) => r.finished)
  return {
    id,
    title: `Claim ${id} title`,
    paper: `The paper says ${id}`,
    rule: `Rule ${id}: a median | its threshold`,
    measured: `Measured ${id}`,
    verdict,
    reason: `reason ${id}`,
    counts: {
      planned: runs.length,
      finished: done.length,
      grokked: done.filter((r) => r.grokStep !== null).length,
      stayed: done.filter((r) => r.stayedGrokked).length,
      unstable: done.filter((r) => r.unstable).length,
      diverged: done.filter((r) => r.diverged).length,
      excluded: done.filter((r) => r.diverged).map((r) => r.name),
      unclean: done.filter((r) => r.unstable).map((r) => r.name),
    },
    numbers: { median: 0.5, missing: null },
    evidence: runs.map((r) => r.name),
    ...text,
  }
}

/** Claim 6's row of an operation, counted from its scratch runs. */
export const tableRow = (op: string, runs: ReadonlyArray<RunEvidence>): TableRow => {
  const known = findOperation(op)
  const mine = runs.filter((r) => r.op === op && r.transfer === 'scratch')
  const done = mine.filter((r) => r.finished)
  const grokked = done.filter((r) => r.grokStep !== null)
  const steps = grokked.map((r) => r.grokStep!).sort((a, b) => a - b)
  const paperGroks = known?.groksInPaper ?? false
  const groks = done.length === 0 ? null : grokked.length / done.length > 0.5
  return {
    op,
    formula: known?.formula ?? op,
    family: known?.family ?? 'custom',
    paperGroks,
    planned: mine.length,
    finished: done.length,
    grokked: grokked.length,
    stayed: done.filter((r) => r.stayedGrokked).length,
    unstable: done.filter((r) => r.unstable).length,
    diverged: done.filter((r) => r.diverged).length,
    medianGrokStep: steps.length === 0 ? null : steps[Math.floor((steps.length - 1) / 2)]!,
    groks,
    agrees: groks === null ? null : groks === paperGroks,
  }
}

/** A realistic reproduction at p = 31 with two seeds: every claim, several verdicts, one claim not run, a transfer stage. */
export const realisticDocument = (): ClaimsDocument => {
  const seeds = [0, 1]
  const ops: ReadonlyArray<RunShape> = [
    { op: 'add', seed: 0, ffd: 0.27, fcr: 0.88, asymmetry: 0.04 },
    { op: 'sub', seed: 0, ffd: 0.33, fcr: 0.8, asymmetry: 0.9 },
    { op: 'mul', seed: 0, ffd: 0.97, fcr: 0.45, mulFfd: 0.2, asymmetry: 0.05 },
    { op: 'a2+b2', seed: 0, ffd: 0.4, fcr: 0.1, asymmetry: 0.03 },
    { op: '(a+b)2', seed: 0, ffd: 0.3, fcr: 0.85, asymmetry: 0.06 },
    { op: 'a2+ab+b2', seed: 0, grok: null, ffd: 0.8, fcr: 0.7, asymmetry: 0.3 },
    { op: 'a3+ab', seed: 0, grok: null, ffd: 0.9, fcr: 0.75, asymmetry: 0.6 },
    { op: '2a+b', seed: 0, grok: null, ffd: 0.6, fcr: 0.7, asymmetry: 0.4 },
  ].flatMap((r) => seeds.map((seed) => ({ ...r, seed, ...(seed === 1 && r.op === 'a3+ab' ? { finished: false } : {}), ...(seed === 0 && r.op === 'sub' ? { unstable: true } : {}) })))
  const scratch = ops.map(run)
  const transfer = (['pre-grokked embedding', 'pre-grokked transformer', 'frozen random embedding'] as const).flatMap((kind) =>
    ['2a+b', 'a2+ab+b2'].flatMap((op) =>
      seeds.map((seed) => run({ op, seed, transfer: kind, grok: op === '2a+b' && kind !== 'frozen random embedding' ? 600 : null })),
    ),
  )
  const runs = [...scratch, ...transfer]
  const of = (...names: string[]) => scratch.filter((r) => names.includes(r.op))
  return {
    format: CLAIMS_FORMAT,
    grokscope: '0.4.0',
    settings: {
      tier: 'quick',
      p: P,
      frac: 0.3,
      seeds,
      recipe: 'AdamW, lr 1e-3, wd 1 (--recipe paper)',
      steps: STEPS,
      paperSteps: 300_000,
      evalEvery: EVERY,
      stopAfterGrok: 500,
    },
    claims: [
      claim(1, 'reproduced', of('sub', 'add', 'a2+b2', '(a+b)2'), { title: 'Subtraction is strongly asymmetric' }),
      claim(2, 'partly', of('mul'), { title: 'Multiplication needs cosine-biased components at all frequencies' }),
      claim(3, 'not reproduced', of('a2+b2', '(a+b)2', 'a2+ab+b2', 'a3+ab'), { title: 'Polynomials superpose elementary patterns' }),
      claim(4, 'reproduced', of('a2+b2', '(a+b)2', 'a2+ab+b2', 'a3+ab'), { title: 'Symmetric expressions grok easily' }),
      claim(5, 'not run', [], { title: 'FFD and FCR track late generalization', reason: 'no run of mul finished' }),
      claim(6, 'partly', scratch, { title: 'Table A.5' }),
      claim(7, 'not reproduced', transfer, { title: 'Transfer helps specific combinations' }),
    ],
    table: [...new Set(scratch.map((r) => r.op))].map((op) => tableRow(op, scratch)),
    runs,
    notes: ['Budget 3,000 steps per run, 1 % of the paper\'s 300,000.', 'a3+ab seed 1 did not finish.'],
  }
}

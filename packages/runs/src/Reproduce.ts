/**
 * The reproduction's plan: the experiments behind the paper's claims (`Claims.ts`), in
 * tiers, as sweeps. A tier is a setting (p, r, seeds, recipe, budget) and three stages,
 * each a sweep in a folder of its own under the reproduction's folder: `ops`, every
 * operation of the tier from scratch; `source`, each seed's `add` trained until it groks
 * and stopped there (the pre-grokked model); and `transfer`, the paper's three transfer
 * variants (pre-grokked embedding, pre-grokked Transformer, frozen random embedding) on
 * two target operations, each loading from the same seed's `source` run. The plan
 * is versioned (`REPRODUCE_FORMAT`, reproduce.json) so that a rerun with other settings
 * is refused, as a sweep's is. Pure: the plan is made from the tier, the overrides and the
 * reproduction's folder (an absolute path, joined with `/`); nothing is read or written.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { TIERS, costText, planCost, reproducePlan } from '@grokscope/runs'
 * TIERS.paper.ops.length  // => 35
 * const plan = reproducePlan('quick', { ops: ['add', '2a+b'], steps: 100 }, '/tmp/reproduction')
 * E.isRight(plan) && plan.right.stages.map((s) => `${s.folder}: ${s.plan.runs.length}`)  // => ['ops: 2', 'source: 1', 'transfer: 3']
 * E.isRight(plan) && costText(planCost(plan.right, 100, 2))  // => '6 runs × ≤ 100 steps × 100 ms/step (measured) ≤ 1 min of one core; ≤ 1 min wall with 2 jobs (runs that grok stop early)'
 *
 * @since 0.4.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { OPERATIONS, firstProblem, resolveOperation } from '@grokscope/data'
import { VERSION, SCRATCH, type Variant, variantSlug } from './Config.js'
import { type Plan, type PlannedRun, makePlan } from './Plan.js'
import { PAPER_SETTINGS, RECIPES, type RecipeId, type RunOptions } from './Settings.js'
import { lanesOf } from './Shard.js'
import { type ClaimsSettings, ClaimsSettingsCodec, TRANSFER_SOURCE, TRANSFER_TARGETS, type TransferKind } from './Claims.js'
import { RUN_FILES } from './Files.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** The `format` of reproduce.json written now. */
export const REPRODUCE_FORMAT = 'grokscope-reproduce/1'

/** The tiers: `quick`, every claim on small settings on one machine; `paper`, the paper's setting. */
export const TIER_IDS = ['quick', 'paper'] as const
export type TierId = (typeof TIER_IDS)[number]

/** A tier's experiments before any override. */
export interface TierSpec {
  readonly id: TierId
  /** One line for help and the report. */
  readonly summary: string
  readonly p: number
  readonly frac: number
  readonly seeds: ReadonlyArray<number>
  /** The operations of the `ops` stage, in `OPERATIONS` order. */
  readonly ops: ReadonlyArray<string>
  /** The `transfer` stage: the source operation and the targets. */
  readonly transfer: { readonly source: string; readonly targets: ReadonlyArray<string> }
  /** Every run's options (model, optimiser, budget, evaluation, history). */
  readonly options: RunOptions
  /** The recipe in words, as the report states it. */
  readonly recipe: string
}

/** One stage: a sweep in `<out>/<folder>`, and what each of its runs is to the claims. */
export interface ReproduceStage {
  readonly id: 'ops' | 'source' | 'transfer'
  /** The sweep folder, relative to the reproduction's folder. */
  readonly folder: string
  readonly plan: Plan
  /** Each run's transfer kind, by run name. */
  readonly kinds: Readonly<Record<string, TransferKind>>
  /** A transfer run's source: the `source` stage's run it loads from, by run name. */
  readonly sources: Readonly<Record<string, string>>
}

/** A reproduction: its tier, its settings as the claims report states them, and its stages in order. */
export interface ReproducePlan {
  readonly tier: TierId
  readonly settings: ClaimsSettings
  readonly stages: ReadonlyArray<ReproduceStage>
}

/** What a run of `reproduce` may change of its tier: the seeds, the budget, a named recipe, the operations, p and r. */
export interface ReproduceOverrides {
  readonly seeds?: ReadonlyArray<number> | undefined
  readonly steps?: number | undefined
  /** A named recipe (`RECIPES`): its settings, and for the paper tier a one-machine budget (`FAST_PAPER_BUDGET`). */
  readonly recipe?: RecipeId | undefined
  /** The operations of the `ops` stage instead of the tier's (registered ids or expressions; each once). */
  readonly ops?: ReadonlyArray<string> | undefined
  readonly p?: number | undefined
  readonly frac?: number | undefined
}

/** reproduce.json: the tier, the settings, and each stage's folder and run names. */
export interface ReproduceDocument {
  readonly format: typeof REPRODUCE_FORMAT
  readonly grokscope: string
  readonly tier: TierId
  readonly settings: ClaimsSettings
  readonly stages: ReadonlyArray<{ readonly id: 'ops' | 'source' | 'transfer'; readonly folder: string; readonly runs: ReadonlyArray<string> }>
}

/** What a plan costs at a measured speed: its runs, their summed step budget, and hours of one core and of wall time. */
export interface PlanCost {
  readonly runs: number
  /** The largest step budget of a run. */
  readonly stepsPerRun: number
  /** The step budgets of all runs, summed (runs that grok stop early: an upper bound). */
  readonly maxSteps: number
  readonly msPerStep: number
  readonly jobs: number
  /** `maxSteps × msPerStep` in hours of one core. */
  readonly coreHours: number
  /**
   * The wall time in hours if every run used its whole budget: each stage after the previous one, its runs dealt to
   * `jobs` workers as a sweep deals them (`lanesOf`), the stage as long as its longest worker.
   */
  readonly wallHoursUpperBound: number
}

// ─────────────────────────────────────────────────────────────────────────────
// tiers
// ─────────────────────────────────────────────────────────────────────────────

/** The paper's step budget (3·10⁵), which the claims report compares a tier's with. */
export const PAPER_STEPS = PAPER_SETTINGS.steps

/** The budget of the paper tier with a named recipe (`--recipe fast`): what one machine runs in a day. */
export const FAST_PAPER_BUDGET = { steps: 1000, evalEvery: 50, stopAfterGrok: 300, checkpointEvery: 500, saveEvery: 1000 } as const

/** Registered operations in `OPERATIONS` order. */
const inPaperOrder = (ids: ReadonlyArray<string>): ReadonlyArray<string> =>
  OPERATIONS.filter((op) => ids.includes(op.id)).map((op) => op.id)

/** The transfer stage's source and targets (claim 7: the linear `2a+b`, the non-factorizable `a2+ab+b2`). */
const TRANSFER = { source: TRANSFER_SOURCE, targets: TRANSFER_TARGETS }

/** The tiers' experiments. */
export const TIERS: Readonly<Record<TierId, TierSpec>> = {
  quick: {
    id: 'quick',
    summary: 'every claim on small settings: p = 31, r = 0.5, seed 0, 14 operations and 6 transfer runs of ≤ 3000 steps',
    p: 31,
    frac: 0.5,
    seeds: [0],
    ops: inPaperOrder([
      'add',
      'sub',
      'mul',
      'ab+b',
      'ab+a+b',
      '2a+b',
      'a2+b2',
      'a3+b3',
      'a2-b2',
      '(a+b)2',
      '(a+b)3',
      '(a-b)2',
      'a2+ab+b2',
      'a3+ab',
    ]),
    transfer: TRANSFER,
    options: {
      ...PAPER_SETTINGS,
      lr: 3e-3,
      wd: 1,
      steps: 3000,
      evalEvery: 50,
      stopAfterGrok: 300,
      checkpointEvery: 500,
      saveEvery: 1000,
    },
    recipe: "AdamW, lr 3e-3, wd 1 (the demo's; stable at p = 31)",
  },
  paper: {
    id: 'paper',
    summary: "the paper's setting: p = 97, r = 0.3, seeds 0..2, every operation of Table A.5 (35) and 6 transfer runs per seed",
    p: 97,
    frac: 0.3,
    seeds: [0, 1, 2],
    ops: OPERATIONS.filter((op) => op.groksInPaper !== null).map((op) => op.id),
    transfer: TRANSFER,
    options: { ...PAPER_SETTINGS, saveEvery: 10_000 },
    recipe: "the paper's: AdamW, lr 1e-3, wd 1, 3·10⁵ steps",
  },
}

/** The paper's transfer variants, in the order of a transfer stage's runs for each target. */
export const TRANSFER_VARIANTS: ReadonlyArray<{ readonly kind: TransferKind; readonly variant: Variant }> = [
  { kind: 'pre-grokked embedding', variant: { load: ['embed'], freeze: ['embed'] } },
  { kind: 'pre-grokked transformer', variant: { load: ['transformer'], freeze: ['transformer'] } },
  { kind: 'frozen random embedding', variant: { load: [], freeze: ['embed'] } },
]

// ─────────────────────────────────────────────────────────────────────────────
// constructors
// ─────────────────────────────────────────────────────────────────────────────

const kindOfVariant = (v: Variant): TransferKind =>
  TRANSFER_VARIANTS.find((x) => variantSlug(x.variant) === variantSlug(v))?.kind ?? 'scratch'

/** The operations of an override: each resolved to its registered id (or canonical formula), each once. */
const opsOf = (ops: ReadonlyArray<string>): E.Either<string, ReadonlyArray<string>> => {
  if (ops.length === 0) return E.left('ops: an empty list (give at least one operation)')
  const ids: string[] = []
  for (const x of ops) {
    const op = resolveOperation(x)
    if (E.isLeft(op)) return E.left(`ops: ${JSON.stringify(x)} is not an operation id or an expression in a and b (see grokscope ops)`)
    if (ids.includes(op.right.id)) return E.left(`ops: ${op.right.id} is listed twice`)
    ids.push(op.right.id)
  }
  return E.right(ids)
}

const seedsOf = (seeds: ReadonlyArray<number>): E.Either<string, ReadonlyArray<number>> => {
  if (seeds.length === 0) return E.left('seeds: an empty list (give at least one seed)')
  const dup = seeds.find((x, i) => seeds.indexOf(x) !== i)
  return dup === undefined ? E.right(seeds) : E.left(`seeds: seed ${dup} is listed twice`)
}

const isAbsolute = (folder: string): boolean => folder.startsWith('/') || /^[A-Za-z]:[\\/]/.test(folder)

/** The recipe in words: a named recipe's, the tier's, or (the tier's budget changed) the optimiser's settings. */
const recipeText = (tier: TierSpec, options: RunOptions, recipe: RecipeId | undefined): string => {
  if (recipe !== undefined) return `${RECIPES[recipe].summary} (--recipe ${recipe})`
  if (options.steps === tier.options.steps) return tier.recipe
  return `AdamW, lr ${options.lr.toExponential()}, wd ${options.wd} (the ${tier.id} tier's)`
}

/** The options of every run: the tier's, a named recipe's (with the paper tier's one-machine budget), then the overrides. */
const optionsOf = (tier: TierSpec, o: ReproduceOverrides): RunOptions => {
  const recipe: Partial<RunOptions> =
    o.recipe === undefined
      ? {}
      : { ...RECIPES[o.recipe].settings, recipe: o.recipe, ...(tier.id === 'paper' ? FAST_PAPER_BUDGET : {}) }
  return { ...tier.options, ...recipe, ...(o.steps === undefined ? {} : { steps: o.steps }) }
}

/**
 * The reproduction of a tier with these overrides in the folder `out` (absolute): the `ops` stage, every operation
 * × p × r × seed from scratch; and, when the operations include the transfer source and a target, the `transfer`
 * stages: `source`, each seed's add run stopped at its grok step, and `transfer`, for each seed every target ×
 * `TRANSFER_VARIANTS`, loading from `<out>/source/<that seed's add run>/weights.json`.
 * `Left` is one line naming the override (the run settings' own checks are `makeRunConfig`'s).
 */
export const reproducePlan = (tierId: TierId, overrides: ReproduceOverrides, out: string): E.Either<string, ReproducePlan> => {
  const tier = TIERS[tierId]
  if (!isAbsolute(out)) return E.left(`out: ${JSON.stringify(out)} is not an absolute folder`)
  if (overrides.recipe !== undefined && !Object.hasOwn(RECIPES, overrides.recipe)) {
    return E.left(`recipe: ${JSON.stringify(overrides.recipe)} is not a recipe (allowed: ${Object.keys(RECIPES).join(', ')})`)
  }
  const ops = opsOf(overrides.ops ?? tier.ops)
  if (E.isLeft(ops)) return ops
  const seeds = seedsOf(overrides.seeds ?? tier.seeds)
  if (E.isLeft(seeds)) return seeds
  const p = overrides.p ?? tier.p
  const frac = overrides.frac ?? tier.frac
  const options = optionsOf(tier, overrides)
  const base = { p: [p], fracs: [frac], seeds: seeds.right }
  const opsPlan = makePlan({ ...base, ops: ops.right.map((op) => [op]), variants: [SCRATCH] }, options)
  if (E.isLeft(opsPlan)) return opsPlan
  const kinds = Object.fromEntries(opsPlan.right.runs.map((r): [string, TransferKind] => [r.name, 'scratch']))
  const stages: ReproduceStage[] = [{ id: 'ops', folder: 'ops', plan: opsPlan.right, kinds, sources: {} }]
  const targets = tier.transfer.targets.filter((x) => ops.right.includes(x))
  const sourceRuns = opsPlan.right.runs.filter((r) => r.ops.length === 1 && r.ops[0] === tier.transfer.source)
  if (targets.length > 0 && sourceRuns.length > 0) {
    const root = out.replace(/[\\/]+$/, '')
    // The pre-grokked source: the same seed's add run trained until it groks (test accuracy ≥ 0.99) and stopped there, so
    // that the transfer loads a grokked model even where the ops stage's run falls back after grokking.
    const sourcePlan = makePlan(
      { ...base, ops: [[tier.transfer.source]], variants: [SCRATCH] },
      { ...options, stopAfterGrok: 0 },
    )
    if (E.isLeft(sourcePlan)) return sourcePlan
    stages.push({
      id: 'source',
      folder: 'source',
      plan: sourcePlan.right,
      kinds: Object.fromEntries(sourcePlan.right.runs.map((r): [string, TransferKind] => [r.name, 'scratch'])),
      sources: {},
    })
    const runs: PlannedRun[] = []
    const sources: Record<string, string> = {}
    for (const source of sourcePlan.right.runs) {
      const initFrom = `${root}/source/${source.name}/${RUN_FILES.weights}`
      const plan = makePlan(
        { ops: targets.map((x) => [x]), p: [p], fracs: [frac], seeds: [source.seed], variants: TRANSFER_VARIANTS.map((v) => v.variant) },
        { ...options, initFrom },
        source.config!.model,
      )
      if (E.isLeft(plan)) return plan
      for (const r of plan.right.runs) sources[r.name] = source.name
      runs.push(...plan.right.runs)
    }
    stages.push({
      id: 'transfer',
      folder: 'transfer',
      plan: { runs, legacy: null },
      kinds: Object.fromEntries(runs.map((r) => [r.name, kindOfVariant(r.variant)])),
      sources,
    })
  }
  return E.right({
    tier: tierId,
    settings: {
      tier: tierId,
      p,
      frac,
      seeds: seeds.right,
      recipe: recipeText(tier, options, overrides.recipe),
      steps: options.steps,
      paperSteps: PAPER_STEPS,
      evalEvery: options.evalEvery,
      stopAfterGrok: options.stopAfterGrok,
    },
    stages,
  })
}

// ─────────────────────────────────────────────────────────────────────────────
// documents
// ─────────────────────────────────────────────────────────────────────────────

/** The names of the reproduction folder's own files: its plan and the claims report. */
export const REPRODUCE_FILES = { plan: 'reproduce.json', md: 'claims.md', json: 'claims.json', html: 'claims.html' } as const

const ReproduceDocumentCodec = t.type({
  format: t.literal(REPRODUCE_FORMAT),
  grokscope: t.string,
  tier: t.keyof({ quick: null, paper: null }),
  settings: ClaimsSettingsCodec,
  stages: t.readonlyArray(
    t.type({ id: t.keyof({ ops: null, source: null, transfer: null }), folder: t.string, runs: t.readonlyArray(t.string) }),
  ),
})

/** reproduce.json's document of a plan. */
export const reproduceDocument = (plan: ReproducePlan): ReproduceDocument => ({
  format: REPRODUCE_FORMAT,
  grokscope: VERSION,
  tier: plan.tier,
  settings: plan.settings,
  stages: plan.stages.map((s) => ({ id: s.id, folder: s.folder, runs: s.plan.runs.map((r) => r.name) })),
})

/** A parsed reproduce.json; `Left` names the field. */
export const decodeReproduceDocument = (u: unknown): E.Either<string, ReproduceDocument> => {
  const doc = ReproduceDocumentCodec.decode(u)
  return E.isLeft(doc) ? E.left(firstProblem(doc.left)) : E.right(doc.right)
}

const SETTING_KEYS: ReadonlyArray<keyof ClaimsSettings> = [
  'tier',
  'p',
  'frac',
  'seeds',
  'recipe',
  'steps',
  'paperSteps',
  'evalEvery',
  'stopAfterGrok',
]

/**
 * How reproduction `b` differs from `a` (the one in the folder), in a few words, or null when they are the same: the
 * tier, a setting, a stage's folder or its runs.
 */
export const reproduceDifference = (a: ReproduceDocument, b: ReproduceDocument): string | null => {
  if (a.tier !== b.tier) return `tier ${a.tier} vs ${b.tier}`
  for (const k of SETTING_KEYS) {
    const x = JSON.stringify(a.settings[k])
    const y = JSON.stringify(b.settings[k])
    if (x !== y) return `${k} ${x} vs ${y}`
  }
  if (a.stages.length !== b.stages.length) {
    return `stages ${a.stages.map((s) => s.id).join(', ')} vs ${b.stages.map((s) => s.id).join(', ')}`
  }
  for (const [i, x] of a.stages.entries()) {
    const y = b.stages[i]!
    if (x.id !== y.id || x.folder !== y.folder) return `stage ${i + 1} is ${x.id} in ${x.folder} vs ${y.id} in ${y.folder}`
    if (x.runs.length !== y.runs.length) return `stage ${x.id}: ${x.runs.length} runs vs ${y.runs.length}`
    const j = x.runs.findIndex((r, k) => r !== y.runs[k])
    if (j >= 0) return `stage ${x.id}: run ${j + 1} is ${x.runs[j]} vs ${y.runs[j]}`
  }
  return null
}

// ─────────────────────────────────────────────────────────────────────────────
// cost
// ─────────────────────────────────────────────────────────────────────────────

const budget = (r: PlannedRun): number => r.config?.loop.max_steps ?? 0

/** What a plan costs at `msPerStep` (measured) with `jobs` runs at a time, if every run used its whole budget. */
export const planCost = (plan: ReproducePlan, msPerStep: number, jobs: number): PlanCost => {
  const runs = plan.stages.flatMap((s) => s.plan.runs)
  const maxSteps = runs.reduce((n, r) => n + budget(r), 0)
  const wallSteps = plan.stages.reduce(
    (n, s) => n + Math.max(0, ...lanesOf(s.plan.runs, Math.max(1, jobs)).map((lane) => lane.reduce((k, r) => k + budget(r), 0))),
    0,
  )
  return {
    runs: runs.length,
    stepsPerRun: Math.max(0, ...runs.map(budget)),
    maxSteps,
    msPerStep,
    jobs,
    coreHours: (maxSteps * msPerStep) / 3_600_000,
    wallHoursUpperBound: (wallSteps * msPerStep) / 3_600_000,
  }
}

/** Hours as `2 h 24 min` (rounded up to the minute: an upper bound stays one). */
export const durationText = (hours: number): string => {
  const minutes = Math.ceil(hours * 60 - 1e-9)
  const h = Math.floor(minutes / 60)
  const m = minutes - 60 * h
  return h === 0 ? `${Math.max(m, 1)} min` : m === 0 ? `${h} h` : `${h} h ${m} min`
}

/**
 * The cost in one line: `41 runs × ≤ 1000 steps × 210 ms/step (measured) ≤ 2 h 24 min of one core; ≤ 1 h 14 min wall
 * with 2 jobs (runs that grok stop early)`; `how` says where the speed came from.
 */
export const costText = (c: PlanCost, how = 'measured'): string =>
  `${c.runs} run${c.runs === 1 ? '' : 's'} × ≤ ${c.stepsPerRun} step${c.stepsPerRun === 1 ? '' : 's'} × ${Number(c.msPerStep.toPrecision(3))} ms/step (${how}) ` +
  `≤ ${durationText(c.coreHours)} of one core; ≤ ${durationText(c.wallHoursUpperBound)} wall with ${c.jobs} job${c.jobs === 1 ? '' : 's'} ` +
  `(runs that grok stop early)`

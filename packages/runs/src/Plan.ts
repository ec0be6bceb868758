/**
 * A sweep's plan, sweep.json: the grid of runs (operations × p × training fractions ×
 * transfer variants × seeds), each stored as its folder name and its whole run config,
 * so that any program can train a planned run with no command line in between. The
 * parsers of the grid's text (`--ops`, `--seeds`, `--transfer`) are here too. Plans
 * written by 0.1.0 (each run as `grokscope train` arguments) are still read: their runs'
 * task and variant, without configs.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { PAPER_SETTINGS, SCRATCH, makePlan } from '@grokscope/runs'
 * const plan = makePlan(
 *   { ops: [['add'], ['mul']], p: [11], fracs: [0.5], seeds: [0, 1], variants: [SCRATCH] },
 *   { ...PAPER_SETTINGS, steps: 100 },
 * )
 * E.isRight(plan) && plan.right.runs.map((r) => r.name) // => ['add-p11-r0.5-s0', 'add-p11-r0.5-s1', 'mul-p11-r0.5-s0', 'mul-p11-r0.5-s1']
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { OPERATIONS, firstProblem, resolveOperation } from '@grokscope/data'
import { type ModelConfig, PARTS, type Part, PartCodec, parseParts, transferProblem } from '@grokscope/model'
import {
  type RunConfig,
  type RunConfigDocument,
  SCRATCH,
  VERSION,
  type Variant,
  configDifference,
  decodeRunConfig,
  encodeRunConfig,
  runName,
  variantOf,
  variantSlug,
  variantText,
} from './Config.js'
import { type NameOf, type RunOptions, type RunSettings, makeRunConfig } from './Settings.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** The grid of a sweep: every combination of these is one run. */
export interface Grid {
  /** Operations; a mixture is one entry with several ids. */
  readonly ops: ReadonlyArray<ReadonlyArray<string>>
  readonly p: ReadonlyArray<number>
  readonly fracs: ReadonlyArray<number>
  readonly seeds: ReadonlyArray<number>
  readonly variants: ReadonlyArray<Variant>
}

/** One grid point: the task and the variant, as settings. */
export interface GridPoint {
  readonly ops: ReadonlyArray<string>
  readonly p: number
  readonly frac: number
  readonly seed: number
  readonly variant: Variant
}

/**
 * One run of a plan: its folder's name in the sweep folder, its task and variant, and its config (null in a plan of
 * 0.1.0, which stored train arguments).
 */
export interface PlannedRun {
  readonly name: string
  readonly ops: ReadonlyArray<string>
  readonly p: number
  readonly frac: number
  readonly seed: number
  readonly variant: Variant
  readonly config: RunConfig | null
}

/** What a plan of 0.1.0 stored besides its runs: the run settings as train arguments, and the transfer source. */
export interface LegacySettings {
  readonly args: ReadonlyArray<string>
  readonly initFrom: string | null
}

/** A sweep's plan: its runs in order; `legacy` for a plan written by 0.1.0. */
export interface Plan {
  readonly runs: ReadonlyArray<PlannedRun>
  readonly legacy: LegacySettings | null
}

/** The `format` of sweep.json written now. */
export const PLAN_FORMAT = 'grokscope-sweep/2'

/** sweep.json as written now. */
export interface PlanDocument {
  readonly format: typeof PLAN_FORMAT
  readonly grokscope: string
  readonly runs: ReadonlyArray<{ readonly name: string; readonly config: RunConfigDocument }>
}

const VariantCodec = t.type({ load: t.array(PartCodec), freeze: t.array(PartCodec) })

const PlanV2Codec = t.type({
  format: t.literal(PLAN_FORMAT),
  grokscope: t.string,
  runs: t.array(t.type({ name: t.string, config: t.unknown })),
})

/** sweep.json of 0.1.0: the settings and each run's `grokscope train` arguments. */
const PlanV1Codec = t.type({
  grokscope: t.string,
  settings: t.array(t.string),
  init_from: t.union([t.string, t.null]),
  runs: t.array(
    t.type({
      name: t.string,
      ops: t.array(t.string),
      p: t.number,
      frac: t.number,
      seed: t.number,
      transfer: VariantCodec,
      args: t.array(t.string),
    }),
  ),
})

// ─────────────────────────────────────────────────────────────────────────────
// parsers of the grid's text
// ─────────────────────────────────────────────────────────────────────────────

const items = (s: string, sep: string | RegExp = ','): ReadonlyArray<string> => s.split(sep).map((x) => x.trim())

const firstDuplicate = (xs: ReadonlyArray<string>): string | undefined => xs.find((x, i) => xs.indexOf(x) !== i)

/**
 * Grid points of operations, comma-separated: each a registered id or an expression, or a
 * mixture of ids joined by `+` (`add+sub`: tried when the whole is not an operation, so
 * `a2+b2` and `a+b` stay single operations); `paper` is every operation of the paper's
 * Table A.5. Gives each point's canonical ids.
 */
export const parseOpsGrid = (s: string): E.Either<string, ReadonlyArray<ReadonlyArray<string>>> => {
  if (s.trim() === 'paper') return E.right(OPERATIONS.map((op) => [op.id]))
  const points: string[][] = []
  for (const item of items(s)) {
    if (item === '') return E.left(`an empty item in ${JSON.stringify(s)} (comma-separated operations)`)
    const whole = resolveOperation(item)
    if (E.isRight(whole)) {
      points.push([whole.right.id])
      continue
    }
    const parts = items(item, '+').map((x) => resolveOperation(x))
    if (!item.includes('+') || parts.some(E.isLeft)) {
      return E.left(
        `${JSON.stringify(item)} is not an operation id, an expression in a and b, or a mixture of ids joined by + (e.g. add+sub); ` +
          `see grokscope ops`,
      )
    }
    const ids = parts.flatMap((r) => (E.isRight(r) ? [r.right.id] : []))
    const dup = firstDuplicate(ids)
    if (dup !== undefined) return E.left(`${JSON.stringify(item)} lists ${dup} twice (each operation once in a mixture)`)
    points.push(ids)
  }
  const dup = firstDuplicate(points.map((p) => p.join('+')))
  if (dup !== undefined) return E.left(`${dup} is listed twice`)
  return E.right(points)
}

/** A comma-separated list, each item parsed by `one`; no item twice. */
export const parseList = <A>(s: string, one: (v: string) => E.Either<string, A>): E.Either<string, ReadonlyArray<A>> => {
  const xs: A[] = []
  for (const item of items(s)) {
    const x = one(item)
    if (E.isLeft(x)) return x
    xs.push(x.right)
  }
  const dup = firstDuplicate(xs.map(String))
  return dup === undefined ? E.right(xs) : E.left(`${dup} is listed twice`)
}

/** Seeds: comma-separated seeds and inclusive ranges `lo..hi` (`0..4,10`); each seed once. */
export const parseSeeds = (s: string): E.Either<string, ReadonlyArray<number>> => {
  const seeds: number[] = []
  for (const item of items(s)) {
    const range = /^(\d+)\s*\.\.\s*(\d+)$/.exec(item)
    if (range !== null) {
      const lo = Number(range[1])
      const hi = Number(range[2])
      if (!Number.isSafeInteger(hi) || hi < lo || hi - lo >= 100_000) {
        return E.left(`${JSON.stringify(item)} is not allowed (a range lo..hi with lo ≤ hi, at most 100000 seeds)`)
      }
      for (let x = lo; x <= hi; x++) seeds.push(x)
    } else if (/^\d+$/.test(item) && Number.isSafeInteger(Number(item))) {
      seeds.push(Number(item))
    } else {
      return E.left(`${JSON.stringify(item)} is not allowed (seeds are integers from 0 to 2^53 - 1, or ranges like 0..4, comma-separated)`)
    }
  }
  const dup = firstDuplicate(seeds.map(String))
  return dup === undefined ? E.right(seeds) : E.left(`seed ${dup} is listed twice`)
}

/**
 * Transfer variants, `;`-separated, each `scratch` or space-separated `load=<parts>` and `freeze=<parts>`
 * (`"scratch; freeze=embed; load=embed freeze=embed"`).
 */
export const parseVariants = (s: string): E.Either<string, ReadonlyArray<Variant>> => {
  const variants: Variant[] = []
  for (const item of items(s, ';')) {
    if (item === 'scratch') {
      variants.push(SCRATCH)
      continue
    }
    let load: ReadonlyArray<Part> = []
    let freeze: ReadonlyArray<Part> = []
    for (const word of item.split(/\s+/)) {
      const m = /^(load|freeze)=(.*)$/.exec(word)
      const parsed = m === null ? E.left('') : parseParts(m[2]!)
      if (m === null || E.isLeft(parsed)) {
        return E.left(
          `${JSON.stringify(item)} is not a variant (allowed: scratch, or load=<parts> and/or freeze=` +
            `<parts> with parts ${PARTS.join(',')} or full; variants separated by ;)`,
        )
      }
      if (m[1] === 'load') load = parsed.right
      else freeze = parsed.right
    }
    variants.push({ load, freeze })
  }
  const dup = firstDuplicate(variants.map(variantSlug))
  return dup === undefined ? E.right(variants) : E.left(`the variant ${dup === '' ? 'scratch' : dup.slice(1)} is listed twice`)
}

// ─────────────────────────────────────────────────────────────────────────────
// constructors
// ─────────────────────────────────────────────────────────────────────────────

/**
 * The most runs a plan may have: 10,000. sweep.json holds each run's config (about 2 kB, written indented) and is
 * read back whole, at most 64 MiB.
 *
 * @since 0.3.0
 */
export const MAX_PLAN_RUNS = 10_000

/** The grid's points, in the order operation, p, fraction, variant, seed. */
export const gridPoints = (grid: Grid): ReadonlyArray<GridPoint> =>
  grid.ops.flatMap((ops) =>
    grid.p.flatMap((p) =>
      grid.fracs.flatMap((frac) => grid.variants.flatMap((variant) => grid.seeds.map((seed) => ({ ops, p, frac, seed, variant })))),
    ),
  )

/** A planned run of a config. */
export const plannedRun = (config: RunConfig): PlannedRun => ({
  name: runName(config),
  ops: config.task.ops.map((op) => op.id),
  p: config.task.p,
  frac: config.task.frac,
  seed: config.task.seed,
  variant: variantOf(config),
  config,
})

/** The settings of a grid point: the sweep's options with the point's task; a loading variant takes its parts from `initFrom`. */
export const pointSettings = (options: RunOptions, point: GridPoint): RunSettings => ({
  ...options,
  ops: point.ops,
  p: point.p,
  frac: point.frac,
  seed: point.seed,
  initFrom: point.variant.load.length > 0 ? options.initFrom : undefined,
  load: point.variant.load.length > 0 ? point.variant.load : undefined,
  freeze: point.variant.freeze.length > 0 ? point.variant.freeze : undefined,
})

/**
 * The plan of a grid with these options for every run (`makeRunConfig` of each point's settings; `nameOf` names a
 * setting in a message), each loading variant checked against `source`, the config of the model in `options.initFrom`;
 * `Left` (one line, naming the run) when a point has no config, or two runs would share a folder.
 */
export const makePlan = (grid: Grid, options: RunOptions, source: ModelConfig | null = null, nameOf?: NameOf): E.Either<string, Plan> => {
  if (grid.variants.some((v) => v.load.length > 0) && (options.initFrom === undefined || source === null)) {
    return E.left(`a variant loads parts (load=…) but no ${nameOf?.('initFrom') ?? 'initFrom'} gives the model to load them from`)
  }
  const size = grid.ops.length * grid.p.length * grid.fracs.length * grid.variants.length * grid.seeds.length
  if (size > MAX_PLAN_RUNS) {
    return E.left(
      `the grid has ${size} runs (${grid.ops.length} operations × ${grid.p.length} p × ${grid.fracs.length} fractions × ` +
        `${grid.variants.length} variants × ${grid.seeds.length} seeds), more than the ${MAX_PLAN_RUNS} a sweep.json holds; ` +
        `split it into several sweeps`,
    )
  }
  const runs: PlannedRun[] = []
  for (const [i, point] of gridPoints(grid).entries()) {
    const config = makeRunConfig(pointSettings(options, point), nameOf)
    // The first point's problem is the settings'; a later one's names its point.
    if (E.isLeft(config)) {
      return E.left(
        i === 0
          ? config.left
          : `${config.left} (at ${point.ops.join('+')}, p = ${point.p}, r = ${point.frac}, ` +
              `seed ${point.seed}${point.variant.load.length + point.variant.freeze.length > 0 ? `, ${variantText(point.variant)}` : ''})`,
      )
    }
    const run = plannedRun(config.right)
    if (point.variant.load.length > 0 && source !== null) {
      const problem = transferProblem(config.right.model, source, point.variant.load)
      if (problem !== null) return E.left(`${nameOf?.('initFrom') ?? 'initFrom'}: ${options.initFrom ?? ''}: ${run.name}: ${problem}`)
    }
    runs.push(run)
  }
  const dup = firstDuplicate(runs.map((r) => r.name))
  if (dup !== undefined) {
    return E.left(
      `two grid points would share the run folder ${dup} (their operations differ only in characters a folder name cannot hold)`,
    )
  }
  return E.right({ runs, legacy: null })
}

// ─────────────────────────────────────────────────────────────────────────────
// documents
// ─────────────────────────────────────────────────────────────────────────────

/** sweep.json's document (a plan made by `makePlan`: every run has its config). */
export const encodePlan = (plan: Plan): PlanDocument => ({
  format: PLAN_FORMAT,
  grokscope: VERSION,
  runs: plan.runs.flatMap((r) => (r.config === null ? [] : [{ name: r.name, config: encodeRunConfig(r.config) }])),
})

/** A parsed sweep.json of this version or of 0.1.0; `Left` names the field. */
export const decodePlan = (u: unknown): E.Either<string, Plan> => {
  if (typeof u === 'object' && u !== null && 'format' in u) {
    const doc = PlanV2Codec.decode(u)
    if (E.isLeft(doc)) return E.left(firstProblem(doc.left))
    const runs: PlannedRun[] = []
    for (const [i, r] of doc.right.runs.entries()) {
      const config = decodeRunConfig(r.config)
      if (E.isLeft(config)) return E.left(`runs.${i}.config: ${config.left}`)
      const run = plannedRun(config.right)
      if (run.name !== r.name) {
        return E.left(`runs.${i}.name is ${JSON.stringify(r.name)} (expected ${run.name}, the name of its config's run)`)
      }
      runs.push(run)
    }
    return E.right({ runs, legacy: null })
  }
  const v1 = PlanV1Codec.decode(u)
  if (E.isLeft(v1)) return E.left(firstProblem(v1.left))
  const { settings, init_from, runs } = v1.right
  return E.right({
    runs: runs.map((r) => ({ name: r.name, ops: r.ops, p: r.p, frac: r.frac, seed: r.seed, variant: r.transfer, config: null })),
    legacy: { args: settings, initFrom: init_from },
  })
}

// ─────────────────────────────────────────────────────────────────────────────
// comparing
// ─────────────────────────────────────────────────────────────────────────────

const gridKey = (r: PlannedRun): string => JSON.stringify([r.name, r.ops, r.p, r.frac, r.seed, r.variant.load, r.variant.freeze])

/**
 * How plan `b` differs from plan `a`, in a few words, or null when they are the same plan: the
 * same runs in the same order, each with the same config (a plan of 0.1.0 has no configs: its
 * runs' settings are the caller's to compare, `legacy.args`).
 */
export const planDifference = (a: Plan, b: Plan): string | null => {
  if (a.runs.length !== b.runs.length) return `${a.runs.length} runs vs ${b.runs.length}`
  for (const [i, x] of a.runs.entries()) {
    const y = b.runs[i]!
    if (gridKey(x) !== gridKey(y)) return `run ${i + 1} is ${x.name} vs ${y.name}`
    const differs =
      x.config === null || y.config === null
        ? null
        : (configDifference(x.config, y.config) ?? (x.config.loop.max_steps !== y.config.loop.max_steps ? 'loop.max_steps differs' : null))
    if (differs !== null) return `the run settings differ (${x.name}: ${differs})`
  }
  return null
}

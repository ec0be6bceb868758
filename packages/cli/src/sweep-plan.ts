// A sweep's plan (sweep.json): the grid of runs from the sweep flags, each run's name and
// its `train` arguments, and the codec that reads the plan back. Pure: nothing is read or written.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import { OPERATIONS, firstProblem, resolveOperation } from '@grokscope/data'
import { PARTS, type Part, isPart, parseParts } from '@grokscope/model'
import { VERSION } from './run-config.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** A transfer variant of a sweep: the parts loaded from `--init-from` and the parts frozen. */
export interface Variant {
  readonly load: ReadonlyArray<Part>
  readonly freeze: ReadonlyArray<Part>
}

/** The grid of a sweep: every combination of these is one run. */
export interface Grid {
  /** Operations; a mixture is one entry with several ids. */
  readonly ops: ReadonlyArray<ReadonlyArray<string>>
  readonly p: ReadonlyArray<number>
  readonly fracs: ReadonlyArray<number>
  readonly seeds: ReadonlyArray<number>
  readonly variants: ReadonlyArray<Variant>
}

const PartCodec = new t.Type<Part, string, unknown>(
  'a part',
  (u): u is Part => typeof u === 'string' && isPart(u),
  (u, c) => (typeof u === 'string' && isPart(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
)

/** One run of a sweep. */
export const PlannedRunCodec = t.type({
  /** The run folder's name inside the sweep folder. */
  name: t.string,
  ops: t.array(t.string),
  p: t.number,
  frac: t.number,
  seed: t.number,
  transfer: t.type({ load: t.array(PartCodec), freeze: t.array(PartCodec) }),
  /** The arguments of `grokscope train` for this run (without `--out`). */
  args: t.array(t.string),
})

/** sweep.json. */
export const PlanCodec = t.type({
  grokscope: t.string,
  /** The run settings every run gets (train flags), as train arguments. */
  settings: t.array(t.string),
  /** The model the transfer variants load from (absolute), or null. */
  init_from: t.union([t.string, t.null]),
  runs: t.array(PlannedRunCodec),
})

/** A sweep's plan. */
export type Plan = t.TypeOf<typeof PlanCodec>

/** One run of a plan. */
export type PlannedRun = t.TypeOf<typeof PlannedRunCodec>

/** Training from scratch, nothing frozen. */
export const SCRATCH: Variant = { load: [], freeze: [] }

// ─────────────────────────────────────────────────────────────────────────────
// parsers
// ─────────────────────────────────────────────────────────────────────────────

const items = (s: string, sep: string | RegExp = ','): ReadonlyArray<string> => s.split(sep).map((x) => x.trim())

const firstDuplicate = (xs: ReadonlyArray<string>): string | undefined => xs.find((x, i) => xs.indexOf(x) !== i)

/**
 * `--ops`: comma-separated grid points, each a registered id or an expression, or a
 * mixture of ids joined by `+` (`add+sub`: tried when the whole is not an operation,
 * so `a2+b2` and `a+b` stay single operations); `paper` is every operation of the
 * paper's Table A.5. Gives each point's canonical ids.
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
    const bad = parts.findIndex(E.isLeft)
    if (!item.includes('+') || bad >= 0) {
      return E.left(`${JSON.stringify(item)} is not an operation id, an expression in a and b, or a mixture of ids joined by + (e.g. add+sub); see grokscope ops`)
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

/** A comma-separated list, each item parsed by `one` (which may throw its one-line message); no item twice. */
export const parseList = <A>(s: string, one: (v: string) => A): E.Either<string, ReadonlyArray<A>> => {
  try {
    const xs = items(s).map(one)
    const dup = firstDuplicate(xs.map(String))
    return dup === undefined ? E.right(xs) : E.left(`${dup} is listed twice`)
  } catch (e) {
    return E.left(e instanceof Error ? e.message : String(e))
  }
}

/** `--seeds`: comma-separated seeds and inclusive ranges `lo..hi` (`0..4,10`); each seed once. */
export const parseSeeds = (s: string): E.Either<string, ReadonlyArray<number>> => {
  const seeds: number[] = []
  for (const item of items(s)) {
    const range = /^(\d+)\s*\.\.\s*(\d+)$/.exec(item)
    if (range !== null) {
      const lo = Number(range[1])
      const hi = Number(range[2])
      if (!Number.isSafeInteger(hi) || hi < lo || hi - lo >= 100_000) return E.left(`${JSON.stringify(item)} is not allowed (a range lo..hi with lo ≤ hi, at most 100000 seeds)`)
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
 * `--transfer`: `;`-separated variants, each `scratch` or space-separated
 * `load=<parts>` and `freeze=<parts>` (`"scratch; freeze=embed; load=embed freeze=embed"`).
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
        return E.left(`${JSON.stringify(item)} is not a variant (allowed: scratch, or load=<parts> and/or freeze=<parts> with parts ${PARTS.join(',')} or full; variants separated by ;)`)
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

/** A variant's part of a run name: `` for scratch, `-load_embed-freeze_embed.unembed`. */
export const variantSlug = (v: Variant): string =>
  `${v.load.length > 0 ? `-load_${v.load.join('.')}` : ''}${v.freeze.length > 0 ? `-freeze_${v.freeze.join('.')}` : ''}`

/** A variant as readable text: `scratch`, `load embed, freeze embed`. */
export const variantText = (v: Variant): string =>
  v.load.length === 0 && v.freeze.length === 0
    ? 'scratch'
    : [v.load.length > 0 ? `load ${v.load.join('+')}` : '', v.freeze.length > 0 ? `freeze ${v.freeze.join('+')}` : ''].filter((x) => x !== '').join(', ')

/** A run folder's name: `add-p31-r0.5-s0`, `add+sub-p31-r0.5-s1-freeze_embed` (as train's default folder). */
export const runName = (ops: ReadonlyArray<string>, p: number, frac: number, seed: number, v: Variant): string =>
  `${ops.map((id) => id.replace(/[^A-Za-z0-9+-]+/g, '_')).join('+')}-p${p}-r${frac}-s${seed}${variantSlug(v)}`

/** The train arguments of one grid point. */
const runArgsOf = (ops: ReadonlyArray<string>, p: number, frac: number, seed: number, v: Variant, settings: ReadonlyArray<string>, initFrom: string | null): string[] => [
  ...(ops.length === 1 ? ['--op', ops[0]!] : ['--ops', ops.join(',')]),
  ...['--p', String(p), '--frac', String(frac), '--seed', String(seed)],
  ...settings,
  ...(v.load.length > 0 && initFrom !== null ? ['--init-from', initFrom, '--load', v.load.join(',')] : []),
  ...(v.freeze.length > 0 ? ['--freeze', v.freeze.join(',')] : []),
]

/**
 * The plan of a grid: runs in the order operation, p, fraction, variant, seed;
 * `Left` when a variant loads parts without a source or two runs would share a folder.
 */
export const makePlan = (grid: Grid, settings: ReadonlyArray<string>, initFrom: string | null): E.Either<string, Plan> => {
  if (initFrom === null && grid.variants.some((v) => v.load.length > 0)) return E.left('--transfer: a variant loads parts (load=…) but no --init-from gives the model to load them from')
  const runs: PlannedRun[] = []
  for (const ops of grid.ops)
    for (const p of grid.p)
      for (const frac of grid.fracs)
        for (const v of grid.variants)
          for (const seed of grid.seeds) {
            runs.push({
              name: runName(ops, p, frac, seed, v),
              ops: [...ops],
              p,
              frac,
              seed,
              transfer: { load: [...v.load], freeze: [...v.freeze] },
              args: runArgsOf(ops, p, frac, seed, v, settings, initFrom),
            })
          }
  const dup = firstDuplicate(runs.map((r) => r.name))
  if (dup !== undefined) return E.left(`two grid points would share the run folder ${dup} (their operations differ only in characters a folder name cannot hold)`)
  return E.right({ grokscope: VERSION, settings: [...settings], init_from: initFrom, runs })
}

// ─────────────────────────────────────────────────────────────────────────────
// reading and comparing
// ─────────────────────────────────────────────────────────────────────────────

/** A parsed sweep.json; `Left` names the field. */
export const decodePlan = (u: unknown): E.Either<string, Plan> => pipe(PlanCodec.decode(u), E.mapLeft(firstProblem))

/** How plan `b` differs from plan `a`, in a few words, or `null` when they are the same plan. */
export const planDifference = (a: Plan, b: Plan): string | null => {
  if (a.settings.join('\u0000') !== b.settings.join('\u0000')) return `the run settings differ (${a.settings.join(' ')} vs ${b.settings.join(' ')})`
  if (a.init_from !== b.init_from) return `--init-from differs (${String(a.init_from)} vs ${String(b.init_from)})`
  if (a.runs.length !== b.runs.length) return `${a.runs.length} runs vs ${b.runs.length}`
  const key = (r: PlannedRun) => JSON.stringify([r.name, r.ops, r.p, r.frac, r.seed, r.transfer.load, r.transfer.freeze, r.args])
  const i = a.runs.findIndex((r, i) => key(r) !== key(b.runs[i]!))
  return i < 0 ? null : `run ${i + 1} is ${a.runs[i]!.name} vs ${b.runs[i]!.name}${a.runs[i]!.name === b.runs[i]!.name ? ' with other arguments' : ''}`
}

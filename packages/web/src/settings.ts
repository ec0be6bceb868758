/**
 * The page's settings: the task to train (operation, p, training fraction, seed), the
 * recipe, the step budget, the backend, the WASM threads and whether to start at once, read from the URL
 * (`?op=a2%2Bb2&p=23&frac=0.5&seed=0&recipe=fast&steps=3000&backend=webgpu&threads=2&autostart=1`) or the
 * form, and made into a run's config by `@grokscope/runs` (the paper's options, the same
 * checks as the CLI's: the page refuses what `grokscope train` refuses). In the URL a `+` is
 * a plus (`?op=a2+b2` is `a2+b2`, as `%2B` is): no setting holds a space where a `+` could
 * mean one, except an expression, whose spaces the page writes as `%20`.
 *
 * @example
 * import { ONE_THREAD, settingsFromQuery } from './settings.js'
 * const settings = settingsFromQuery('?op=a2+b2&p=23&frac=0.5&seed=0&autostart=1', ONE_THREAD)  // Right({ config, threads, autostart })
 * if (settings._tag === 'Left') throw new Error(settings.left)
 * settings.right.config.task.ops.map((op) => op.id)  // => ['a2+b2']
 * settings.right.config.task.p  // => 23
 * settings.right.autostart  // => true
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { integerFrom, resolveOperation } from '@grokscope/data'
import { PAPER_SETTINGS, RECIPES, RECIPE_IDS, type RecipeId, type RunConfig, makeRunConfig } from '@grokscope/runs'
import { type BackendChoice, decodeBackendChoice } from './backend.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** The fields as typed (strings, from the URL or the form); `recipe` is empty for the paper's optimiser. */
export interface SettingsFields {
  readonly op: string
  readonly p: string
  readonly frac: string
  readonly seed: string
  readonly recipe: string
  readonly steps: string
  /** `auto`, `webgpu` or `wasm` (`BACKEND_CHOICES`); empty is `auto`. */
  readonly backend: string
  readonly threads: string
}

/**
 * What the page trains: the run's config, and the backend and WASM threads of the worker (not part of the run: its
 * results depend on them only within float32 rounding).
 */
export interface Choice {
  readonly config: RunConfig
  /** @since 0.5.0 */
  readonly backend: BackendChoice
  readonly threads: number
}

/** Decoded settings: the run's config, the threads, and whether to start at once. */
export interface Settings extends Choice {
  readonly autostart: boolean
}

/**
 * How many WASM threads the browser allows: `max`, the default, and why there is only one when so (`null` otherwise).
 *
 * @since 0.3.0
 */
export interface ThreadLimit {
  readonly max: number
  readonly default: number
  readonly onlyOne: string | null
}

/**
 * The most threads tfjs's WASM backend runs on (its threaded build starts a pool of 8 Web Workers); it also takes at
 * most half the logical cores the browser reports (`navigator.hardwareConcurrency`), counting two per physical core.
 *
 * @since 0.3.0
 */
export const MAX_WASM_THREADS = 8

/**
 * The limit of a page that is not cross-origin isolated: one thread.
 *
 * @since 0.3.0
 */
export const ONE_THREAD: ThreadLimit = {
  max: 1,
  default: 1,
  onlyOne:
    'the page is not cross-origin isolated (its server must send Cross-Origin-Opener-Policy: same-origin and ' +
    'Cross-Origin-Embedder-Policy: require-corp, as pnpm web does), so WebAssembly has no shared memory for threads',
}

/** What the page shows before the user changes anything: a+b mod 23 on 60 % of the pairs, which groks at step 1,600. */
export const DEFAULT_FIELDS: SettingsFields = {
  op: 'add',
  p: '23',
  frac: '0.6',
  seed: '0',
  recipe: '',
  steps: String(PAPER_SETTINGS.steps),
  backend: 'auto',
  threads: '1',
}

// ─────────────────────────────────────────────────────────────────────────────
// constructors
// ─────────────────────────────────────────────────────────────────────────────

/**
 * The threads a browser with `cores` logical cores allows, as many by default: when the page is cross-origin isolated,
 * half its cores, from 1 to `MAX_WASM_THREADS` (what tfjs's WASM backend takes at most); else one.
 *
 * @example
 * import { threadLimit } from './settings.js'
 * threadLimit(true, 8).max  // => 4
 * threadLimit(true, 2).onlyOne  // => "the browser reports 2 logical cores, and tfjs's WASM backend takes at most half of them (one thread per physical core)"
 *
 * @since 0.3.0
 */
export const threadLimit = (crossOriginIsolated: boolean, cores: number): ThreadLimit => {
  if (!crossOriginIsolated) return ONE_THREAD
  const max = Math.min(MAX_WASM_THREADS, Math.max(1, Math.floor(cores / 2)))
  return {
    max,
    default: max,
    onlyOne:
      max > 1
        ? null
        : `the browser reports ${cores} logical core${cores === 1 ? '' : 's'}, and tfjs's WASM backend takes at most half ` +
          'of them (one thread per physical core)',
  }
}

/** The recipes a person may choose, in words (`fast: AdamW, lr 2e-2, wd 2`). */
export const RECIPE_CHOICES: ReadonlyArray<{ readonly id: RecipeId; readonly summary: string }> = RECIPE_IDS.map((id) => ({
  id,
  summary: RECIPES[id].summary,
}))

// ─────────────────────────────────────────────────────────────────────────────
// decoding
// ─────────────────────────────────────────────────────────────────────────────

/** A field as a number; `Left` names it (JSON numbers only: no hex, no empty string). */
const numberField = (name: string, s: string): E.Either<string, number> => {
  const trimmed = s.trim()
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)
    ? E.right(Number(trimmed))
    : E.left(`${name}: ${JSON.stringify(s)} is not a number`)
}

/** A field as an integer from `min` to `max`; `Left` names it and what is allowed. */
const integerField = (name: string, s: string, min: number, max?: number): E.Either<string, number> => {
  const allowed = integerFrom(min, max)
  return /^\d+$/.test(s.trim()) && allowed.is(Number(s.trim()))
    ? E.right(Number(s.trim()))
    : E.left(`${name}: ${JSON.stringify(s)} is not allowed (${allowed.name})`)
}

const recipeField = (s: string): E.Either<string, RecipeId | null> => {
  const id = s.trim()
  if (id === '') return E.right(null)
  const known = RECIPE_IDS.find((r) => r === id)
  return known === undefined
    ? E.left(`recipe: ${JSON.stringify(s)} is not allowed (${RECIPE_IDS.join(', ')}, or none: the paper's AdamW)`)
    : E.right(known)
}

const threadsField = (s: string, limit: ThreadLimit): E.Either<string, number> => {
  const n = integerField('threads', s, 1, limit.max)
  return E.isLeft(n) && limit.onlyOne !== null ? E.left(`${n.left}: ${limit.onlyOne}`) : n
}

/**
 * The run's config and threads of the fields (the paper's options, with the recipe's); `Left` is one line naming the
 * field and what is allowed.
 */
export const decodeFields = (f: SettingsFields, limit: ThreadLimit): E.Either<string, Choice> => {
  const numbers = [numberField('p', f.p), numberField('frac', f.frac), numberField('seed', f.seed)]
  const bad = numbers.find(E.isLeft)
  if (bad !== undefined) return bad
  const [p, frac, seed] = numbers.map((n) => (E.isRight(n) ? n.right : NaN))
  const recipe = recipeField(f.recipe)
  if (E.isLeft(recipe)) return recipe
  const steps = integerField('steps', f.steps, 1)
  if (E.isLeft(steps)) return steps
  const backend = decodeBackendChoice(f.backend)
  if (E.isLeft(backend)) return backend
  const threads = threadsField(f.threads, limit)
  if (E.isLeft(threads)) return threads
  const config = makeRunConfig(
    {
      ...PAPER_SETTINGS,
      ...(recipe.right === null ? {} : { ...RECIPES[recipe.right].settings, recipe: recipe.right }),
      ops: [f.op.trim()],
      p: p!,
      frac: frac!,
      seed: seed!,
      steps: steps.right,
    },
    (k) => (k === 'ops' ? 'op' : k),
  )
  return E.map((c: RunConfig) => ({ config: c, backend: backend.right, threads: threads.right }))(config)
}

/**
 * A query string's parameters, a `+` read as a plus (`?op=a2+b2`): `URLSearchParams` alone reads it as a space, which
 * no operation id holds.
 */
const paramsOf = (query: string): URLSearchParams => new URLSearchParams(query.replace(/\+/g, '%2B'))

/**
 * The operation in a query: its `+` a plus, unless only a space makes it an operation (a link whose spaces were
 * written as `+`, as `URLSearchParams` writes them: `?op=a%5E3+%2B+b`).
 */
const opOf = (query: string): string | null => {
  const plus = paramsOf(query).get('op')
  const space = new URLSearchParams(query).get('op')
  if (plus === null || space === null) return null
  return E.isLeft(resolveOperation(plus)) && E.isRight(resolveOperation(space)) ? space : plus
}

/** The fields in a query string, `defaults` for those it lacks. */
export const fieldsFromQuery = (query: string, defaults: SettingsFields = DEFAULT_FIELDS): SettingsFields => {
  const q = paramsOf(query)
  return {
    op: opOf(query) ?? defaults.op,
    p: q.get('p') ?? defaults.p,
    frac: q.get('frac') ?? defaults.frac,
    seed: q.get('seed') ?? defaults.seed,
    recipe: q.get('recipe') ?? defaults.recipe,
    steps: q.get('steps') ?? defaults.steps,
    backend: q.get('backend') ?? defaults.backend,
    threads: q.get('threads') ?? defaults.threads,
  }
}

/** The settings of a query string (`autostart=1` or `true` starts training on load); missing threads are the limit's default. */
export const settingsFromQuery = (query: string, limit: ThreadLimit): E.Either<string, Settings> => {
  const autostart = ['1', 'true'].includes(paramsOf(query).get('autostart') ?? '')
  return E.map((c: Choice) => ({ ...c, autostart }))(
    decodeFields(fieldsFromQuery(query, { ...DEFAULT_FIELDS, threads: String(limit.default) }), limit),
  )
}

/**
 * The query string of a choice (what the URL shows once it trains), every value percent-encoded (`a2+b2` is
 * `a2%2Bb2`, a space `%20`), so that a copied link gives the same settings; the backend when it is not `auto`,
 * `autostart=1` when asked.
 */
export const queryOf = (c: Choice, autostart = false): string => {
  const { task, loop } = c.config
  const pairs: ReadonlyArray<readonly [string, string]> = [
    ['op', task.ops[0]!.id],
    ['p', String(task.p)],
    ['frac', String(task.frac)],
    ['seed', String(task.seed)],
    ...(c.config.recipe === undefined ? [] : [['recipe', c.config.recipe] as const]),
    ['steps', String(loop.max_steps)],
    ...(c.backend === 'auto' ? [] : [['backend', c.backend] as const]),
    ['threads', String(c.threads)],
    ...(autostart ? [['autostart', '1'] as const] : []),
  ]
  return pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')
}

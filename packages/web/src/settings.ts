/**
 * The page's settings: the task to train (operation, p, training fraction, seed)
 * and whether to start at once, read from the URL (`?op=add&p=23&frac=0.5&seed=0&autostart=1`)
 * or the form, and made into a run's config by `@grokscope/runs` (the paper's options, the
 * same checks as the CLI's: the page refuses what `grokscope train` refuses).
 *
 * @example
 * import { settingsFromQuery } from './settings.js'
 * const settings = settingsFromQuery('?op=add&p=23&frac=0.5&seed=0&autostart=1')  // Right({ config, autostart })
 * if (settings._tag === 'Left') throw new Error(settings.left)
 * settings.right.config.task.ops.map((op) => op.id)  // => ['add']
 * settings.right.config.task.p  // => 23
 * settings.right.autostart  // => true
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Task } from '@grokscope/data'
import { PAPER_SETTINGS, type RunConfig, makeRunConfig } from '@grokscope/runs'

/** The fields as typed (strings, from the URL or the form). */
export interface SettingsFields {
  readonly op: string
  readonly p: string
  readonly frac: string
  readonly seed: string
}

/** Decoded settings: the run's config, and whether to start at once. */
export interface Settings {
  readonly config: RunConfig
  readonly autostart: boolean
}

/** What the page shows before the user changes anything: a+b mod 23 on 60 % of the pairs, which groks at step 1,600. */
export const DEFAULT_FIELDS: SettingsFields = { op: 'add', p: '23', frac: '0.6', seed: '0' }

/** A field as a number; `Left` names it (JSON numbers only: no hex, no empty string). */
const numberField = (name: string, s: string): E.Either<string, number> => {
  const trimmed = s.trim()
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)
    ? E.right(Number(trimmed))
    : E.left(`${name}: ${JSON.stringify(s)} is not a number`)
}

/** The run's config of the fields (the paper's options); `Left` is one line naming the field and what is allowed. */
export const decodeFields = (f: SettingsFields): E.Either<string, RunConfig> => {
  const numbers = [numberField('p', f.p), numberField('frac', f.frac), numberField('seed', f.seed)]
  const bad = numbers.find(E.isLeft)
  if (bad !== undefined) return bad
  const [p, frac, seed] = numbers.map((n) => (E.isRight(n) ? n.right : NaN))
  return makeRunConfig({ ...PAPER_SETTINGS, ops: [f.op.trim()], p: p!, frac: frac!, seed: seed!, steps: PAPER_SETTINGS.steps }, (k) =>
    k === 'ops' ? 'op' : k,
  )
}

/** The fields in a query string, the defaults for those it lacks. */
export const fieldsFromQuery = (query: string): SettingsFields => {
  const q = new URLSearchParams(query)
  return {
    op: q.get('op') ?? DEFAULT_FIELDS.op,
    p: q.get('p') ?? DEFAULT_FIELDS.p,
    frac: q.get('frac') ?? DEFAULT_FIELDS.frac,
    seed: q.get('seed') ?? DEFAULT_FIELDS.seed,
  }
}

/** The settings of a query string (`autostart=1` or `true` starts training on load). */
export const settingsFromQuery = (query: string): E.Either<string, Settings> => {
  const autostart = ['1', 'true'].includes(new URLSearchParams(query).get('autostart') ?? '')
  return E.map((config: RunConfig) => ({ config, autostart }))(decodeFields(fieldsFromQuery(query)))
}

/** The query string of a task (what the URL shows after pressing Train). */
export const queryOf = (task: Task): string =>
  new URLSearchParams({ op: task.ops[0]!.id, p: String(task.p), frac: String(task.frac), seed: String(task.seed) }).toString()

/**
 * Branded types for a task's configuration, decoded with io-ts at the edge;
 * the core takes the branded values and never re-validates.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { decodeTask, formatErrors } from '@grokscope/data'
 * const task = decodeTask({ p: 31, ops: ['add'], frac: 0.5, seed: 0 })  // a Task, its operations resolved
 * E.isRight(task)  // => true
 * E.mapLeft(formatErrors)(decodeTask({ p: 32, ops: ['add'], frac: 0.5, seed: 0 }))  // => E.left(['p: 32 is not allowed (a prime from 3 to 997)'])
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import { formatParseError } from './Expr.js'
import { isPrime } from './Modular.js'
import { type Operation, resolveOperation } from './Operation.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** The smallest modulus accepted. */
export const MIN_P = 3
/** The largest modulus accepted. */
export const MAX_P = 997

interface PrimeBrand {
  readonly Prime: unique symbol
}
/** A prime in `[MIN_P, MAX_P]`. */
export type Prime = t.Branded<number, PrimeBrand>

interface FractionBrand {
  readonly Fraction: unique symbol
}
/** A number strictly between 0 and 1. */
export type Fraction = t.Branded<number, FractionBrand>

interface SeedBrand {
  readonly Seed: unique symbol
}
/** An integer in `[0, 2^53 - 1]`. */
export type Seed = t.Branded<number, SeedBrand>

/** A fully decoded task: modulus, operations (distinct, in token order), train fraction, seed. */
export interface Task {
  readonly p: Prime
  readonly ops: ReadonlyArray<Operation>
  readonly frac: Fraction
  readonly seed: Seed
}

// ─────────────────────────────────────────────────────────────────────────────
// utils
// ─────────────────────────────────────────────────────────────────────────────

const SHOW_LENGTH = 40

/**
 * Any value, as a short one-line string for an error message: JSON where it has
 * one (every control character escaped), cut at `SHOW_LENGTH`; never throws (e.g. on an
 * object without a prototype, a BigInt inside an object, a symbol).
 */
const show = (u: unknown): string => {
  let s: string
  switch (typeof u) {
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return String(u)
    case 'symbol':
      return 'a symbol'
    case 'function':
      return 'a function'
    case 'string':
    case 'object':
      try {
        s = JSON.stringify(u) ?? typeof u
      } catch {
        s = Array.isArray(u) ? 'an array' : 'an object'
      }
  }
  // JSON escapes the C0 controls; escape DEL, the C1 controls (NEL among them) and the Unicode line separators too.
  s = s.replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  return s.length <= SHOW_LENGTH ? s : `${s.slice(0, SHOW_LENGTH - 1)}…`
}

/** Text on one line: line breaks and other control characters written as `\uXXXX` (a flag value or a file can hold them). */
export const oneLine = (text: string): string =>
  Array.from(text, (ch) => {
    const code = ch.codePointAt(0) ?? 0
    return code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029 ? `\\u${code.toString(16).padStart(4, '0')}` : ch
  }).join('')

// ─────────────────────────────────────────────────────────────────────────────
// codecs
// ─────────────────────────────────────────────────────────────────────────────

/** A branded number named after what is allowed (`a prime from 3 to 997`), whose error says so. */
const refineNumber = <B>(allowed: string, ok: (n: number) => boolean): t.Type<B, number, unknown> =>
  new t.Type<B, number, unknown>(
    allowed,
    (u): u is B => typeof u === 'number' && ok(u),
    (u, c) => (typeof u === 'number' && ok(u) ? t.success(u as B) : t.failure(u, c, `${show(u)} is not allowed (${allowed})`)),
    (b) => b as unknown as number,
  )

/** A prime modulus in `[MIN_P, MAX_P]`. */
export const PrimeCodec = refineNumber<Prime>(`a prime from ${MIN_P} to ${MAX_P}`, (n) => n >= MIN_P && n <= MAX_P && isPrime(n))

/** A train fraction strictly between 0 and 1. */
export const FractionCodec = refineNumber<Fraction>('a number with 0 < r < 1', (n) => n > 0 && n < 1)

/** A seed: an integer from 0 to 2^53 - 1. */
export const SeedCodec = refineNumber<Seed>('an integer from 0 to 2^53 - 1', (n) => Number.isSafeInteger(n) && n >= 0)

/** An operation: a registered id (see `OPERATIONS`) or an expression in `a`, `b`. */
export const OperationCodec = new t.Type<Operation, string, unknown>(
  'Operation',
  (u): u is Operation => typeof u === 'object' && u !== null && 'formula' in u,
  (u, c) =>
    typeof u !== 'string'
      ? t.failure(u, c, `${show(u)} is not an operation (a registered id or an expression in a and b)`)
      : pipe(
          resolveOperation(u),
          E.fold(
            (e) =>
              t.failure(
                u,
                c,
                `not a registered operation id, and not a valid expression: ${formatParseError(e)} ` +
                  '(allowed: an id that grokscope ops lists, or an expression in a and b)',
              ),
            (op) => t.success(op),
          ),
        ),
  (op) => op.id,
)

const TaskFields = t.type({
  p: PrimeCodec,
  ops: t.array(OperationCodec),
  frac: FractionCodec,
  seed: SeedCodec,
})

/** A task: the fields' codecs, then the checks between fields (distinct operations, a non-empty split). */
export const TaskCodec = new t.Type<Task, { p: number; ops: string[]; frac: number; seed: number }, unknown>(
  'Task',
  (u): u is Task => TaskFields.is(u),
  (u, c) =>
    pipe(
      TaskFields.validate(u, c),
      E.chain((task) => {
        if (task.ops.length === 0) return t.failure(u, c, 'ops: at least one operation is needed')
        const ids = task.ops.map((op) => op.id)
        const dup = ids.find((id, i) => ids.indexOf(id) !== i)
        if (dup !== undefined) return t.failure(u, c, `ops: ${dup} is listed twice (each operation once)`)
        const nTrain = trainSize(task.p, task.frac)
        if (nTrain < 1 || nTrain >= task.p * task.p) {
          return t.failure(
            u,
            c,
            `frac: ${task.frac} leaves ${nTrain} of ${task.p * task.p} pairs for training (train and test must both be non-empty)`,
          )
        }
        return t.success(task)
      }),
    ),
  (task) => ({ p: task.p, ops: task.ops.map((op) => op.id), frac: task.frac, seed: task.seed }),
)

/** The number of training pairs: `⌊r·p²⌋`, as the reference's `int(frac * p*p)`. */
export const trainSize = (p: number, frac: number): number => Math.trunc(frac * p * p)

/** Decodes an untrusted task description. */
export const decodeTask = (u: unknown): E.Either<t.Errors, Task> => TaskCodec.decode(u)

/** A field name in a path: as it is when it looks like one (`blocks.0.attn.W_Q`), else quoted and escaped. */
const showKey = (k: string): string => (/^[\w.+-]+$/.test(k) ? k : show(k))

/**
 * The path of a decoding error (`model.dModel`, `ops.1`): the keys of its context,
 * without the member indices that intersections and unions add.
 */
const pathOf = (e: t.ValidationError): string =>
  e.context
    .filter((c, i) => {
      if (c.key === '') return false
      const parent = e.context[i - 1]?.type as { readonly _tag?: string } | undefined
      return parent?._tag !== 'IntersectionType' && parent?._tag !== 'UnionType'
    })
    .map((c) => showKey(c.key))
    .join('.')

/** io-ts errors as readable lines: `p: 91 is not allowed (a prime from 3 to 997)`. */
export const formatErrors = (errors: t.Errors): ReadonlyArray<string> =>
  [
    ...new Set(
      errors.map((e) => {
        const path = pathOf(e)
        const message = e.message ?? `${show(e.value)} is not a valid ${e.context[e.context.length - 1]?.type.name ?? 'value'}`
        return path === '' || message.startsWith(`${path}:`) ? message : `${path}: ${message}`
      }),
    ),
  ]

/**
 * The first problem of a failed decoding, on one line: the codec's own message
 * (`p: 91 is not allowed (…)`), else `path is value (expected what)`, with the
 * codec's name as `what` (`model.dModel is "a" (expected an integer ≥ 1)`).
 */
export const firstProblem = (errors: t.Errors): string => {
  const e = errors[0]
  if (e === undefined) return 'invalid'
  if (e.message !== undefined) return formatErrors([e])[0]!
  const path = pathOf(e)
  return (
    `${path === '' ? 'the document' : path} is ${e.value === undefined ? 'missing' : show(e.value)}` +
    ` (expected ${e.context.at(-1)?.type.name ?? 'a value'})`
  )
}

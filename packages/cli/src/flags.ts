// Parsers of flag values: each gives a valid value or throws commander's
// InvalidArgumentError with one line that quotes the value and says what is allowed.
// The rules are the libraries' (`@grokscope/data`'s number refinements, the key rule's grammar);
// the syntax of a value as typed (decimal notation only) is the command line's.
import { InvalidArgumentError } from '@commander-js/extra-typings'
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { parseKeyRule } from '@grokscope/analysis'
import {
  FractionCodec,
  NonNegativeNumber,
  PositiveNumber,
  PrimeCodec,
  SeedCodec,
  UnitInterval,
  formatErrors,
  integerFrom,
  oneLine,
} from '@grokscope/data'
import type { KeyRule } from '@grokscope/measures'
import { MAX_STEPS } from '@grokscope/runs'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** A flag value's parser, as commander calls it. */
export type Parser<A> = (value: string) => A

/** The most threads `--threads` accepts (each is a WASM instance with its own copy of the model). */
export const MAX_THREADS = 256

// ─────────────────────────────────────────────────────────────────────────────
// utils
// ─────────────────────────────────────────────────────────────────────────────

const DECIMAL = /^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i

/**
 * The number a value spells in decimal notation (surrounding spaces allowed; `-0` is 0), else NaN: no hex, no
 * `Infinity`, no empty string.
 */
export const decimal = (v: string): number => {
  const s = v.trim()
  return DECIMAL.test(s) ? Number(s) + 0 : NaN
}

/** A value as the user typed it, quoted, on one line (JSON leaves U+2028 and U+2029 raw: those are escaped too). */
const quote = (v: string): string => oneLine(JSON.stringify(v))

const reject = (v: string, allowed: string): never => {
  throw new InvalidArgumentError(`${quote(v)} is not allowed (${allowed})`)
}

// ─────────────────────────────────────────────────────────────────────────────
// parsers
// ─────────────────────────────────────────────────────────────────────────────

/** A number decoded by a branded codec of `@grokscope/data`; its message says what is allowed. */
const viaCodec =
  <A extends number>(codec: t.Decoder<unknown, A>): Parser<A> =>
  (v) => {
    const n = decimal(v)
    const r = codec.decode(n)
    if (E.isRight(r)) return r.right
    const message = formatErrors(r.left)[0] ?? `${String(n)} is not allowed`
    // The codec shows the number; show what was typed when that reads differently ("x", "1e2").
    throw new InvalidArgumentError(v.trim() === String(n) ? message : message.replace(String(n), quote(v)))
  }

/** `--p`: a prime from 3 to 997. */
export const prime = viaCodec(PrimeCodec)

/** `--frac`: 0 < r < 1. */
export const fraction = viaCodec(FractionCodec)

/** `--seed`: an integer from 0 to 2^53 − 1. */
export const seed = viaCodec(SeedCodec)

/** An integer in `[min, max]`, written with digits only. */
export const integer =
  (min: number, max: number = Number.MAX_SAFE_INTEGER): Parser<number> =>
  (v) => {
    const s = v.trim()
    return /^\d+$/.test(s) && integerFrom(min, max).is(Number(s)) ? Number(s) : reject(v, integerFrom(min, max).name)
  }

/** A number in decimal notation passing a refinement of `@grokscope/data`, whose name says what is allowed. */
const decimalIn =
  (codec: t.Type<number, number, unknown>): Parser<number> =>
  (v) => {
    const n = decimal(v)
    return codec.is(n) ? n : reject(v, codec.name)
  }

/** A finite number > 0. */
export const positive: Parser<number> = decimalIn(PositiveNumber)

/** A finite number ≥ 0. */
export const nonNegative: Parser<number> = decimalIn(NonNegativeNumber)

/** `--momentum`, `--grokfast-alpha`: 0 ≤ x < 1. */
export const unitInterval: Parser<number> = decimalIn(UnitInterval)

/** The FFD threshold: 0 ≤ η < 1. */
export const eta: Parser<number> = (v) => {
  const n = decimal(v)
  return n >= 0 && n < 1 ? n : reject(v, 'a number with 0 ≤ η < 1')
}

/**
 * `--key-freqs`: `auto`, `auto:<factor>`, `energy`, `energy:<threshold>` or a list of frequencies (checked against p
 * once the model is read).
 */
export const keyRule: Parser<KeyRule> = (v) => {
  const r = parseKeyRule(v)
  if (E.isLeft(r)) throw new InvalidArgumentError(oneLine(r.left))
  return r.right
}

/** A count of steps (a budget, an interval): an integer from `min` to `MAX_STEPS` (10⁹). */
export const steps = (min: number): Parser<number> => integer(min, MAX_STEPS)

/**
 * `--stop-after-grok`: an integer from 0 to `MAX_STEPS`, or `never`. (Not `null` for never: commander
 * turns a parser's `null` into `''`.)
 */
export const stopAfter: Parser<number | 'never'> = (v) => (v.trim() === 'never' ? 'never' : steps(0)(v))

/** `--threads`: an integer from 1 to `MAX_THREADS`. */
export const threads: Parser<number> = integer(1, MAX_THREADS)

/** `--memory`: a budget in MiB, an integer from 64 to 2^20 (1 TiB). */
export const memory: Parser<number> = integer(64, 2 ** 20)

/** `bench --p`: one prime or a comma-separated list of them (`97,199,401`). */
export const primes: Parser<ReadonlyArray<number>> = (v) => {
  const parts = v.split(',')
  if (parts.some((s) => s.trim() === '')) return reject(v, 'a prime from 3 to 997, or a comma-separated list of them, e.g. 97,199,401')
  return parts.map((s) => prime(s))
}

/** A path (a file or folder): any text but the empty one, which would mean the current folder. */
export const pathValue: Parser<string> = (v) => (v.trim() === '' ? reject(v, 'a file or folder path; an empty one is refused') : v)

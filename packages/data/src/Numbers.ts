/**
 * Numbers with a rule, as io-ts codecs: the one refinement every document of a
 * run (config.json, state.json, sweep.json) and every flag parser builds its
 * numbers from. The codec's name says what is allowed, so a decoding error reads
 * `loop.eval_every is 0 (expected an integer ≥ 1)` (`firstProblem`).
 *
 * @example
 * import { integerFrom, PositiveNumber } from '@grokscope/data'
 * integerFrom(1).is(3) // => true
 * integerFrom(1).name // => 'an integer ≥ 1'
 * PositiveNumber.is(0) // => false
 *
 * @since 0.2.0
 */
import * as t from 'io-ts'

/** A number passing `ok`, named after what is allowed (the name is what a decoding error says was expected). */
export const numberWhere = (name: string, ok: (n: number) => boolean): t.Type<number, number, unknown> =>
  new t.Type<number, number, unknown>(
    name,
    (u): u is number => typeof u === 'number' && ok(u),
    (u, c) => (typeof u === 'number' && ok(u) ? t.success(u) : t.failure(u, c)),
    t.identity,
  )

/** A safe integer from `min` to `max` (default: no upper bound but 2^53 − 1). */
export const integerFrom = (min: number, max: number = Number.MAX_SAFE_INTEGER): t.Type<number, number, unknown> =>
  numberWhere(
    max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`,
    (n) => Number.isSafeInteger(n) && n >= min && n <= max,
  )

/** A finite number > 0 (a learning rate, a scale). */
export const PositiveNumber = numberWhere('a finite number > 0', (n) => Number.isFinite(n) && n > 0)

/** A finite number ≥ 0 (a weight decay, a filter's λ). */
export const NonNegativeNumber = numberWhere('a finite number ≥ 0', (n) => Number.isFinite(n) && n >= 0)

/** A number with 0 ≤ x < 1 (Adam's β, an EMA's α, a momentum). */
export const UnitInterval = numberWhere('a number with 0 ≤ x < 1', (n) => n >= 0 && n < 1)

/** A number with 0 ≤ x ≤ 1 (an accuracy threshold). */
export const Probability = numberWhere('a number with 0 ≤ x ≤ 1', (n) => n >= 0 && n <= 1)

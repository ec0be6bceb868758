/**
 * The key-frequency rule as a user spells it (`analyze --key-freqs`): `auto`,
 * `auto:<factor>`, `energy` (threshold 0.1), `energy:<threshold>` or a list of frequencies `6,29,42`, read
 * into a `KeyRule` of `@grokscope/measures`, and checked against a modulus.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { keyRuleFor, parseKeyRule } from '@grokscope/analysis'
 * parseKeyRule('energy:0.1')  // => E.right({ kind: 'energy', threshold: 0.1 })
 * parseKeyRule('auto:0.5')  // => E.left('"auto:0.5": the factor must be a number ≥ 1 (allowed: auto, auto:<factor ≥ 1>, energy, energy:<threshold in [0, 1)> or frequencies such as 6,29,42)')
 * keyRuleFor({ kind: 'list', frequencies: [60] }, 97)  // => E.left('key frequencies 60: p = 97 has frequencies 1 to 48')
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { MAX_P } from '@grokscope/data'
import { DEFAULT_KEY_FACTOR, DEFAULT_KEY_THRESHOLD, type KeyRule } from '@grokscope/measures'

/** What `--key-freqs` accepts, in words. */
export const KEY_RULE_FORMS = 'auto, auto:<factor ≥ 1>, energy, energy:<threshold in [0, 1)> or frequencies such as 6,29,42'

/** The largest frequency of the largest modulus. */
const MAX_FREQUENCY = Math.floor(MAX_P / 2)

const NUMBER = /^(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i

const bad = (s: string, why: string): E.Either<string, KeyRule> => E.left(`${JSON.stringify(s)}: ${why} (allowed: ${KEY_RULE_FORMS})`)

/** A rule from its spelling; `Left` is one line naming the problem and the forms allowed. */
export const parseKeyRule = (spelled: string): E.Either<string, KeyRule> => {
  const s = spelled.trim()
  if (s === 'auto') return E.right({ kind: 'auto', factor: DEFAULT_KEY_FACTOR })
  if (s === 'energy') return E.right({ kind: 'energy', threshold: DEFAULT_KEY_THRESHOLD })
  const [head, arg] = s.split(/:(.*)/s) as [string, string | undefined]
  if (arg !== undefined && (head === 'auto' || head === 'energy')) {
    const x = NUMBER.test(arg.trim()) ? Number(arg) : NaN
    if (head === 'auto') {
      return Number.isFinite(x) && x >= 1 ? E.right({ kind: 'auto', factor: x }) : bad(spelled, 'the factor must be a number ≥ 1')
    }
    return x >= 0 && x < 1 ? E.right({ kind: 'energy', threshold: x }) : bad(spelled, 'the threshold must be a number from 0 to below 1')
  }
  const parts = s.split(',').map((x) => x.trim())
  if (!parts.every((x) => /^\d+$/.test(x))) return bad(spelled, 'not a rule nor a list of frequencies')
  const ks = parts.map(Number)
  if (ks.some((k) => k < 1 || k > MAX_FREQUENCY)) return bad(spelled, `frequencies are from 1 to ⌊p/2⌋, at most ${MAX_FREQUENCY}`)
  if (new Set(ks).size !== ks.length) return bad(spelled, 'a frequency is listed twice')
  return E.right({ kind: 'list', frequencies: ks })
}

/** The rule for a model of modulus `p`: `Left` when a listed frequency is above ⌊p/2⌋. */
export const keyRuleFor = (rule: KeyRule, p: number): E.Either<string, KeyRule> => {
  if (rule.kind !== 'list') return E.right(rule)
  const K = Math.floor(p / 2)
  const outside = rule.frequencies.filter((k) => k > K)
  return outside.length === 0 ? E.right(rule) : E.left(`key frequencies ${outside.join(', ')}: p = ${p} has frequencies 1 to ${K}`)
}

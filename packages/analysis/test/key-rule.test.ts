// --key-freqs as typed: every form it accepts reads back as it is shown, and each bad form is one line naming the
// problem and the forms allowed.
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { showKeyRule } from '@grokscope/measures'
import { KEY_RULE_FORMS, keyRuleFor, parseKeyRule } from '../src/index.js'

describe('parseKeyRule', () => {
  it('reads auto, energy and their defaults', () => {
    expect(parseKeyRule('auto')).toEqual(E.right({ kind: 'auto', factor: 2 }))
    expect(parseKeyRule(' auto:3.5 ')).toEqual(E.right({ kind: 'auto', factor: 3.5 }))
    expect(parseKeyRule('energy')).toEqual(E.right({ kind: 'energy', threshold: 0.1 }))
    expect(parseKeyRule('energy:0')).toEqual(E.right({ kind: 'energy', threshold: 0 }))
    expect(parseKeyRule('6, 29,42')).toEqual(E.right({ kind: 'list', frequencies: [6, 29, 42] }))
  })

  it('every rule it reads is shown as a spelling that reads back to it', () => {
    const rules = fc.oneof(
      fc.double({ min: 1, max: 1e6, noNaN: true }).map((factor) => ({ kind: 'auto' as const, factor })),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }).map((threshold) => ({ kind: 'energy' as const, threshold })),
      fc
        .uniqueArray(fc.integer({ min: 1, max: 498 }), { minLength: 1, maxLength: 8 })
        .map((frequencies) => ({ kind: 'list' as const, frequencies })),
    )
    fc.assert(
      fc.property(rules, (r) => {
        expect(parseKeyRule(showKeyRule(r))).toEqual(E.right(r))
      }),
    )
  })

  it.each([
    ['auto:0.5', 'the factor must be a number ≥ 1'],
    ['auto:', 'the factor must be a number ≥ 1'],
    ['auto:x', 'the factor must be a number ≥ 1'],
    ['energy:1', 'the threshold must be a number from 0 to below 1'],
    ['energy:-0.1', 'the threshold must be a number from 0 to below 1'],
    ['energy:1e-1x', 'the threshold must be a number from 0 to below 1'],
    ['0,3', 'frequencies are from 1 to ⌊p/2⌋, at most 498'],
    ['3,499', 'frequencies are from 1 to ⌊p/2⌋, at most 498'],
    ['9007199254740993', 'frequencies are from 1 to ⌊p/2⌋, at most 498'],
    ['3,3', 'a frequency is listed twice'],
    ['3,,4', 'not a rule nor a list of frequencies'],
    ['', 'not a rule nor a list of frequencies'],
    ['fast', 'not a rule nor a list of frequencies'],
  ])('%j: %s', (typed, why) => {
    const r = parseKeyRule(typed)
    expect(r).toEqual(E.left(`${JSON.stringify(typed)}: ${why} (allowed: ${KEY_RULE_FORMS})`))
  })
})

describe('keyRuleFor', () => {
  it('keeps auto, energy and a list within 1..⌊p/2⌋; names the listed frequencies above it', () => {
    expect(keyRuleFor({ kind: 'auto', factor: 2 }, 23)).toEqual(E.right({ kind: 'auto', factor: 2 }))
    expect(keyRuleFor({ kind: 'list', frequencies: [1, 11] }, 23)).toEqual(E.right({ kind: 'list', frequencies: [1, 11] }))
    expect(keyRuleFor({ kind: 'list', frequencies: [12, 3, 40] }, 23)).toEqual(
      E.left('key frequencies 12, 40: p = 23 has frequencies 1 to 11'),
    )
  })
})

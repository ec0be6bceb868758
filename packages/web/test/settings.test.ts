// The page's settings: URL parameters and form fields, decoded into a task.
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { OPERATIONS, isPrime } from '@grokscope/data'
import { DEFAULT_FIELDS, decodeFields, fieldsFromQuery, queryOf, settingsFromQuery } from '../src/settings.js'

const primes = Array.from({ length: 200 }, (_, i) => i).filter((n) => n >= 3 && isPrime(n))

describe('settings', () => {
  it('the query a task is shown with decodes back to that task', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...OPERATIONS.map((op) => op.id)),
        fc.constantFrom(...primes),
        fc.integer({ min: 1, max: 99 }),
        fc.nat(1_000_000),
        (op, p, percent, seed) => {
          const decoded = settingsFromQuery(`?op=${encodeURIComponent(op)}&p=${p}&frac=${percent / 100}&seed=${seed}`)
          fc.pre(E.isRight(decoded))
          if (E.isLeft(decoded)) return
          const again = settingsFromQuery(`?${queryOf(decoded.right.config.task)}`)
          expect(again).toEqual(decoded)
          expect(decoded.right.config.task.ops[0]!.id).toBe(op)
        },
      ),
    )
  })

  it('reads the URL parameters of the contract, and autostart only when asked', () => {
    const s = settingsFromQuery('?op=add&p=23&frac=0.5&seed=0&autostart=1')
    if (E.isLeft(s)) throw new Error(s.left)
    expect(s.right.autostart).toBe(true)
    expect({
      p: s.right.config.task.p,
      frac: s.right.config.task.frac,
      seed: s.right.config.task.seed,
      op: s.right.config.task.ops[0]!.id,
    }).toEqual({ p: 23, frac: 0.5, seed: 0, op: 'add' })
    const noStart = settingsFromQuery('?op=mul&p=31')
    expect(E.isRight(noStart) && noStart.right.autostart).toBe(false)
  })

  it('an expression is an operation, named by its canonical formula', () => {
    const s = settingsFromQuery(`?op=${encodeURIComponent('a^2 + b')}&p=31&frac=0.4&seed=2`)
    if (E.isLeft(s)) throw new Error(s.left)
    expect(s.right.config.task.ops[0]!.id).toBe('a2+b')
  })

  it('missing parameters take the defaults', () => {
    expect(fieldsFromQuery('')).toEqual(DEFAULT_FIELDS)
    expect(E.isRight(decodeFields(DEFAULT_FIELDS))).toBe(true)
  })

  it('a bad field is a one-line Left that names it and what is allowed', () => {
    const cases: Array<[Partial<typeof DEFAULT_FIELDS>, RegExp]> = [
      [{ p: '24' }, /^p: 24 is not allowed \(a prime from 3 to 997\)/],
      [{ p: 'x' }, /^p: "x" is not a number$/],
      [{ p: '' }, /^p: "" is not a number$/],
      [{ frac: '1' }, /^frac: 1 /],
      [{ seed: '-1' }, /^seed: -1 /],
      [{ seed: '0x10' }, /^seed: "0x10" is not a number$/],
      [{ op: 'a + * b' }, /^op: .*column/],
    ]
    for (const [change, message] of cases) {
      const r = decodeFields({ ...DEFAULT_FIELDS, ...change })
      if (E.isRight(r)) throw new Error(`${JSON.stringify(change)} was accepted`)
      expect(r.left).toMatch(message)
      expect(r.left).not.toContain('\n')
    }
  })
})

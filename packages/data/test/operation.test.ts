import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { OPERATIONS, findOperation, labelTable, parse, print, resolveOperation } from '../src/index.js'
import { prime, seed } from './arbitraries.js'

const exprOps = OPERATIONS.filter((op) => op._tag === 'expr')

describe('operations', () => {
  it('every operation of docs/SCIENCE.md §1 is registered under its stable id', () => {
    const ids = OPERATIONS.map((op) => op.id)
    expect(new Set(ids).size).toBe(ids.length)
    const expected = [
      'add', 'sub', 'mul', 'div', '2a+b', '2a-b', '2a+3b', '2a-3b', 'ab+b', 'ab-b', 'ab+a+b', 'a2+b', 'a2-b', 'a3+2b', 'a3-2b',
      'a2+b2', 'a3+b3', 'a4+b4', 'a5+b5', 'a6+b6', 'a7+b7', 'a2-b2', '(a+b)2', '(a+b)3', '(a+b)4', '(a+b)5', '(a+b)6', '(a+b)7',
      '(a-b)2', '(a-b)3', '(a-b)4', '(a+b)2+a+b', 'a2+ab+b2', 'a2+ab+b2+a', 'a3+ab', 'a3+ab2+b', 'rand',
    ]
    expect(ids).toEqual(expected)
  })

  it('every registered formula parses and prints back to itself', () => {
    for (const op of exprOps) {
      const parsed = parse(op.formula)
      expect(E.isRight(parsed)).toBe(true)
      if (E.isRight(parsed)) {
        expect(print(parsed.right)).toBe(op.formula)
        expect(parsed.right).toEqual(op.expr)
      }
    }
  })

  it('the elementary operations compute what their names say', () => {
    fc.assert(
      fc.property(prime, fc.nat(), fc.nat(), (p, a0, b0) => {
        const [a, b] = [a0 % p, b0 % p]
        const at = (id: string) => labelTable(findOperation(id)!, p, 0)[a * p + b]
        expect(at('add')).toBe((a + b) % p)
        expect(at('sub')).toBe((((a - b) % p) + p) % p)
        expect(at('mul')).toBe((a * b) % p)
        expect(at('div')).toBe(b === 0 ? -1 : [...Array(p).keys()].find((c) => (c * b) % p === a))
      }),
    )
  })

  it("the random control is CPython's random.Random(seed + 0x5eed).randrange(p), p² times in (a, b) order", () => {
    const rand = findOperation('rand')!
    // Printed by CPython 3.11: r = random.Random(seed + 0x5eed); [r.randrange(p) for _ in range(p * p)]
    expect(Array.from(labelTable(rand, 5, 0))).toEqual([1, 4, 3, 1, 4, 3, 3, 2, 4, 2, 1, 3, 4, 4, 3, 3, 3, 4, 2, 1, 0, 2, 4, 2, 2])
    expect(Array.from(labelTable(rand, 7, 3))).toEqual([
      3, 6, 0, 1, 0, 3, 2, 2, 5, 3, 4, 3, 3, 0, 6, 3, 4, 1, 1, 0, 2, 0, 3, 1, 6, 0, 1, 0, 4, 1, 4, 0, 5, 2, 2, 3, 3, 1, 4, 5, 5, 3, 4, 6, 4,
      2, 3, 0, 5,
    ])
  })

  it('the random control has every label in [0, p)', () => {
    const rand = findOperation('rand')!
    fc.assert(
      fc.property(prime, seed, (p, s) => {
        expect(labelTable(rand, p, s).every((c) => c >= 0 && c < p)).toBe(true)
      }),
    )
  })

  it('an id resolves to the registered operation, anything else parses as an expression', () => {
    const known = resolveOperation('a2+b2')
    expect(E.isRight(known) && [known.right.id, known.right.formula, known.right.family]).toEqual(['a2+b2', 'a^2 + b^2', 'sum-of-powers'])
    expect(resolveOperation(' a2+b2 ')).toEqual(known)
    expect(resolveOperation('a^2+b^2')).toEqual(known)
    const custom = resolveOperation('a^3 + 2ab - b')
    expect(E.isRight(custom) && custom.right.id).toBe('a^3 + 2*a*b - b')
    expect(E.isRight(custom) && custom.right.family).toBe('custom')
    expect(E.isLeft(resolveOperation('a +* b'))).toBe(true)
  })
})

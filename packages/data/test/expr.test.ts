import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Expr, compile, formatParseError, parse, print } from '../src/index.js'
import { expr, prime } from './arbitraries.js'

/** Exact BigInt evaluation, reduced mod p at the end; division by the modular inverse. */
const bigEval = (e: Expr, a: bigint, b: bigint, p: bigint): bigint | undefined => {
  const mod = (x: bigint) => ((x % p) + p) % p
  switch (e._tag) {
    case 'int':
      return e.value
    case 'var':
      return e.name === 'a' ? a : b
    case 'neg': {
      const x = bigEval(e.arg, a, b, p)
      return x === undefined ? undefined : -x
    }
    case 'pow': {
      const x = bigEval(e.base, a, b, p)
      return x === undefined ? undefined : x ** BigInt(e.exponent)
    }
    case 'bin': {
      const x = bigEval(e.left, a, b, p)
      const y = bigEval(e.right, a, b, p)
      if (x === undefined || y === undefined) return undefined
      if (e.op === '+') return x + y
      if (e.op === '-') return x - y
      if (e.op === '*') return x * y
      if (mod(y) === 0n) return undefined
      return x * mod(y) ** (p - 2n)
    }
  }
}

describe('Expr', () => {
  it('print then parse gives back the same tree', () => {
    fc.assert(fc.property(expr, (e) => {
      expect(parse(print(e))).toEqual(E.right(e))
    }))
  })

  it('the compiled evaluator equals an exact BigInt evaluation mod p', () => {
    fc.assert(
      fc.property(expr, prime, fc.nat(), fc.nat(), (e, p, a0, b0) => {
        const a = a0 % p
        const b = b0 % p
        const want = bigEval(e, BigInt(a), BigInt(b), BigInt(p))
        const got = compile(e, p)(a, b)
        expect(got).toBe(want === undefined ? undefined : Number(((want % BigInt(p)) + BigInt(p)) % BigInt(p)))
      }),
    )
  })

  it('juxtaposition multiplies and precedence is the usual one', () => {
    const f = (s: string) => print(E.getOrElseW(() => { throw new Error(s) })(parse(s)))
    expect(f('2a + 3b')).toBe('2*a + 3*b')
    expect(f('ab+a+b')).toBe('a*b + a + b')
    expect(f('a(b+1)')).toBe('a*(b + 1)')
    expect(f('-a^2')).toBe('-a^2')
    expect(f('(-a)^2')).toBe('(-a)^2')
    expect(f('a - (b - 1)')).toBe('a - (b - 1)')
    expect(f('a - b - 1')).toBe('a - b - 1')
  })

  it.each([
    ['a + )', 5, "expected a number, a, b or '(', got ')'"],
    ['a + c', 5, "unexpected character 'c'"],
    ['(a + b', 7, "expected ')' to close the '(' at column 1"],
    ['a^b', 3, "the exponent after '^' must be a non-negative integer"],
    ['a + b)', 6, "unmatched ')'"],
    ['2 3', 3, "unexpected '3' after a complete expression"],
    ['a^2^3', 4, "chained '^' is ambiguous"],
    ['a +', 4, 'unexpected end of input'],
    ['   ', 1, 'empty expression'],
  ])('a malformed expression %j is an error at column %i', (source, column, message) => {
    const r = parse(source)
    expect(E.isLeft(r)).toBe(true)
    if (E.isLeft(r)) {
      expect(r.left.column).toBe(column)
      expect(r.left.message).toContain(message)
      expect(formatParseError(r.left)).toMatch(new RegExp(`^column ${column}: `))
    }
  })
})

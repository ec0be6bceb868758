import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { invMod, isPrime, powMod, primitiveRoot } from '../src/index.js'
import { TASK_PRIMES, hugeExponent, primesUpTo, taskPrime } from './arbitraries.js'
import { bigInverse, bigPowMod } from './oracle.js'

describe('powMod', () => {
  it('equals BigInt square-and-multiply for any safe base and exponent, also beyond 2^31 (numRuns 5000)', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), hugeExponent, fc.integer({ min: 1, max: 997 }), (x, n, p) => {
        expect(powMod(x, n, p)).toBe(Number(bigPowMod(BigInt(x), BigInt(n), BigInt(p))))
      }),
      { numRuns: 5000 },
    )
  })

  it('Fermat: x^(p−1) ≡ 1 and x^n ≡ x^(n mod (p−1)) for x ≢ 0 mod a prime p (numRuns 2000)', () => {
    fc.assert(
      fc.property(taskPrime, fc.integer({ min: 1, max: 996 }), fc.maxSafeNat(), (p, x0, n) => {
        const x = x0 % p === 0 ? 1 : x0
        expect(powMod(x, p - 1, p)).toBe(1)
        expect(powMod(x, n, p)).toBe(powMod(x, n % (p - 1), p))
      }),
      { numRuns: 2000 },
    )
  })

  it('refuses an exponent that is negative, fractional, unsafe or infinite instead of looping', () => {
    for (const n of [-1, 0.5, 2 ** 53, Infinity, NaN]) expect(() => powMod(2, n, 7)).toThrow(RangeError)
  })
})

describe('invMod', () => {
  it('is the inverse of the extended Euclidean algorithm, undefined for 0 (numRuns 2000)', () => {
    fc.assert(
      fc.property(taskPrime, fc.maxSafeInteger(), (p, x) => {
        const want = bigInverse(BigInt(x), BigInt(p))
        expect(invMod(x, p)).toBe(want === undefined ? undefined : Number(want))
      }),
      { numRuns: 2000 },
    )
  })
})

describe('isPrime', () => {
  it('agrees with a sieve of Eratosthenes up to 10^4', () => {
    const primes = new Set(primesUpTo(10_000))
    const wrong = Array.from({ length: 10_001 }, (_, n) => n).filter((n) => isPrime(n) !== primes.has(n))
    expect(wrong).toEqual([])
    expect([-7, 2.5, NaN, Infinity].map(isPrime)).toEqual([false, false, false, false])
  })
})

describe('primitiveRoot', () => {
  it('for every odd prime up to 997, its powers run through all p − 1 nonzero residues and no smaller g does so', () => {
    const order = (g: number, p: number) => {
      let [x, k] = [g % p, 1]
      while (x !== 1) [x, k] = [(x * g) % p, k + 1]
      return k
    }
    const wrong = TASK_PRIMES.filter((p) => {
      const g = primitiveRoot(p)
      return order(g, p) !== p - 1 || Array.from({ length: g - 2 }, (_, i) => i + 2).some((h) => order(h, p) === p - 1)
    })
    expect(wrong).toEqual([])
    expect([3, 7, 31, 97, 997].map(primitiveRoot)).toEqual([2, 3, 3, 5, 7])
  })

  it('refuses 2, composites and non-integers', () => {
    for (const n of [2, 1, 0, 9, 91, 7.5]) expect(() => primitiveRoot(n)).toThrow(RangeError)
  })
})

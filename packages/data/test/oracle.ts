// Independent computations the tests compare the package with: exact BigInt
// arithmetic, and a line-break check for messages.
import type { Expr } from '../src/index.js'

/** `x mod p` in `[0, p)`. */
export const bigMod = (x: bigint, p: bigint): bigint => ((x % p) + p) % p

/** `x^n mod p` by BigInt square-and-multiply (any `n ≥ 0`). */
export const bigPowMod = (x: bigint, n: bigint, p: bigint): bigint => {
  let result = 1n % p
  let base = bigMod(x, p)
  for (let e = n; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * base) % p
    base = (base * base) % p
  }
  return result
}

/** The inverse of `x` mod a prime `p` by the extended Euclidean algorithm, or `undefined` for `x ≡ 0`. */
export const bigInverse = (x: bigint, p: bigint): bigint | undefined => {
  let [r0, r1] = [bigMod(x, p), p]
  if (r0 === 0n) return undefined
  let [s0, s1] = [1n, 0n]
  while (r1 !== 0n) {
    const q = r0 / r1
    ;[r0, r1] = [r1, r0 - q * r1]
    ;[s0, s1] = [s1, s0 - q * s1]
  }
  return bigMod(s0, p)
}

/** Exact evaluation in ℤ_p with BigInt, every step reduced; `undefined` where a division is by 0. */
export const bigModEval = (e: Expr, a: bigint, b: bigint, p: bigint): bigint | undefined => {
  switch (e._tag) {
    case 'int':
      return bigMod(e.value, p)
    case 'var':
      return bigMod(e.name === 'a' ? a : b, p)
    case 'neg': {
      const x = bigModEval(e.arg, a, b, p)
      return x === undefined ? undefined : bigMod(-x, p)
    }
    case 'pow': {
      const x = bigModEval(e.base, a, b, p)
      return x === undefined ? undefined : bigPowMod(x, BigInt(e.exponent), p)
    }
    case 'bin': {
      const x = bigModEval(e.left, a, b, p)
      const y = bigModEval(e.right, a, b, p)
      if (x === undefined || y === undefined) return undefined
      switch (e.op) {
        case '+':
          return bigMod(x + y, p)
        case '-':
          return bigMod(x - y, p)
        case '*':
          return bigMod(x * y, p)
        case '/': {
          const inv = bigInverse(y, p)
          return inv === undefined ? undefined : bigMod(x * inv, p)
        }
      }
    }
  }
}

/** Whether a message fits on one line: no line feed, carriage return, vertical tab, form feed, NEL, or Unicode line/paragraph separator. */
export const isOneLine = (s: string): boolean => !/[\n\r\v\f\u0085\u2028\u2029]/.test(s)

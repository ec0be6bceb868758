/**
 * The number theory of ℤ_p used by the tasks and the measures: primality,
 * powers, inverses and a generator of the multiplicative group. Exact in
 * float64 arithmetic for every modulus below 2^26 (products stay below 2^52).
 *
 * @example
 * import { powMod, invMod, primitiveRoot } from '@grokscope/data'
 * // 3^(2^40) mod 97 by squaring (41 steps); 5 · 39 = 195 ≡ 1 (mod 97)
 * powMod(3, 2 ** 40, 97)  // => 61
 * invMod(5, 97)           // => 39
 * primitiveRoot(97)       // => 5
 *
 * @since 0.1.0
 */

/** Whether `n` is a prime (trial division; `n` is small here). */
export const isPrime = (n: number): boolean => {
  if (!Number.isInteger(n) || n < 2) return false
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false
  return true
}

/** The residue of an integer `x` in `[0, p)`, also for negative `x`. */
const mod = (x: number, p: number): number => ((x % p) + p) % p

/**
 * `base^exponent mod p` by squaring, for an integer `base`, a modulus
 * `1 ≤ p < 2^26` and an exponent that is a safe integer `≥ 0` (any size up to
 * 2^53 − 1: at most 53 squarings). Throws a `RangeError` on another exponent.
 */
export const powMod = (base: number, exponent: number, p: number): number => {
  if (!Number.isSafeInteger(exponent) || exponent < 0) {
    throw new RangeError(`powMod: the exponent must be a safe integer ≥ 0, got ${exponent}`)
  }
  let result = 1 % p
  let x = mod(base, p)
  // `n % 2` and division by 2 stay exact for every safe integer (`n & 1` would truncate to 32 bits first).
  for (let n = exponent; n > 0; n = Math.floor(n / 2)) {
    if (n % 2 === 1) result = (result * x) % p
    x = (x * x) % p
  }
  return result
}

/** The inverse of `x` in ℤ_p (p prime), or `undefined` for `x ≡ 0`. */
export const invMod = (x: number, p: number): number | undefined => {
  const r = mod(x, p)
  return r === 0 ? undefined : powMod(r, p - 2, p)
}

/** The smallest generator of the multiplicative group of ℤ_p; throws a `RangeError` unless `p` is an odd prime. */
export const primitiveRoot = (p: number): number => {
  if (!isPrime(p) || p === 2) throw new RangeError(`primitiveRoot: ${p} is not an odd prime`)
  const n = p - 1
  const factors: number[] = []
  let m = n
  for (let d = 2; d * d <= m; d++) {
    if (m % d === 0) factors.push(d)
    while (m % d === 0) m /= d
  }
  if (m > 1) factors.push(m)
  for (let g = 2; g < p; g++) if (factors.every((q) => powMod(g, n / q, p) !== 1)) return g
  // Unreachable: every prime has a primitive root.
  throw new RangeError(`primitiveRoot: no generator of ℤ_${p}*`)
}

// The cached Fourier bases (internal)
//
// One basis per n, built once and shared by every measure. The cache never
// leaves the package: `fourierBasis` hands callers a copy, so nothing a caller
// does to its matrix can change a later spectrum. Code in this package reads
// the shared matrix and must never write into it.

import type { Matrix } from '../Matrix.js'

/** A basis as cached: the names (frozen) and the shared `[n, n]` matrix. */
export interface CachedBasis {
  readonly names: ReadonlyArray<string>
  readonly matrix: Matrix // [n, n], shared: read only
}

const cache = new Map<number, CachedBasis>()

/** The orthonormal Fourier basis of ℤ_n, built on first use; throws a `RangeError` unless `n` is an integer ≥ 3. */
export const sharedBasis = (n: number): CachedBasis => {
  if (!Number.isInteger(n) || n < 3) throw new RangeError(`fourierBasis: n must be an integer ≥ 3, got ${n}`)
  const hit = cache.get(n)
  if (hit !== undefined) return hit
  const data = new Float64Array(n * n) // [n, n]
  const names = ['const']
  data.fill(1 / Math.sqrt(n), 0, n)
  for (let k = 1; k <= n / 2; k++) {
    const c = Array.from({ length: n }, (_, t) => Math.cos((2 * Math.PI * k * t) / n))
    const cn = Math.hypot(...c)
    for (let t = 0; t < n; t++) data[(2 * k - 1) * n + t] = c[t]! / cn
    names.push(`cos ${k}`)
    if (2 * k === n) break
    const s = Array.from({ length: n }, (_, t) => Math.sin((2 * Math.PI * k * t) / n))
    const sn = Math.hypot(...s)
    for (let t = 0; t < n; t++) data[2 * k * n + t] = s[t]! / sn
    names.push(`sin ${k}`)
  }
  const basis: CachedBasis = { names: Object.freeze(names), matrix: { rows: n, cols: n, data } }
  cache.set(n, basis)
  return basis
}

// Row `a` of the logits' parts (internal): the constant part and each frequency's part of the
// key-frequency decomposition (KeyFrequencies.ts), rebuilt one row at a time from the entries of the
// 2-D transform that `PairSpectra` holds.

import { frequencyRows } from '../Fourier.js'
import { type PairSpectra, entryOf } from '../PairSpectra.js'
import { sharedBasis } from './basis.js'

/**
 * Row `a` of the parts of the logits from their `PairSpectra`: `constant` writes the constant part into `out`
 * (`[p, n]`); `add(k, sign)` adds `sign` × frequency k's part (`Σ` over `frequencyEntries(p, k)` of
 * `B[i, a]·B[j, b]·F[i, j, ·]`), as `Σ_j B[j, b]·H[j, ·]` with `H[j, ·] = Σ_i B[i, a]·F[i, j, ·]` (3·p·n products).
 */
export const partRows = (s: PairSpectra, a: number) => {
  const { p, n } = s
  const B = sharedBasis(p).matrix.data // [p, p], shared: read only
  const H = new Float64Array(3 * n)
  const f00 = s.row0.subarray(0, n)
  return {
    constant: (out: Float64Array): void => {
      for (let b = 0; b < p; b++) {
        const w = B[a]! * B[b]!
        for (let c = 0; c < n; c++) out[b * n + c] = w * f00[c]!
      }
    },
    add: (k: number, sign: number, out: Float64Array): void => {
      const rows = frequencyRows(p, k)
      H.fill(0)
      rows.forEach((j, t) => {
        for (const i of rows) {
          if (i === 0 && j === 0) continue
          const f = B[i * p + a]!
          const e = entryOf(s, i, j)
          for (let c = 0; c < n; c++) H[t * n + c]! += f * e[c]!
        }
      })
      for (let b = 0; b < p; b++) {
        const o = b * n
        rows.forEach((j, t) => {
          const w = sign * B[j * p + b]!
          for (let c = 0; c < n; c++) out[o + c]! += w * H[t * n + c]!
        })
      }
    },
  }
}


// Row `a` of the logits' parts (internal): the constant part and each frequency's part of the
// key-frequency decomposition (KeyFrequencies.ts), rebuilt one row at a time from the entries of the
// 2-D transform that `PairSpectra` holds.

import { frequencyRows } from '../Fourier.js'
import { type PairSpectra, entryOf } from '../PairSpectra.js'
import { sharedBasis } from './basis.js'

/** What `partRows` gives for row `a`; every `out`, `logits`, `acc`, `without` is a row `[p, n]` (`[b·n + c]`). */
export interface PartRows {
  /** Writes the constant part into `out`. */
  readonly constant: (out: Float64Array) => void
  /** Adds frequency k's part to `out`. */
  readonly add: (k: number, out: Float64Array) => void
  /** Adds frequency k's part to `acc` and writes `logits` less the part into `without`, in one pass. */
  readonly split: (k: number, logits: Float64Array, acc: Float64Array, without: Float64Array) => void
  /** Writes the constant and every frequency's part (the logits less the residual) into `out`. */
  readonly all: (out: Float64Array) => void
}

/**
 * Row `a` of the parts: frequency k's part (`Σ` over `frequencyEntries(p, k)` of `B[i, a]·B[j, b]·F[i, j, ·]`) is
 * `Σ_j B[j, b]·H[j, ·]` over its three rows `j`, with `H[j, ·] = Σ_i B[i, a]·F[i, j, ·]` (3·p·n products); all of
 * them together are the inverse transform along `b` of one `H` over every row (for odd p by the basis' symmetry, half
 * the products).
 */
export const partRows = (s: PairSpectra, a: number): PartRows => {
  const { p, n } = s
  const B = sharedBasis(p).matrix.data // [p, p], shared: read only
  const H = new Float64Array(3 * n)
  const f00 = s.row0.subarray(0, n)
  /** Fills `H` with frequency k's three rows (the third zero when `sin k` does not exist); its basis rows. */
  const coefficients = (k: number): readonly [number, number, number] => {
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
    return [rows[0]!, rows[1]!, rows[2] ?? -1]
  }
  const weights = (rows: readonly [number, number, number], b: number): readonly [number, number, number] => [
    B[rows[0] * p + b]!,
    B[rows[1] * p + b]!,
    rows[2] < 0 ? 0 : B[rows[2] * p + b]!,
  ]
  const constant = (out: Float64Array): void => {
    for (let b = 0; b < p; b++) {
      const w = B[a]! * B[b]!
      for (let c = 0; c < n; c++) out[b * n + c] = w * f00[c]!
    }
  }
  return {
    constant,
    add: (k, out) => {
      const rows = coefficients(k)
      for (let b = 0; b < p; b++) {
        const [w0, w1, w2] = weights(rows, b)
        const o = b * n
        for (let c = 0; c < n; c++) out[o + c]! += w0 * H[c]! + w1 * H[n + c]! + w2 * H[2 * n + c]!
      }
    },
    split: (k, logits, acc, without) => {
      const rows = coefficients(k)
      for (let b = 0; b < p; b++) {
        const [w0, w1, w2] = weights(rows, b)
        const o = b * n
        for (let c = 0; c < n; c++) {
          const v = w0 * H[c]! + w1 * H[n + c]! + w2 * H[2 * n + c]!
          acc[o + c]! += v
          without[o + c] = logits[o + c]! - v
        }
      }
    },
    all: (out) => {
      const K = Math.floor(p / 2)
      const G = new Float64Array(p * n) // [j, c]: Σ_i B[i, a]·F[i, j, c] over the entries of the parts
      for (let i = 1; i < p; i++) {
        const f = B[i * p + a]!
        const e = s.col0.subarray(i * n, (i + 1) * n)
        for (let c = 0; c < n; c++) G[c]! += f * e[c]!
      }
      for (let k = 1; k <= K; k++) {
        const rows = frequencyRows(p, k)
        for (const j of rows.slice(1)) for (const i of rows) {
          const f = B[i * p + a]!
          const e = entryOf(s, i, j)
          for (let c = 0; c < n; c++) G[j * n + c]! += f * e[c]!
        }
      }
      constant(out)
      if (p % 2 === 0) {
        for (let b = 0; b < p; b++) for (let j = 0; j < p; j++) {
          const w = B[j * p + b]!
          for (let c = 0; c < n; c++) out[b * n + c]! += w * G[j * n + c]!
        }
        return
      }
      // out[t] += E_t + O_t, out[p − t] += E_t − O_t: E over the constant and the cosines, O over the sines.
      const E = new Float64Array(n)
      const O = new Float64Array(n)
      for (let t = 0; t <= K; t++) {
        E.fill(0)
        O.fill(0)
        for (let j = 0; j < p; j++) {
          const w = B[j * p + t]!
          const into = j > 0 && j % 2 === 0 ? O : E
          for (let c = 0; c < n; c++) into[c]! += w * G[j * n + c]!
        }
        for (let c = 0; c < n; c++) out[t * n + c]! += E[c]! + O[c]!
        if (t > 0) for (let c = 0; c < n; c++) out[(p - t) * n + c]! += E[c]! - O[c]!
      }
    },
  }
}

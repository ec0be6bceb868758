/**
 * The 2-D Fourier analyses of a quantity over all pairs, `X[a, b, m]` (`m < n`: the logits'
 * classes, the MLP's neurons), fed one row `a` at a time: memory O(p·n) for what the
 * frequency analyses read, O(p²·(to − from)) for a block of the logits map, never the p²·n
 * values or their transform.
 *
 * With `F = transform2d(X)` the frequency analyses (key frequencies, neurons) read only
 * the entries whose row or column is the constant, or whose row and column are both of one
 * frequency (`frequencyEntries`): `F[0, j, ·]`, `F[i, 0, ·]` and each frequency's 2×2 block
 * `F[{cos k, sin k}, {cos k, sin k}, ·]`, 4p·n values in all. The transform is separable:
 * each row `a` is transformed along `b` (`G[a] = B · X[a]`), and `F[i, j, ·] = Σ_a B[i, a]
 * G[a, j, ·]` accumulates along `a`. The energy off the constant–constant entry, which the
 * neurons' fractions divide by, comes by Parseval along `a` without forming the rest of `F`:
 * `Σ_{(i,j) ≠ (0,0)} F[i, j, m]² = Σ_a Σ_{j ≥ 1} G[a, j, m]² + Σ_{i ≥ 1} F[i, 0, m]²`
 * (sums of squares only: no cancellation).
 *
 * @example
 * import { fourierMapBlock, pairSpectraSink, transform2d } from '@grokscope/measures'
 * // X[a, b, m] = cos(2π·2(a + b)/7) for m = 0, 1 over all pairs of ℤ_7, fed row by row
 * const p = 7, n = 2
 * const pair = (i: number) => Math.floor(i / n)  // a·p + b
 * const x = Float64Array.from({ length: p * p * n }, (_, i) => Math.cos((4 * Math.PI * (Math.floor(pair(i) / p) + (pair(i) % p))) / p))
 * const sink = pairSpectraSink(p, n)
 * const map = fourierMapBlock(p, n, 0, n)
 * for (let a = 0; a < p; a++) {
 *   sink.addRow(a, x.subarray(a * p * n, (a + 1) * p * n))
 *   map.addRow(a, x.subarray(a * p * n, (a + 1) * p * n))
 * }
 * const s = sink.spectra()
 * // F[0, 0, 0] is the same as the whole transform's
 * Math.abs(s.row0[0]! - transform2d(x, p, n)[0]!) < 1e-12  // => true
 * // the whole energy of a centred quantity is off the constant–constant entry
 * Math.abs(s.off[0]! - p * p / 2) < 1e-9  // => true
 * const squares = new Float64Array(p * p)
 * map.addSquaresTo(squares)  // Σ_c F[i, j, c]² over the block's classes
 *
 * @since 0.5.0
 */
import { frequencyRows } from './Fourier.js'
import { sharedBasis } from './internal/basis.js'
import type { Matrix } from './Matrix.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/**
 * The entries of `F = transform2d(X)` that the frequency analyses read, and the energy off the constant.
 * `blocks` holds, for frequency k, `F[r, s, ·]` for `r, s` in (`cos k`, `sin k`) at `((k − 1)·4 + 2·r' + s')·n`
 * (`r', s'` = 0 for cos, 1 for sin; zeros where `sin k` does not exist, for even p).
 */
export interface PairSpectra {
  readonly p: number
  readonly n: number
  /** `F[0, j, m]` at `j·n + m` (`j = 0` is the constant–constant entry). */
  readonly row0: Float64Array // [p, n]
  /** `F[i, 0, m]` at `i·n + m`. */
  readonly col0: Float64Array // [p, n]
  readonly blocks: Float64Array // [K, 2, 2, n]
  /** `Σ_{(i,j) ≠ (0,0)} F[i, j, m]²`, index m. */
  readonly off: Float64Array // [n]
}

/** Something fed the rows `a = 0, 1, …, p − 1` of a quantity over all pairs, in order: row `a` holds `X[a, b, m]` at `b·n + m`. */
export interface RowSink {
  readonly addRow: (a: number, row: Float64Array) => void
}

// ─────────────────────────────────────────────────────────────────────────────
// constructors
// ─────────────────────────────────────────────────────────────────────────────

/**
 * `out[j, c − from] = Σ_b B[j, b] · x[b, c]` for the columns `from ≤ c < to` of `x` (`[p, n]`): one row of pairs
 * transformed along `b`. For odd p by the basis' symmetry (`cos k` is even in `b ↦ p − b`, `sin k` odd): the cosines
 * and the constant read `x[b] + x[p − b]`, the sines `x[b] − x[p − b]`, half the products of `B · x`.
 */
export const alongB = (p: number, x: Float64Array, n: number, from: number, to: number, out: Float64Array): Float64Array => {
  const B = sharedBasis(p).matrix.data // [p, p], shared: read only
  const w = to - from
  out.fill(0, 0, p * w)
  if (p % 2 === 0) {
    for (let j = 0; j < p; j++) {
      for (let b = 0; b < p; b++) {
        const f = B[j * p + b]!
        const r = b * n + from
        for (let c = 0; c < w; c++) out[j * w + c]! += f * x[r + c]!
      }
    }
    return out
  }
  const K = (p - 1) / 2
  const even = new Float64Array(K * w) // [t − 1, c]: x[t] + x[p − t]
  const odd = new Float64Array(K * w) // [t − 1, c]: x[t] − x[p − t]
  for (let t = 1; t <= K; t++) {
    const [u, v, o] = [t * n + from, (p - t) * n + from, (t - 1) * w]
    for (let c = 0; c < w; c++) {
      even[o + c] = x[u + c]! + x[v + c]!
      odd[o + c] = x[u + c]! - x[v + c]!
    }
  }
  for (let j = 0; j < p; j++) {
    const o = j * w
    const sine = j > 0 && j % 2 === 0
    if (!sine) {
      const f = B[j * p]!
      for (let c = 0; c < w; c++) out[o + c] = f * x[from + c]!
    }
    const src = sine ? odd : even
    for (let t = 1; t <= K; t++) {
      const f = B[j * p + t]!
      const r = (t - 1) * w
      for (let c = 0; c < w; c++) out[o + c]! += f * src[r + c]!
    }
  }
  return out
}

/** The index in `blocks` of `F[r, s, 0]` for basis rows `r, s` of frequency `k` (each `cos k` or `sin k`). */
const blockAt = (k: number, r: number, s: number, n: number): number => ((k - 1) * 4 + 2 * ((r + 1) % 2) + ((s + 1) % 2)) * n

/**
 * The offset of entry `(i, j)` of `F` in the arrays of `s`, for `(i, j)` among `frequencyEntries` or `(0, 0)`: in
 * `row0` when `i = 0`, `col0` when `j = 0`, else `blocks`.
 */
export const entryOf = (s: PairSpectra, i: number, j: number): Float64Array => {
  const n = s.n
  if (i === 0) return s.row0.subarray(j * n, (j + 1) * n)
  if (j === 0) return s.col0.subarray(i * n, (i + 1) * n)
  const k = Math.ceil(i / 2)
  if (Math.ceil(j / 2) !== k) throw new RangeError(`entryOf: (${i}, ${j}) mixes two frequencies`)
  const at = blockAt(k, i, j, n)
  return s.blocks.subarray(at, at + n)
}

/** A sink accumulating the `PairSpectra` of `X[a, b, m]` (`m < n`); `spectra()` once every row was added. */
export const pairSpectraSink = (p: number, n: number): RowSink & { readonly spectra: () => PairSpectra } => {
  const B = sharedBasis(p).matrix.data
  const K = Math.floor(p / 2)
  const row0 = new Float64Array(p * n)
  const col0 = new Float64Array(p * n)
  const blocks = new Float64Array(K * 4 * n)
  const off = new Float64Array(n)
  const G = new Float64Array(p * n) // [j, m]: row a transformed along b
  const axpy = (out: Float64Array, at: number, f: number, from: number): void => {
    for (let m = 0; m < n; m++) out[at + m]! += f * G[from + m]!
  }
  let added = 0
  return {
    addRow: (a, row) => {
      if (a !== added) throw new RangeError(`pairSpectraSink: row ${a} after ${added} rows (the rows go in order)`)
      added++
      alongB(p, row, n, 0, n, G)
      for (let j = 1; j < p; j++) for (let m = 0; m < n; m++) off[m]! += G[j * n + m]! ** 2
      const b0 = B[a]!
      for (let j = 0; j < p; j++) axpy(row0, j * n, b0, j * n)
      for (let i = 0; i < p; i++) axpy(col0, i * n, B[i * p + a]!, 0)
      for (let k = 1; k <= K; k++) {
        const rows = frequencyRows(p, k).slice(1)
        for (const r of rows) for (const s of rows) axpy(blocks, blockAt(k, r, s, n), B[r * p + a]!, s * n)
      }
    },
    spectra: () => {
      if (added !== p) throw new RangeError(`pairSpectraSink: ${added} of ${p} rows added`)
      const total = Float64Array.from(off)
      for (let i = 1; i < p; i++) for (let m = 0; m < n; m++) total[m]! += col0[i * n + m]! ** 2
      return { p, n, row0, col0, blocks, off: total }
    },
  }
}

/**
 * A sink accumulating the whole transform `F[i, j, c]` of the classes `from ≤ c < to` only (p²·(to − from) values):
 * one block of the logits map. `addSquaresTo(squares)` adds `Σ_{from ≤ c < to} F[i, j, c]²` to `squares[i·p + j]`.
 */
export const fourierMapBlock = (
  p: number,
  n: number,
  from: number,
  to: number,
): RowSink & { readonly addSquaresTo: (squares: Float64Array) => void } => {
  const B = sharedBasis(p).matrix.data
  const w = to - from
  const F = new Float64Array(p * p * w) // [i, j, c − from]
  const G = new Float64Array(p * w) // [j, c − from]
  let added = 0
  return {
    addRow: (a, row) => {
      if (a !== added) throw new RangeError(`fourierMapBlock: row ${a} after ${added} rows (the rows go in order)`)
      added++
      alongB(p, row, n, from, to, G)
      for (let i = 0; i < p; i++) {
        const f = B[i * p + a]!
        if (f === 0) continue
        const o = i * p * w
        for (let t = 0; t < p * w; t++) F[o + t]! += f * G[t]!
      }
    },
    addSquaresTo: (squares) => {
      if (added !== p) throw new RangeError(`fourierMapBlock: ${added} of ${p} rows added`)
      for (let ij = 0; ij < p * p; ij++) {
        let s = squares[ij]!
        for (let c = 0; c < w; c++) s += F[ij * w + c]! ** 2
        squares[ij] = s
      }
    },
  }
}

/** The logits map (`logitsFourierMap`) from its squares summed over every class: `M[i, j] = √squares[i·p + j]`. */
export const mapOfSquares = (squares: Float64Array, p: number): Matrix => ({ rows: p, cols: p, data: squares.map(Math.sqrt) })

/** Feeds the rows of a whole `X[a, b, m]` (at `(a·p + b)·n + m`) to sinks, in order. */
export const feedRows = (x: Float64Array, p: number, n: number, ...sinks: ReadonlyArray<RowSink>): void => {
  if (x.length !== p * p * n) throw new RangeError(`feedRows: ${x.length} values are not p·p·n = ${p * p * n}`)
  for (let a = 0; a < p; a++) {
    const row = x.subarray(a * p * n, (a + 1) * p * n)
    for (const s of sinks) s.addRow(a, row)
  }
}

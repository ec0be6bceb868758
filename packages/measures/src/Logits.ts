/**
 * The logits of a model over all `p²` pairs in the 2-D Fourier basis, and how
 * asymmetric that map is in `a` and `b`. The exact answer tables of `a+b` and of
 * `a−b` both give a symmetric map (asymmetry 0: the norm over `c` hides the sign
 * of `sin`); an asymmetry, such as the one the paper sees in models trained on
 * subtraction, is a property of what a model learned, not of the operation.
 *
 * @example
 * import { asymmetry, logitsFourierMap, plantedLogits } from '@grokscope/measures'
 * const { logits } = plantedLogits(23, { ks: [1, 6], alpha: [1, 1.5], margin: 16, distractors: [], noise: 0, seed: 1 })
 * const M = logitsFourierMap(logits, 23)  // [p, p]: rows basis_a, columns basis_b
 * M.rows  // => 23
 * // 0 (up to rounding) for a circuit of a+b, as for the exact table of a+b or a−b; up to √2 for a model's logits
 * asymmetry(M) < 1e-12  // => true
 *
 * @since 0.1.0
 */
import { sharedBasis } from './internal/basis.js'
import { type Matrix, frobenius, mul, transpose } from './Matrix.js'
import { feedRows, fourierMapBlock, mapOfSquares } from './PairSpectra.js'

/**
 * `M[i][j] = ‖Σ_{a,b} B[i,a] · B[j,b] · L[a,b,·]‖₂`: the norm over the output
 * axis of the logits transformed along `a` (rows) and `b` (columns).
 * `logits` holds `L[a, b, c]` at `(a·p + b)·n + c` for `n` outputs per pair.
 * Rows and columns are named by `fourierBasis(p).names`. By Parseval `‖M‖_F = ‖L‖`. (On logits too large to hold,
 * feed their rows to `fourierMapBlock`s of a few classes each, then `mapOfSquares`.)
 */
export const logitsFourierMap = (logits: Float64Array, p: number, n: number = p): Matrix => {
  const block = fourierMapBlock(p, n, 0, n)
  feedRows(logits, p, n, block)
  const squares = new Float64Array(p * p)
  block.addSquaresTo(squares)
  return mapOfSquares(squares, p)
}

/**
 * The 2-D Fourier transform over the pair axes of `X[a, b, m]` (at `(a·p + b)·n + m`):
 * `F[i, j, m] = Σ_{a,b} B[i,a] · B[j,b] · X[a, b, m]`, laid out the same way.
 */
export const transform2d = (x: Float64Array, p: number, n: number): Float64Array => {
  if (x.length !== p * p * n) throw new RangeError(`transform2d: ${x.length} values are not p·p·n = ${p * p * n}`)
  const B = sharedBasis(p).matrix // [p, p], shared: read only
  const alongA = mul(B, { rows: p, cols: p * n, data: x }) // [i, (b, m)]
  const out = new Float64Array(p * p * n)
  for (let i = 0; i < p; i++) {
    const slab: Matrix = { rows: p, cols: n, data: alongA.data.subarray(i * p * n, (i + 1) * p * n) } // [b, m]
    out.set(mul(B, slab).data, i * p * n) // [j, m]
  }
  return out
}

/** `‖M − Mᵀ‖_F / ‖M‖_F` of a square map: 0 when symmetric, at most √2; 0 for the zero map. */
export const asymmetry = (m: Matrix): number => {
  if (m.rows !== m.cols) throw new RangeError(`asymmetry: the map is ${m.rows}×${m.cols}, not square`)
  const norm = frobenius(m)
  if (norm === 0) return 0
  const t = transpose(m)
  return frobenius({ ...m, data: m.data.map((x, i) => x - t.data[i]!) }) / norm
}

/**
 * A dense row-major float64 matrix: the one data type of the measures.
 *
 * @since 0.1.0
 */

/** `data[i * cols + j]` is entry `(i, j)`. */
export interface Matrix {
  readonly rows: number
  readonly cols: number
  readonly data: Float64Array
}

/** A matrix over `data` (copied to float64); throws if the sizes disagree. */
export const matrix = (rows: number, cols: number, data: ArrayLike<number>): Matrix => {
  if (data.length !== rows * cols) throw new RangeError(`matrix: ${data.length} values do not fill ${rows}×${cols}`)
  return { rows, cols, data: Float64Array.from(data) }
}

/** A matrix from nested rows. */
export const fromRows = (rows: ReadonlyArray<ArrayLike<number>>): Matrix => {
  const cols = rows[0]?.length ?? 0
  const data = new Float64Array(rows.length * cols)
  rows.forEach((r, i) => {
    if (r.length !== cols) throw new RangeError(`fromRows: row ${i} has ${r.length} values, row 0 has ${cols}`)
    data.set(Array.from(r), i * cols)
  })
  return { rows: rows.length, cols, data }
}

/** `A · B`. */
export const mul = (a: Matrix, b: Matrix): Matrix => {
  if (a.cols !== b.rows) throw new RangeError(`mul: ${a.rows}×${a.cols} · ${b.rows}×${b.cols}`)
  const out = new Float64Array(a.rows * b.cols)
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < a.cols; k++) {
      const x = a.data[i * a.cols + k]!
      if (x === 0) continue
      const row = k * b.cols
      const o = i * b.cols
      for (let j = 0; j < b.cols; j++) out[o + j]! += x * b.data[row + j]!
    }
  }
  return { rows: a.rows, cols: b.cols, data: out }
}

/** `Aᵀ`. */
export const transpose = (a: Matrix): Matrix => {
  const out = new Float64Array(a.data.length)
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out[j * a.rows + i] = a.data[i * a.cols + j]!
  return { rows: a.cols, cols: a.rows, data: out }
}

/** Rows `start` (inclusive) to `end` (exclusive). */
export const sliceRows = (a: Matrix, start: number, end: number): Matrix => ({
  rows: end - start,
  cols: a.cols,
  data: a.data.slice(start * a.cols, end * a.cols),
})

/**
 * The L2 norm of each row, scaled by the row's largest entry so that squares of
 * tiny (below 1e-154) or huge (above 1e154) entries neither underflow nor overflow.
 */
export const rowNorms = (a: Matrix): Float64Array => {
  const out = new Float64Array(a.rows)
  for (let i = 0; i < a.rows; i++) {
    const o = i * a.cols
    let max = 0
    for (let j = 0; j < a.cols; j++) max = Math.max(max, Math.abs(a.data[o + j]!))
    if (max === 0 || !Number.isFinite(max)) {
      out[i] = max
      continue
    }
    let s = 0
    for (let j = 0; j < a.cols; j++) s += (a.data[o + j]! / max) ** 2
    out[i] = max * Math.sqrt(s)
  }
  return out
}

/** The Frobenius norm. */
export const frobenius = (a: Matrix): number => Math.sqrt(a.data.reduce((s, x) => s + x * x, 0))

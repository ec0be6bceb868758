/**
 * Weight norms per matrix and in total (the paper's repository logs them over training).
 *
 * @since 0.1.0
 */

/** The Frobenius norm of each named weight, and the norm of all of them together. */
export const weightNorms = (
  weights: Readonly<Record<string, ArrayLike<number>>>,
): { readonly perMatrix: Readonly<Record<string, number>>; readonly total: number } => {
  const squares = Object.entries(weights).map(([k, w]) => {
    let s = 0
    for (let i = 0; i < w.length; i++) s += w[i]! ** 2
    return [k, s] as const
  })
  return {
    perMatrix: Object.fromEntries(squares.map(([k, s]) => [k, Math.sqrt(s)])),
    total: Math.sqrt(squares.reduce((a, [, s]) => a + s, 0)),
  }
}

// The tolerance of the parity tests of the streamed analyses against the whole-array reference: every value within
// 1e-9 relative, with an absolute floor of 1e-12 × the largest magnitude of the expected array (float summation order).
import { expect } from 'vitest'

const REL = 1e-9
const FLOOR = 1e-12

/** Every value of `got` within REL of `want`'s, with an absolute floor of FLOOR × the largest magnitude of `want`. */
export const close = (got: ArrayLike<number>, want: ArrayLike<number>, what: string): void => {
  expect(got.length, what).toBe(want.length)
  let scale = 0
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!))
  for (let i = 0; i < want.length; i++) {
    const [x, y] = [got[i]!, want[i]!]
    if (!(Math.abs(x - y) <= REL * Math.max(Math.abs(x), Math.abs(y)) + FLOOR * scale)) expect.fail(`${what}[${i}]: ${x} vs ${y}`)
  }
}

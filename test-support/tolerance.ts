// The tolerance of the parity tests of the streamed analyses against the whole-array reference: every value within
// 1e-9 relative, with an absolute floor of 1e-12 × the largest magnitude of the expected array (float summation order).
import { expect } from 'vitest'
import type { KeyFrequencyAnalysis } from '@grokscope/measures'

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

/** Two key-frequency analyses the same: the selections exactly, every loss and energy within `close`. */
export const sameAnalysis = (got: KeyFrequencyAnalysis, want: KeyFrequencyAnalysis): void => {
  expect(got.key).toEqual(want.key)
  expect(got.prefixLosses.length).toBe(want.prefixLosses.length)
  expect(got.rule).toEqual(want.rule)
  expect(got.restrictedExcess).toBe(want.restrictedExcess)
  expect(got.dependent).toEqual(want.dependent)
  expect(got.warnFactor).toBe(want.warnFactor)
  close(got.energy, want.energy, 'energy')
  close(got.softmaxEnergy, want.softmaxEnergy, 'softmaxEnergy')
  close(got.prefixLosses, want.prefixLosses, 'prefixLosses')
  close([got.restricted, got.full, got.allFrequencies], [want.restricted, want.full, want.allFrequencies], 'losses')
  close(Object.values(got.losses), Object.values(want.losses), 'loss table')
  close(got.ablated, want.ablated, 'ablated')
}

import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { type Spectrum, fcr, ffd, fromRows, weightMeasures } from '../src/index.js'
import { FIXTURES, fixturePath } from '../../../test-support/fixtures.js'

interface Fixture {
  config: { p: number }
  weights: Record<string, number[][]>
  embedding: { cos_norms: number[]; sin_norms: number[]; ffd_eta_0_5: number; fcr: number }
  neuron_logit_map: { cos_norms: number[]; sin_norms: number[]; ffd_eta_0_5: number; fcr: number }
}

describe.each(FIXTURES)('parity with the PyTorch fixture %s', (name) => {
  const fx = JSON.parse(readFileSync(fixturePath(name), 'utf8')) as Fixture
  const p = fx.config.p
  const m = weightMeasures(p, fromRows(fx.weights.W_E!), fromRows(fx.weights.W_out!), fromRows(fx.weights.W_U!))
  const cases = [
    ['W_E', m.W_E, fx.embedding],
    ['W_L', m.W_L, fx.neuron_logit_map],
  ] as const

  it.each(cases)('%s: cos/sin norms within 1e-6, FFD equal and FCR within 1e-6 of the values PyTorch recorded', (_, got, want) => {
    const s = got.spectrum
    const worst = Math.max(
      ...want.cos_norms.map((x, i) => Math.abs(x - s.cos[i]!)),
      ...want.sin_norms.map((x, i) => Math.abs(x - s.sin[i]!)),
    )
    expect([s.cos.length, s.sin.length]).toEqual([want.cos_norms.length, want.sin_norms.length])
    expect(worst).toBeLessThan(1e-6)
    // FFD counts rows over 2K = 30: the same count gives the same float in both implementations.
    expect(got.ffd).toBe(want.ffd_eta_0_5)
    expect(Math.abs(got.fcr - want.fcr)).toBeLessThan(1e-6)
  })

  it.each(cases)('%s: FFD and FCR of the norms PyTorch recorded are the values it recorded', (_, __, want) => {
    const recorded: Spectrum = { p, constant: 0, cos: Float64Array.from(want.cos_norms), sin: Float64Array.from(want.sin_norms) }
    expect(ffd(recorded)).toBe(want.ffd_eta_0_5)
    expect(fcr(recorded)).toBeCloseTo(want.fcr, 12)
  })
})

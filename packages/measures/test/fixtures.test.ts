import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { fcr, ffd, fromRows, weightMeasures } from '../src/index.js'
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

  it.each(cases)('%s: cos/sin norms, FFD and FCR within 1e-6', (_, got, want) => {
    const s = got.spectrum
    expect(got.ffd).toBe(ffd(s))
    expect(got.fcr).toBe(fcr(s))
    const worst = Math.max(
      ...want.cos_norms.map((x, i) => Math.abs(x - s.cos[i]!)),
      ...want.sin_norms.map((x, i) => Math.abs(x - s.sin[i]!)),
    )
    expect(worst).toBeLessThan(1e-6)
    expect(Math.abs(ffd(s) - want.ffd_eta_0_5)).toBeLessThan(1e-6)
    expect(Math.abs(fcr(s) - want.fcr)).toBeLessThan(1e-6)
  })
})

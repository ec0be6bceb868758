// The curves' phase bands and Nanda panels, from metrics lines.
import { describe, expect, it } from 'vitest'
import { type MetricsLine, curvesSpec, curvesSvg, phaseBands } from '../src/plot.js'

const line = (step: number, train_acc: number, test_loss: number, test_acc: number, extra: Partial<MetricsLine> = {}): MetricsLine => ({
  step,
  train_loss: 0.1,
  train_acc,
  test_loss,
  test_acc,
  W_E: { ffd: 0.5, fcr: 0.9, gini: 0.3 },
  W_L: { ffd: 0.5, fcr: 0.9, gini: 0.4 },
  weight_norm: 40 - step / 100,
  ...extra,
})
const logits = (restricted: number, excluded: number) => ({ add: { asymmetry: 0, key: [1], n_key: 1, restricted_loss: restricted, full_loss: 1, train_loss: 0.01, excluded_loss: excluded, excluded: [excluded] } })
const run = [line(100, 0.4, 4, 0), line(200, 1, 6, 0, { logits: logits(3, 1) }), line(300, 1, 7, 0.1), line(400, 1, 3, 0.5, { logits: logits(0.5, 4) }), line(500, 1, 0.01, 1)]

describe('phase bands', { timeout: 60_000 }, () => {
  it('shade memorisation from the first evaluation, then circuit formation and cleanup, as far as the run reached', () => {
    expect(phaseBands(run)).toEqual([
      { phase: 'memorisation', from: 100, to: 200 },
      { phase: 'circuit formation', from: 200, to: 400 },
      { phase: 'cleanup', from: 400, to: 500 },
    ])
    expect(phaseBands(run.slice(0, 3))).toEqual([{ phase: 'memorisation', from: 100, to: 200 }])
    expect(phaseBands(run.slice(0, 1))).toEqual([])
  })

  it('the curves have the Nanda panels when their measures are recorded, and the bands in every panel', async () => {
    const spec = JSON.stringify(curvesSpec('t', run, 500))
    for (const s of ['restricted loss', 'excluded loss (train)', 'Gini(W_E)', 'weight norm', 'cleanup to 500']) expect(spec).toContain(s)
    const svg = await curvesSvg('t', run, 500)
    // The cleanup band in each of the six panels (and its legend entries).
    expect(svg.split('#2ca02c').length - 1).toBeGreaterThanOrEqual(6)
    const plain = JSON.stringify(curvesSpec('t', run.map(({ logits: _, weight_norm: __, ...m }) => ({ ...m, W_E: { ffd: 0.5, fcr: 0.9 }, W_L: { ffd: 0.5, fcr: 0.9 } })), 500))
    expect(plain).not.toContain('restricted loss')
    expect(plain).not.toContain('Gini')
  })
})

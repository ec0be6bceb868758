// The curves' phase bands and Nanda panels, from metrics lines.
import { describe, expect, it } from 'vitest'
import { COLORS } from '@grokscope/charts'
import { type MetricsLine, curvePanels, curvesSvg, phaseBands } from '../src/index.js'

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
const logits = (restricted: number, excluded: number) => ({
  add: {
    asymmetry: 0,
    key: [1],
    n_key: 1,
    restricted_loss: restricted,
    full_loss: 1,
    train_loss: 0.01,
    excluded_loss: excluded,
    excluded: [excluded],
  },
})
const run = [
  line(100, 0.4, 4, 0),
  line(200, 1, 6, 0, { logits: logits(3, 1) }),
  line(300, 1, 7, 0.1),
  line(400, 1, 3, 0.5, { logits: logits(0.5, 4) }),
  line(500, 1, 0.01, 1),
]

describe('phase bands', () => {
  it('shade memorisation from the first evaluation, then circuit formation and cleanup, for a run that grokked', () => {
    expect(phaseBands(run)).toEqual([
      { phase: 'memorisation', from: 100, to: 200 },
      { phase: 'circuit formation', from: 200, to: 400 },
      { phase: 'cleanup', from: 400, to: 500 },
    ])
  })

  it('shade nothing for a run that has not grokked: a fall of the test loss alone is not the end of circuit formation', () => {
    expect(phaseBands(run.slice(0, 4))).toEqual([])
    expect(phaseBands(run.slice(0, 3))).toEqual([])
    expect(phaseBands(run.slice(0, 1))).toEqual([])
    // The fast recipe's a2+b2 at p = 31: fitted, a test-loss spike and its fall, test accuracy up to 0.9896, never 0.99.
    const spike = [
      line(0, 0.03, 3.4, 0.03),
      line(50, 1, 4, 0.05),
      line(500, 1, 9, 0.2),
      line(1000, 1, 0.3, 0.9896),
      line(1450, 0.41, 2, 0.41),
    ]
    expect(phaseBands(spike)).toEqual([])
    expect(curvesSvg('a2+b2', spike, null)).not.toContain('class="band"')
  })

  it('the curves have the Nanda panels when their measures are recorded, every panel on one step axis from 0 with the bands, ' +
    'the phase legend once', () => {
    const panels = curvePanels(run, 500)
    expect(panels.map((p) => p.title)).toEqual([
      'Accuracy',
      'Loss',
      'FFD and FCR (additive basis)',
      "Nanda's progress measures (first operation)",
      'Gini of the Fourier norms',
      'Weight norm',
    ])
    for (const p of panels) {
      expect(p.xDomain).toEqual([0, 500])
      expect(p.bands?.map((b) => b.label)).toEqual(['memorisation', 'circuit formation', 'cleanup'])
    }
    expect(panels[3]!.series.map((s) => s.name)).toEqual(['restricted loss', 'excluded loss (train)', 'test loss'])
    const svg = curvesSvg('t', run, 500)
    // The cleanup band in each of the six panels, its legend entry once.
    expect(svg.split('<rect class="band"').length - 1).toBe(6 * 3)
    expect(svg.split('>cleanup<').length - 1).toBe(1)
    expect(svg).toContain('cleanup to 500')
    const plain = curvePanels(
      run.map(({ logits: _, weight_norm: __, ...m }) => ({ ...m, W_E: { ffd: 0.5, fcr: 0.9 }, W_L: { ffd: 0.5, fcr: 0.9 } })),
      500,
    )
    expect(plain.map((p) => p.title)).toEqual(['Accuracy', 'Loss', 'FFD and FCR (additive basis)'])
  })

  it('train and test have the palette\'s colours in every panel that shows them', () => {
    for (const p of curvePanels(run, null).filter((p) => p.series.some((s) => s.name === 'train'))) {
      expect(p.series.find((s) => s.name === 'train')?.color).toBe(COLORS.train)
      expect(p.series.find((s) => s.name === 'test')?.color).toBe(COLORS.test)
    }
  })
})

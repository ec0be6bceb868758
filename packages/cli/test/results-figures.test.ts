// The results figures (accuracy.svg, measures.svg): one legend of the operations, in the shared palette.
import { SERIES } from '@grokscope/charts'
import * as vega from 'vega'
import { type TopLevelSpec, compile } from 'vega-lite'
import { describe, expect, it } from 'vitest'
import { type ResultRow, accuracySpec, measuresSpec } from '../src/results.js'

const render = async (spec: TopLevelSpec): Promise<string> => {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' })
  const svg = await view.toSVG()
  view.finalize()
  return svg
}

const row = (operation: string, r: number, seed: number, status: ResultRow['status']): ResultRow => ({
  run: `${operation}-p31-r${r}-s${seed}`,
  operation,
  p: 31,
  r,
  seed,
  transfer: 'scratch',
  status,
  grokked: true,
  grok_step: 100,
  steps: 200,
  train_loss: 0.01,
  train_acc: 1,
  test_loss: 0.02,
  test_acc: 0.99,
  best_test_acc: 0.99,
  W_E_ffd: 0.2,
  W_E_fcr: 0.9,
  W_E_ffd_mult: 1,
  W_E_fcr_mult: 0.3,
  W_L_ffd: 0.2,
  W_L_fcr: 0.8,
  W_L_ffd_mult: 1,
  W_L_fcr_mult: 0.3,
  wall_time_s: 10,
})

const rows = [row('add', 0.3, 0, 'finished'), row('add', 0.5, 0, 'interrupted'), row('sub', 0.3, 0, 'finished'), row('sub', 0.5, 1, 'finished')]

describe('results figures', () => {
  it('accuracy.svg and measures.svg have one legend of the operations, coloured from the shared palette', async () => {
    for (const spec of [accuracySpec(rows), measuresSpec(rows)]) {
      const svg = await render(spec)
      expect(svg.split('>operation</text>').length - 1).toBe(1)
      expect(svg.split('>add</text>').length - 1).toBe(1)
      expect(svg.split('>sub</text>').length - 1).toBe(1)
      expect(svg).toContain(SERIES[0])
      expect(svg).toContain(SERIES[1])
    }
  })
})

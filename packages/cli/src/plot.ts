// Training curves of a run as an SVG: accuracy, loss and the Fourier measures against the step.
import * as vega from 'vega'
import { type TopLevelSpec, compile } from 'vega-lite'
import type { MetricsRecord } from '@grokscope/analysis'

/** The fields of a metrics.jsonl record that are plotted. */
export type MetricsLine = Pick<MetricsRecord, 'step' | 'train_loss' | 'test_loss' | 'train_acc' | 'test_acc' | 'W_E' | 'W_L'>

const WIDTH = 560
const HEIGHT = 150

/** The Vega-Lite spec of a run's curves, with a rule at the grokking step. */
export const curvesSpec = (title: string, lines: ReadonlyArray<MetricsLine>, grokStep: number | null): TopLevelSpec => {
  const long = lines.flatMap((m) => [
    { step: m.step, panel: 'accuracy', series: 'train', value: m.train_acc },
    { step: m.step, panel: 'accuracy', series: 'test', value: m.test_acc },
    // A loss of exactly 0 has no logarithm: floor it for the log axis.
    { step: m.step, panel: 'loss', series: 'train', value: Math.max(m.train_loss, 1e-12) },
    { step: m.step, panel: 'loss', series: 'test', value: Math.max(m.test_loss, 1e-12) },
    { step: m.step, panel: 'fourier', series: 'FFD(W_E)', value: m.W_E.ffd },
    { step: m.step, panel: 'fourier', series: 'FCR(W_E)', value: m.W_E.fcr },
    { step: m.step, panel: 'fourier', series: 'FFD(W_L)', value: m.W_L.ffd },
    { step: m.step, panel: 'fourier', series: 'FCR(W_L)', value: m.W_L.fcr },
  ])
  const grok = grokStep === null ? [] : [{ mark: { type: 'rule' as const, strokeDash: [4, 4], color: 'gray' }, data: { values: [{ step: grokStep }] }, encoding: { x: { field: 'step', type: 'quantitative' as const } } }]
  const panel = (name: string, yTitle: string, scale: object) => ({
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        transform: [{ filter: `datum.panel === '${name}'` }],
        mark: { type: 'line' as const },
        encoding: {
          x: { field: 'step', type: 'quantitative' as const, title: 'step' },
          y: { field: 'value', type: 'quantitative' as const, title: yTitle, scale },
          color: { field: 'series', type: 'nominal' as const, title: null, legend: { orient: 'right' as const } },
        },
      },
      ...grok,
    ],
    resolve: { scale: { color: 'independent' as const } },
  })
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, subtitle: grokStep === null ? 'not grokked' : `grokked at step ${grokStep} (dashed)` },
    data: { values: long },
    vconcat: [panel('accuracy', 'accuracy', { domain: [0, 1] }), panel('loss', 'loss (log)', { type: 'log' }), panel('fourier', 'FFD / FCR', { domain: [0, 1] })],
    resolve: { scale: { color: 'independent' } },
    config: { font: 'sans-serif' },
  }
}

/** The run's curves as an SVG document. */
export const curvesSvg = async (title: string, lines: ReadonlyArray<MetricsLine>, grokStep: number | null): Promise<string> => {
  const view = new vega.View(vega.parse(compile(curvesSpec(title, lines, grokStep)).spec), { renderer: 'none' })
  const svg = await view.toSVG()
  view.finalize()
  return svg
}

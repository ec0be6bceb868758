// Training curves of a run as an SVG: accuracy, loss and the Fourier measures against the step; when recorded,
// Nanda's progress measures (restricted/excluded/test loss, Gini, weight norm); the phases as shaded bands.
import * as vega from 'vega'
import { type TopLevelSpec, compile } from 'vega-lite'
import type { MetricsRecord } from '@grokscope/analysis'
import { phaseBoundaries } from '@grokscope/measures'

/** The fields of a metrics.jsonl record that are plotted. */
export type MetricsLine = Pick<MetricsRecord, 'step' | 'train_loss' | 'test_loss' | 'train_acc' | 'test_acc' | 'W_E' | 'W_L'> & Partial<Pick<MetricsRecord, 'weight_norm' | 'logits'>>

/** The phases as bands `[from, to)`: memorisation from the first evaluation, then circuit formation and cleanup, as far as the run reached. */
export const phaseBands = (lines: ReadonlyArray<MetricsLine>): ReadonlyArray<{ phase: string; from: number; to: number }> => {
  const b = phaseBoundaries(lines.map((m) => ({ step: m.step, trainAcc: m.train_acc, testLoss: m.test_loss, testAcc: m.test_acc })))
  const first = lines[0]?.step ?? 0
  const ends = [
    ['memorisation', b.memorisationEnd],
    ['circuit formation', b.circuitFormationEnd],
    ['cleanup', b.cleanupEnd],
  ] as const
  return ends.flatMap(([phase, to], i) => {
    const from = i === 0 ? first : ends[i - 1]![1]
    return from === null || to === null ? [] : [{ phase, from, to }]
  })
}

/** Nanda's progress measures of a line, when recorded: the first operation's restricted and excluded loss, Gini, weight norm. */
const progressRows = (m: MetricsLine) => {
  const op = m.logits === undefined ? undefined : Object.values(m.logits)[0]
  return [
    ...(op === undefined ? [] : [{ step: m.step, panel: 'nanda', series: 'restricted loss', value: Math.max(op.restricted_loss, 1e-12) }]),
    ...(op?.excluded_loss === undefined ? [] : [{ step: m.step, panel: 'nanda', series: 'excluded loss (train)', value: Math.max(op.excluded_loss, 1e-12) }]),
    ...(op === undefined ? [] : [{ step: m.step, panel: 'nanda', series: 'test loss', value: Math.max(m.test_loss, 1e-12) }]),
    ...(m.W_E.gini === undefined ? [] : [{ step: m.step, panel: 'gini', series: 'Gini(W_E)', value: m.W_E.gini }]),
    ...(m.W_L.gini === undefined ? [] : [{ step: m.step, panel: 'gini', series: 'Gini(W_L)', value: m.W_L.gini }]),
    ...(m.weight_norm === undefined ? [] : [{ step: m.step, panel: 'norm', series: 'weight norm', value: m.weight_norm }]),
  ]
}

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
    ...progressRows(m),
  ])
  const bands = phaseBands(lines)
  const shade =
    bands.length === 0
      ? []
      : [
          {
            mark: { type: 'rect' as const, opacity: 0.12 },
            data: { values: bands },
            encoding: {
              x: { field: 'from', type: 'quantitative' as const },
              x2: { field: 'to' },
              color: { field: 'phase', type: 'nominal' as const, title: 'phase', scale: { domain: ['memorisation', 'circuit formation', 'cleanup'], range: ['#d62728', '#ff7f0e', '#2ca02c'] }, legend: { orient: 'bottom' as const } },
            },
          },
        ]
  const grok = grokStep === null ? [] : [{ mark: { type: 'rule' as const, strokeDash: [4, 4], color: 'gray' }, data: { values: [{ step: grokStep }] }, encoding: { x: { field: 'step', type: 'quantitative' as const } } }]
  const panel = (name: string, yTitle: string, scale: object) => ({
    width: WIDTH,
    height: HEIGHT,
    layer: [
      ...shade,
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
    title: {
      text: title,
      subtitle: `${grokStep === null ? 'not grokked' : `grokked at step ${grokStep} (dashed)`}${bands.length === 0 ? '' : `; phases (shaded): ${bands.map((b) => `${b.phase} to ${b.to}`).join(', ')}`}`,
    },
    data: { values: long },
    vconcat: [
      panel('accuracy', 'accuracy', { domain: [0, 1] }),
      panel('loss', 'loss (log)', { type: 'log' }),
      panel('fourier', 'FFD / FCR', { domain: [0, 1] }),
      ...(long.some((r) => r.panel === 'nanda') ? [panel('nanda', 'loss (log)', { type: 'log' })] : []),
      ...(long.some((r) => r.panel === 'gini') ? [panel('gini', 'Gini of Fourier norms', { domain: [0, 1] })] : []),
      ...(long.some((r) => r.panel === 'norm') ? [panel('norm', 'weight norm', { zero: false })] : []),
    ],
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

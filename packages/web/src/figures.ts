/**
 * The page's figures as SVG text, from the evaluations so far: accuracy, loss (log axis,
 * ticks at powers of ten) and FFD/FCR on one step axis from 0 with the grokking step dashed,
 * the spectrum of `W_E` with the key frequencies marked (as the report marks them), and the
 * 2-D logits map with its colour scale. Pure: drawn with `@grokscope/charts` (the report's
 * palette and axes); the page puts them into the DOM.
 *
 * @example
 * import { curveFigures } from './figures.js'
 * curveFigures([]).acc.startsWith('<svg ')  // => true
 *
 * @since 0.1.0
 */
import type { MetricsRecord } from '@grokscope/runs'
import { accuracySeries, barChart, fourierSeries, heatMap, lineChart, lossSeries, seriesColor, stepDomain } from '@grokscope/charts'
import type { KeyFrequenciesMessage, LogitsMapMessage, SpectrumMessage } from './protocol.js'

/** The curves of the evaluations so far, sharing one step axis. */
export const curveFigures = (
  records: ReadonlyArray<MetricsRecord>,
): { readonly acc: string; readonly loss: string; readonly ffd: string } => {
  const grok = records.find((r) => r.grok_step !== null)?.grok_step ?? null
  const common = {
    xDomain: stepDomain(records.map((r) => r.step)),
    rule: grok === null ? null : { x: grok, label: `grokked at step ${grok}` },
  }
  return {
    acc: lineChart({ title: 'Accuracy', yLabel: 'accuracy', yDomain: [0, 1], ...common, series: accuracySeries(records) }),
    loss: lineChart({ title: 'Loss', yLabel: 'cross-entropy (log)', log: true, ...common, series: lossSeries(records) }),
    ffd: lineChart({
      title: 'FFD and FCR of W_E and W_L',
      yLabel: 'FFD / FCR',
      yDomain: [0, 1],
      ...common,
      series: fourierSeries(records),
    }),
  }
}

/** The spectrum of `W_E` at a step: the cos and sin norms of each frequency, the key frequencies `key` marked. */
export const spectrumFigure = (step: number, s: SpectrumMessage, key: ReadonlyArray<number> = []): string =>
  barChart({
    title: `Spectrum of W_E at step ${step}`,
    names: ['cos k (μ_k)', 'sin k (ν_k)'],
    colors: [seriesColor(0), seriesColor(1)],
    groups: s.cos.map((c, i) => ({ label: String(i + 1), values: [c, s.sin[i] ?? NaN], marked: key.includes(i + 1) })),
    xLabel: 'frequency k',
    yLabel: 'norm',
    markLabel: 'key frequency',
  })

/**
 * The key frequencies in words, as `grokscope analyze` prints them: the set and the rule, the restricted and full
 * loss, and the warning when the set does not carry the model's answer.
 *
 * @since 0.3.0
 */
export const keyFrequenciesText = (kf: KeyFrequenciesMessage): { readonly line: string; readonly warning: string | null } => ({
  line:
    `key frequencies of ${kf.op} at step ${kf.step}: ${kf.key.join(', ') || 'none'} (${kf.rule}); ` +
    `restricted loss ${kf.restricted.toExponential(2)}, full loss ${kf.full.toExponential(2)}`,
  warning: kf.warning === null ? null : `warning: ${kf.warning}`,
})

/** The logits of every pair in the 2-D Fourier basis, every basis row named, with its colour scale. */
export const logitsFigure = (step: number, m: LogitsMapMessage): string =>
  heatMap({
    title: `Logits in the 2-D Fourier basis, step ${step}`,
    names: m.names,
    values: m.norms,
    n: Math.round(Math.sqrt(m.norms.length)),
    rowLabel: 'basis of a',
    colLabel: 'basis of b',
  })

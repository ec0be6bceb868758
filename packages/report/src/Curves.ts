/**
 * Training curves of a run as an SVG (curves.svg): accuracy, loss and the Fourier measures against
 * the step; when recorded, Nanda's progress measures (restricted/excluded/test loss, Gini, weight
 * norm); the phases as shaded bands. Drawn with `@grokscope/charts`: every panel on the same step
 * axis from 0, the phases' legend once on top.
 *
 * @example
 * import { curvesSvg } from '@grokscope/report'
 * curvesSvg('add mod 31', [], null).startsWith('<svg') // => true
 *
 * @since 0.2.0
 */
import type { MetricsRecord } from '@grokscope/runs'
import {
  COLORS,
  type LineChart,
  PHASES,
  type Phase,
  accuracySeries,
  fourierSeries,
  lossSeries,
  seriesColor,
  stack,
  stepDomain,
  stepSeries,
} from '@grokscope/charts'
import { grokPhases } from '@grokscope/measures'

/** The fields of a metrics.jsonl record that are plotted. */
export type MetricsLine = Pick<MetricsRecord, 'step' | 'train_loss' | 'test_loss' | 'train_acc' | 'test_acc' | 'W_E' | 'W_L'> &
  Partial<Pick<MetricsRecord, 'weight_norm' | 'logits'>>

/**
 * The phases as bands `[from, to)`: memorisation from the first evaluation, then circuit formation and cleanup; none
 * unless the run grokked after fitting its training set (`grokPhases`: the rules that place them hold only then).
 */
export const phaseBands = (lines: ReadonlyArray<MetricsLine>): ReadonlyArray<{ phase: Phase; from: number; to: number }> => {
  const b = grokPhases(lines.map((m) => ({ step: m.step, trainAcc: m.train_acc, testLoss: m.test_loss, testAcc: m.test_acc })))
  if (b === null) return []
  const first = lines[0]?.step ?? 0
  return [
    { phase: 'memorisation', from: first, to: b.memorisationEnd },
    { phase: 'circuit formation', from: b.memorisationEnd, to: b.circuitFormationEnd },
    { phase: 'cleanup', from: b.circuitFormationEnd, to: b.cleanupEnd },
  ]
}

const firstOp = (m: MetricsLine) => (m.logits === undefined ? undefined : Object.values(m.logits)[0])

/** The panels of a run's curves: accuracy, loss, FFD/FCR, and Nanda's progress measures, Gini and the weight norm when recorded. */
export const curvePanels = (lines: ReadonlyArray<MetricsLine>, grokStep: number | null): ReadonlyArray<LineChart> => {
  const xDomain = stepDomain([...lines.map((m) => m.step), grokStep ?? 0])
  const bands = phaseBands(lines).map((b) => ({ label: b.phase, color: PHASES[b.phase], from: b.from, to: b.to }))
  const rule = grokStep === null ? null : { x: grokStep, label: `grokked at step ${grokStep}` }
  const common = { xDomain, bands, rule }
  const nanda = [
    stepSeries('restricted loss', seriesColor(2), lines, (m) => firstOp(m)?.restricted_loss),
    stepSeries('excluded loss (train)', seriesColor(3), lines, (m) => firstOp(m)?.excluded_loss),
    stepSeries('test loss', COLORS.test, lines, (m) => (firstOp(m) === undefined ? undefined : m.test_loss)),
  ].filter((s) => s.points.length > 0)
  const gini = [
    stepSeries('Gini(W_E)', seriesColor(2), lines, (m) => m.W_E.gini),
    stepSeries('Gini(W_L)', seriesColor(4), lines, (m) => m.W_L.gini),
  ].filter((s) => s.points.length > 0)
  const norm = stepSeries('weight norm', seriesColor(2), lines, (m) => m.weight_norm)
  return [
    { title: 'Accuracy', yLabel: 'accuracy', yDomain: [0, 1], ...common, series: accuracySeries(lines) },
    { title: 'Loss', yLabel: 'cross-entropy (log)', log: true, ...common, series: lossSeries(lines) },
    { title: 'FFD and FCR (additive basis)', yLabel: 'FFD / FCR', yDomain: [0, 1], ...common, series: fourierSeries(lines) },
    ...(nanda.length === 0
      ? []
      : [{ title: "Nanda's progress measures (first operation)", yLabel: 'loss (log)', log: true, ...common, series: nanda }]),
    ...(gini.length === 0
      ? []
      : [{ title: 'Gini of the Fourier norms', yLabel: 'Gini', yDomain: [0, 1] as const, ...common, series: gini }]),
    ...(norm.points.length === 0 ? [] : [{ title: 'Weight norm', yLabel: '‖θ‖₂', ...common, series: [norm] }]),
  ]
}

/** The run's curves as an SVG document: the panels stacked on one step axis, the phases' and the grokking rule's legend once on top. */
export const curvesSvg = (title: string, lines: ReadonlyArray<MetricsLine>, grokStep: number | null): string => {
  const bands = phaseBands(lines)
  return stack({
    title,
    subtitle:
      `${grokStep === null ? 'not grokked' : `grokked at step ${grokStep} (dashed)`}` +
      `${bands.length === 0 ? '' : `; phases (shaded): ${bands.map((b) => `${b.phase} to ${b.to}`).join(', ')}`}`,
    legend: [
      ...bands.map((b) => ({ name: b.phase, color: PHASES[b.phase], kind: 'band' as const })),
      ...(grokStep === null ? [] : [{ name: 'grokking step', color: COLORS.rule, kind: 'rule' as const }]),
    ],
    charts: curvePanels(lines, grokStep),
  })
}

/**
 * The series of a run's curves, in the colours every page gives them (the report, `curves.svg`
 * and the web page): accuracy and loss of train and test, and FFD and FCR of `W_E` and `W_L`
 * in the additive or the multiplicative Fourier basis. Read from a run's evaluations (the
 * records of metrics.jsonl, or any value with their fields).
 *
 * @example
 * import { type CurveRecord, accuracySeries, lineChart } from '@grokscope/charts'
 * declare const records: ReadonlyArray<CurveRecord>  // a run's evaluations (its metrics.jsonl)
 * lineChart({ title: 'Accuracy', yLabel: 'accuracy', yDomain: [0, 1], series: accuracySeries(records) })
 *
 * @since 0.1.0
 */
import { stepSeries, type Series } from './Charts.js'
import { COLORS, seriesColor } from './Palette.js'

/** FFD and FCR of one matrix: in the additive basis, and in the multiplicative one when recorded. */
export interface FourierValues {
  readonly ffd: number
  readonly fcr: number
  readonly ffd_mult?: number
  readonly fcr_mult?: number
}

/** What the curves read of an evaluation (a metrics.jsonl record). */
export interface CurveRecord {
  readonly step: number
  readonly train_acc: number
  readonly test_acc: number
  readonly train_loss: number
  readonly test_loss: number
  readonly W_E: FourierValues
  readonly W_L: FourierValues
}

/** Train and test accuracy. */
export const accuracySeries = (records: ReadonlyArray<CurveRecord>): ReadonlyArray<Series> => [
  stepSeries('train', COLORS.train, records, (r) => r.train_acc),
  stepSeries('test', COLORS.test, records, (r) => r.test_acc),
]

/** Train and test loss. */
export const lossSeries = (records: ReadonlyArray<CurveRecord>): ReadonlyArray<Series> => [
  stepSeries('train', COLORS.train, records, (r) => r.train_loss),
  stepSeries('test', COLORS.test, records, (r) => r.test_loss),
]

/** FFD and FCR of `W_E` and `W_L` in the additive basis, or the multiplicative one (records without it have no point). */
export const fourierSeries = (
  records: ReadonlyArray<CurveRecord>,
  basis: 'additive' | 'multiplicative' = 'additive',
): ReadonlyArray<Series> => {
  const ffd = (v: FourierValues) => (basis === 'additive' ? v.ffd : v.ffd_mult)
  const fcr = (v: FourierValues) => (basis === 'additive' ? v.fcr : v.fcr_mult)
  return [
    stepSeries('FFD(W_E)', seriesColor(2), records, (r) => ffd(r.W_E)),
    stepSeries('FCR(W_E)', seriesColor(3), records, (r) => fcr(r.W_E)),
    stepSeries('FFD(W_L)', seriesColor(4), records, (r) => ffd(r.W_L)),
    stepSeries('FCR(W_L)', seriesColor(6), records, (r) => fcr(r.W_L)),
  ]
}

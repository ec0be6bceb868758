/**
 * The figures of a sweep's or a folder's results (accuracy.svg, measures.svg): a point per run,
 * a colour per operation, drawn with `@grokscope/charts` from the rows of `@grokscope/runs`.
 *
 * @example
 * import { accuracySvg } from '@grokscope/report'
 * accuracySvg([]).includes('Best test accuracy') // => true
 *
 * @since 0.2.0
 */
import { COLORS, fmt, identityColors, pointChart } from '@grokscope/charts'
import { type ResultRow, accText, labelOf } from '@grokscope/runs'

const distinct = <A>(xs: ReadonlyArray<A>): ReadonlyArray<A> => [...new Set(xs)]

/**
 * The operations of the rows by their `label` (`labelOf`), in the order they first appear, each with its colour
 * (`identityColors` of the labels: the colour the folder's report gives it).
 */
const operations = (
  rows: ReadonlyArray<ResultRow>,
  label: (r: ResultRow) => string,
): ReadonlyArray<{ readonly label: string; readonly color: string }> => {
  const color = identityColors(rows.map(label))
  return distinct(rows.map(label)).map((name) => ({ label: name, color: color(name) }))
}

/** A run's hover text: its name, status, best and final test accuracy, and whether it was unstable. */
const runTitle = (r: ResultRow): string =>
  `${r.run} (${r.status}): best test accuracy ${accText(r.best_test_acc!)}` +
  `${r.test_acc === null ? '' : `, final ${accText(r.test_acc)}`}${r.unstable === true ? ', unstable' : ''}`

const RUN_KINDS = [
  { name: 'finished run', color: COLORS.muted, kind: 'dot' },
  { name: 'not finished', color: COLORS.muted, kind: 'ring' },
] as const

/**
 * accuracy.svg: best test accuracy against the training fraction, a colour per operation, every run a
 * point (hollow when not finished) and the mean over its seeds a tick joined across fractions. With one
 * training fraction, the operations side by side on the x axis instead.
 */
export const accuracySvg = (rows: ReadonlyArray<ResultRow>): string => {
  const label = labelOf(rows)
  const withAcc = rows.filter((r) => r.best_test_acc !== null)
  const fractions = distinct(rows.map((r) => r.r))
  if (fractions.length === 1) return accuracyByOperation(rows, label, fractions[0]!)
  const series = operations(rows, label).map(({ label: name, color }) => {
    const mine = withAcc.filter((r) => label(r) === name)
    const fracs = [...distinct(mine.map((r) => r.r))].sort((a, b) => a - b)
    return {
      name,
      color,
      points: mine.map((r) => ({
        x: r.r,
        y: r.best_test_acc!,
        hollow: r.status !== 'finished',
        title: runTitle(r),
      })),
      line: fracs.map((f) => {
        const accs = mine.filter((r) => r.r === f).map((r) => r.best_test_acc!)
        return [f, accs.reduce((a, b) => a + b, 0) / accs.length] as const
      }),
    }
  })
  return pointChart({
    title: 'Best test accuracy against the training fraction',
    subtitle: `${rows.length} runs; a point per run, a tick at the mean over seeds`,
    xLabel: 'training fraction r',
    yLabel: 'best test accuracy',
    xDomain: [0, 1],
    yDomain: [0, 1],
    series,
    legend: [{ name: 'mean over seeds', color: COLORS.muted, kind: 'tick' }, ...RUN_KINDS],
    dodge: true,
    standalone: true,
  })
}

/** accuracy.svg of a folder with one training fraction: an operation per x position, a point per run (seeds side by side). */
const accuracyByOperation = (rows: ReadonlyArray<ResultRow>, label: (r: ResultRow) => string, frac: number): string => {
  const ops = operations(rows, label)
  const series = ops.map(({ label: name, color }, i) => {
    const mine = rows.filter((r) => label(r) === name && r.best_test_acc !== null)
    const spread = (k: number) => i + (mine.length === 1 ? 0 : (k / (mine.length - 1) - 0.5) * Math.min(0.5, 0.08 * mine.length))
    const accs = mine.map((r) => r.best_test_acc!)
    return {
      name,
      color,
      points: mine.map((r, k) => ({ x: spread(k), y: r.best_test_acc!, hollow: r.status !== 'finished', title: runTitle(r) })),
      line: accs.length < 2 ? [] : [[i, accs.reduce((a, b) => a + b, 0) / accs.length] as const],
    }
  })
  return pointChart({
    title: `Best test accuracy of each run, r = ${frac}`,
    subtitle: `${rows.length} runs at one training fraction; a point per run${rows.length > ops.length ? ', a tick at the mean over seeds' : ''}`,
    xLabel: 'operation',
    yLabel: 'best test accuracy',
    yDomain: [0, 1],
    categories: ops.map((o) => o.label),
    series,
    legend: [...(rows.length > ops.length ? [{ name: 'mean over seeds', color: COLORS.muted, kind: 'tick' as const }] : []), ...RUN_KINDS],
    standalone: true,
  })
}

/**
 * A run in the FFD–FCR plane: its name and status, the operation it is drawn with, FFD and FCR of its W_E.
 *
 * @since 0.3.0
 */
export interface PlaneRun {
  readonly name: string
  readonly status: string
  readonly operation: string
  readonly ffd: number
  readonly fcr: number
}

/**
 * The FFD–FCR plane of W_E (additive basis), the paper's figure that separates the operations: a point per run (hollow
 * when not finished), a colour per operation in `operations`' order; measures.svg and the sweep report's figure.
 *
 * @since 0.3.0
 */
export const ffdFcrPlane = (
  runs: ReadonlyArray<PlaneRun>,
  operations: ReadonlyArray<{ readonly label: string; readonly color: string }>,
  text: { readonly title: string; readonly subtitle: string; readonly standalone?: boolean },
): string =>
  pointChart({
    title: text.title,
    subtitle: text.subtitle,
    xLabel: 'FCR(W_E)',
    yLabel: 'FFD(W_E)',
    xDomain: [0, 1],
    yDomain: [0, 1],
    series: operations.map(({ label: name, color }) => ({
      name,
      color,
      points: runs
        .filter((r) => r.operation === name)
        .map((r) => ({ x: r.fcr, y: r.ffd, hollow: r.status !== 'finished', title: `${r.name} (${r.status}): FFD ${fmt(r.ffd)}, FCR ${fmt(r.fcr)}` })),
    })),
    legend: RUN_KINDS,
    ...(text.standalone === true ? { standalone: true } : {}),
  })

/** measures.svg: FFD against FCR of W_E (additive basis) at each run's last evaluation, a point per run coloured by operation. */
export const measuresSvg = (rows: ReadonlyArray<ResultRow>): string => {
  const label = labelOf(rows)
  const measured = rows.flatMap((r) =>
    r.W_E_ffd === null || r.W_E_fcr === null
      ? []
      : [{ name: r.run, status: r.status, operation: label(r), ffd: r.W_E_ffd, fcr: r.W_E_fcr }],
  )
  return ffdFcrPlane(measured, operations(rows, label), {
    title: 'FFD against FCR of W_E, one point per run',
    subtitle: 'last evaluation of each run',
    standalone: true,
  })
}

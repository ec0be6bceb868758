/**
 * The results of a sweep or a folder of runs: one row per planned run (whatever its
 * status), results.csv, and the paper's Table A.5 form (operation × training fraction)
 * as Markdown. Pure: the rows are built from what was read of each run.
 *
 * @example
 * import { resultRow, toCsv } from '@grokscope/runs'
 * const row = resultRow({
 *   run: { name: 'add-p11-r0.5-s0', ops: ['add'], p: 11, frac: 0.5, seed: 0, variant: { load: [], freeze: [] }, config: null },
 *   status: 'not started',
 *   summary: null,
 *   records: [],
 * })
 * row.grokked // => null
 * toCsv([row]).split('\n')[1] // => 'add-p11-r0.5-s0,add,11,0.5,0,scratch,not started,,,,,,,,,,,,,,,,,,,,,,,'
 *
 * @since 0.2.0
 */
import { variantText } from './Config.js'
import { grokOutcome } from './Outcome.js'
import type { PlannedRun } from './Plan.js'
import type { MetricsRecord } from './Record.js'
import { STABILITY_RULE, runStability } from './Stability.js'
import type { RunStatus } from './Status.js'
import { type Summary, finiteLosses } from './Summary.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** One run of a sweep in the results. */
export interface ResultRow {
  readonly run: string
  readonly operation: string
  readonly p: number
  readonly r: number
  readonly seed: number
  readonly transfer: string
  readonly status: RunStatus
  readonly grokked: boolean | null
  readonly grok_step: number | null
  /** Whether test accuracy stayed at or above the threshold from the grok step to the last evaluation (null: no evaluation yet). */
  readonly stayed_grokked: boolean | null
  readonly last_test_acc_after_grok: number | null
  readonly min_test_acc_after_grok: number | null
  /** Whether the run left its fitted training set after fitting it (`runStability`; null: no evaluation yet). */
  readonly unstable: boolean | null
  /** The first step it was out of the fitted training set, when it was. */
  readonly unstable_from: number | null
  /** The lowest train accuracy after it fitted the training set, when it was unstable. */
  readonly unstable_min_train_acc: number | null
  readonly steps: number | null
  readonly train_loss: number | null
  readonly train_acc: number | null
  readonly test_loss: number | null
  readonly test_acc: number | null
  readonly best_test_acc: number | null
  readonly W_E_ffd: number | null
  readonly W_E_fcr: number | null
  readonly W_E_ffd_mult: number | null
  readonly W_E_fcr_mult: number | null
  readonly W_L_ffd: number | null
  readonly W_L_fcr: number | null
  readonly W_L_ffd_mult: number | null
  readonly W_L_fcr_mult: number | null
  readonly wall_time_s: number | null
}

/** The columns of results.csv, in order. */
export const COLUMNS: ReadonlyArray<keyof ResultRow> = [
  'run',
  'operation',
  'p',
  'r',
  'seed',
  'transfer',
  'status',
  'grokked',
  'grok_step',
  'stayed_grokked',
  'last_test_acc_after_grok',
  'min_test_acc_after_grok',
  'steps',
  'train_loss',
  'train_acc',
  'test_loss',
  'test_acc',
  'best_test_acc',
  'W_E_ffd',
  'W_E_fcr',
  'W_E_ffd_mult',
  'W_E_fcr_mult',
  'W_L_ffd',
  'W_L_fcr',
  'W_L_ffd_mult',
  'W_L_fcr_mult',
  'wall_time_s',
  // Newer than 0.2.0: last, so the columns before keep their places.
  'unstable',
  'unstable_from',
  'unstable_min_train_acc',
]

/** What was read of one run. */
export interface RunRead {
  readonly run: PlannedRun
  readonly status: RunStatus
  readonly summary: Summary | null
  readonly records: ReadonlyArray<MetricsRecord>
}

// ─────────────────────────────────────────────────────────────────────────────
// constructors
// ─────────────────────────────────────────────────────────────────────────────

/**
 * A run's row: the last evaluation's metrics and measures (of a diverged run, the last one whose losses are finite, as
 * its summary's `final`; its status says `diverged`, its steps the step it diverged at), the best test accuracy of all
 * evaluations, the summary's verdict, and whether it stayed grokked (`grokOutcome` of its records).
 */
export const resultRow = ({ run, status, summary, records }: RunRead): ResultRow => {
  const last = records.filter(finiteLosses).at(-1) ?? records.at(-1) ?? null
  const grokStep = summary?.grok_step ?? records.find((r) => r.grok_step !== null)?.grok_step ?? null
  const outcome = grokOutcome(records)
  const stability = runStability(records)
  return {
    run: run.name,
    operation: run.ops.join('+'),
    p: run.p,
    r: run.frac,
    seed: run.seed,
    transfer: variantText(run.variant),
    status,
    grokked: last === null ? null : grokStep !== null,
    grok_step: grokStep,
    stayed_grokked: last === null ? null : grokStep !== null && outcome.stayed_grokked,
    last_test_acc_after_grok: grokStep === null ? null : outcome.last_test_acc_after_grok,
    min_test_acc_after_grok: grokStep === null ? null : outcome.min_test_acc_after_grok,
    unstable: last === null ? null : stability.unstable,
    unstable_from: stability.excursions[0]?.[0] ?? null,
    unstable_min_train_acc: stability.unstable ? stability.lowest_train_acc : null,
    steps: summary?.steps ?? last?.step ?? null,
    train_loss: last?.train_loss ?? null,
    train_acc: last?.train_acc ?? null,
    test_loss: last?.test_loss ?? null,
    test_acc: last?.test_acc ?? null,
    best_test_acc: last === null ? null : Math.max(...records.map((r) => r.test_acc)),
    W_E_ffd: last?.W_E.ffd ?? null,
    W_E_fcr: last?.W_E.fcr ?? null,
    W_E_ffd_mult: last?.W_E.ffd_mult ?? null,
    W_E_fcr_mult: last?.W_E.fcr_mult ?? null,
    W_L_ffd: last?.W_L.ffd ?? null,
    W_L_fcr: last?.W_L.fcr ?? null,
    W_L_ffd_mult: last?.W_L.ffd_mult ?? null,
    W_L_fcr_mult: last?.W_L.fcr_mult ?? null,
    wall_time_s: summary?.wall_time_s ?? null,
  }
}

// ─────────────────────────────────────────────────────────────────────────────
// formats
// ─────────────────────────────────────────────────────────────────────────────

const csvCell = (v: string | number | boolean | null): string => {
  if (v === null) return ''
  const s = String(v)
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** results.csv: a header, then one line per row (empty cells where a run has no value yet). */
export const toCsv = (rows: ReadonlyArray<ResultRow>): string =>
  [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => csvCell(r[c])).join(','))].map((l) => `${l}\n`).join('')

const median = (xs: ReadonlyArray<number>): number | null => {
  if (xs.length === 0) return null
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

const distinct = <A>(xs: ReadonlyArray<A>): ReadonlyArray<A> => [...new Set(xs)]

/** A row's label in the table and the figures: its operation, with p and the transfer variant when the rows vary them. */
export const labelOf = <R extends Pick<ResultRow, 'operation' | 'p' | 'transfer'>>(rows: ReadonlyArray<R>): ((r: R) => string) => {
  const variants = distinct(rows.map((r) => r.transfer)).length > 1
  const moduli = distinct(rows.map((r) => r.p)).length > 1
  return (r) => `${r.operation}${moduli ? ` (p = ${r.p})` : ''}${variants ? ` [${r.transfer}]` : ''}`
}

/** An accuracy with three decimals, rounded down: one just below the grokking threshold (476/481 = 0.9896) must not read 0.990. */
export const accText = (a: number): string => (Math.floor(a * 1000) / 1000).toFixed(3)

/**
 * table.md: the paper's Table A.5 form. A row per operation (and p and transfer
 * variant, when the sweep varies them), a column per training fraction; each cell
 * `grokked/seeds, median grok step, best test accuracy`, how many of the grokked
 * seeds stayed grokked (and, when one did not, the lowest test accuracy after
 * grokking), the runs that left their fitted training set (`runStability`), and the
 * runs that are not finished, by status.
 */
export const toTable = (rows: ReadonlyArray<ResultRow>): string => {
  const label = labelOf(rows)
  const labels = distinct(rows.map(label))
  const fracs = [...distinct(rows.map((r) => r.r))].sort((a, b) => a - b)
  const cell = (name: string, frac: number): string => {
    const runs = rows.filter((r) => r.r === frac && label(r) === name)
    if (runs.length === 0) return ''
    // A run that has grokked counts, finished or not (its grok step is recorded).
    const grokked = runs.filter((r) => r.grokked === true)
    const med = median(grokked.flatMap((r) => (r.grok_step === null ? [] : [r.grok_step])))
    const best = runs.flatMap((r) => (r.best_test_acc === null ? [] : [r.best_test_acc]))
    const stayed = grokked.filter((r) => r.stayed_grokked === true).length
    const lowest = grokked.flatMap((r) => (r.min_test_acc_after_grok === null ? [] : [r.min_test_acc_after_grok]))
    const unstable = runs.filter((r) => r.unstable === true)
    const fell = unstable.flatMap((r) => (r.unstable_min_train_acc === null ? [] : [r.unstable_min_train_acc]))
    // A diverged run (status `diverged`, its steps the step it diverged at) is counted apart, as the runs not finished are.
    const others = distinct(runs.filter((r) => r.status !== 'finished').map((r) => r.status)).map(
      (s) => `${runs.filter((r) => r.status === s).length} ${s}`,
    )
    return [
      `${grokked.length}/${runs.length}`,
      med === null ? '–' : `${med}`,
      best.length === 0 ? '–' : accText(Math.max(...best)),
      ...(grokked.length === 0
        ? []
        : [
            `stayed ${stayed}/${grokked.length}` +
              `${stayed < grokked.length && lowest.length > 0 ? ` (min ${accText(Math.min(...lowest))})` : ''}`,
          ]),
      ...(unstable.length === 0
        ? []
        : [`**unstable ${unstable.length}/${runs.length}**${fell.length > 0 ? ` (train acc down to ${accText(Math.min(...fell))})` : ''}`]),
      ...(others.length > 0 ? [`(${others.join(', ')})`] : []),
    ].join(' · ')
  }
  const header = `| operation | ${fracs.map((f) => `r = ${f}`).join(' | ')} |`
  const rule = `|---|${fracs.map(() => '---').join('|')}|`
  const body = labels.map((l) => `| ${l} | ${fracs.map((f) => cell(l, f)).join(' | ')} |`)
  const ps = distinct(rows.map((r) => r.p)).join(', ')
  const anyUnstable = rows.some((r) => r.unstable === true)
  return [
    `Each cell: grokked seeds / seeds · median grok step of the grokked seeds · best test accuracy over the seeds · grokked seeds whose ` +
      `test accuracy stayed ≥ 0.99 to the end (min: the lowest test accuracy after grokking when one fell)` +
      `${anyUnstable ? ` · unstable runs / seeds: a run is unstable when it ${STABILITY_RULE}` : ''} (p = ${ps}). ` +
      `Runs not finished are counted by status.`,
    '',
    header,
    rule,
    ...body,
    '',
  ].join('\n')
}

/**
 * Whether a run stayed where it got once it fitted its training set. A run that fits
 * its training set and then falls out of it again (the fast recipe, `sub` at p = 31:
 * train accuracy 1.0, then 0.575 at step 600, 0.540 at 900, 0.694 at the end) is
 * unstable, whether or not it grokked. The rule, with its thresholds named:
 *
 * - **fitted**: the first evaluation whose train accuracy reaches `FIT_ACC` (0.99, the
 *   grokking threshold; the end of memorisation of the phases);
 * - **outside the fitted region**: an evaluation after that one whose train accuracy is
 *   below `DROP_ACC` (0.9), or whose train loss is more than `LOSS_RISE` (10) times the
 *   lowest train loss since the fit *and* above `LOSS_FLOOR` (0.1 nats: a model that
 *   still gives the right answer about 90 % probability on average is not out, however
 *   low its loss went before), or whose train loss or accuracy is not a number;
 * - **unstable**: at least one evaluation outside the fitted region. Consecutive ones
 *   make one excursion, `[first step out, last step out]`.
 *
 * A fold over the records (`stabilityStart`, `stabilityNext`) so a progress view can
 * flag an evaluation as it comes; `runStability` folds a whole run.
 *
 * @example
 * import { runStability } from '@grokscope/runs'
 * const at = (step: number, train_acc: number, train_loss: number) => ({ step, train_acc, train_loss })
 * const s = runStability([at(0, 0.03, 3.4), at(100, 1, 0.02), at(200, 1, 0.005), at(300, 0.57, 1.3), at(400, 1, 0.03)])
 * s.unstable // => true
 * s.fitted_step // => 100
 * s.excursions // => [[300, 300]]
 * s.lowest_train_acc // => 0.57
 *
 * @since 0.3.0
 */

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** Train accuracy at which the training set counts as fitted. */
export const FIT_ACC = 0.99
/** After the fit, a train accuracy below this leaves the fitted region. */
export const DROP_ACC = 0.9
/** After the fit, a train loss more than this many times the lowest since the fit (and above `LOSS_FLOOR`) leaves it. */
export const LOSS_RISE = 10
/** A train loss at or below this (nats) never counts as a rise. */
export const LOSS_FLOOR = 0.1
/** The excursions a stability keeps (the first ones; `excursion_count` counts them all). */
export const MAX_EXCURSIONS = 20

/** The rule in words, for captions: what "unstable" means. */
export const STABILITY_RULE =
  `fitted its training set (train accuracy ≥ ${FIT_ACC}) and then left it (train accuracy < ${DROP_ACC}, ` +
  `or train loss over ${LOSS_RISE}× its lowest since the fit and over ${LOSS_FLOOR})`

/** What the rule reads of an evaluation (a metrics.jsonl record has these fields). */
export interface StabilityPoint {
  readonly step: number
  readonly train_acc: number
  readonly train_loss: number
}

/** A run's stability (summary.json's `stability`). */
export interface Stability {
  /** The first step whose train accuracy reached `FIT_ACC`; null: the training set was never fitted. */
  readonly fitted_step: number | null
  /** Whether some evaluation after the fit left the fitted region. */
  readonly unstable: boolean
  /** The first `MAX_EXCURSIONS` stretches of consecutive evaluations outside the fitted region: first and last step out. */
  readonly excursions: ReadonlyArray<readonly [number, number]>
  /** How many excursions there were in all. */
  readonly excursion_count: number
  /** Whether the last evaluation was outside the fitted region. */
  readonly ended_outside: boolean
  /** The lowest train accuracy after the fit (null: not fitted, or nothing after it). */
  readonly lowest_train_acc: number | null
  /** The highest train loss after the fit over the lowest one before it (null: not fitted, or nothing after it). */
  readonly highest_loss_rise: number | null
}

/** The state of the fold: the stability so far, the lowest train loss since the fit, and whether the last evaluation was out. */
export interface StabilityState {
  readonly stability: Stability
  readonly lowestLoss: number
  /** Whether the evaluation just folded in was outside the fitted region. */
  readonly outside: boolean
}

// ─────────────────────────────────────────────────────────────────────────────
// constructors
// ─────────────────────────────────────────────────────────────────────────────

/** No evaluation yet. */
export const stabilityStart: StabilityState = {
  stability: {
    fitted_step: null,
    unstable: false,
    excursions: [],
    excursion_count: 0,
    ended_outside: false,
    lowest_train_acc: null,
    highest_loss_rise: null,
  },
  lowestLoss: Infinity,
  outside: false,
}

const round4 = (x: number): number => Number(x.toPrecision(4))

/** The smaller (`pick` Math.min) or larger of a kept value and a new one; a value that is not finite does not count. */
const keep = (pick: (a: number, b: number) => number, kept: number | null, x: number): number | null =>
  !Number.isFinite(x) ? kept : round4(kept === null ? x : pick(kept, x))

/** Whether an evaluation after the fit is outside the fitted region, given the lowest train loss since the fit (before it). */
export const isOutside = (r: StabilityPoint, lowestLoss: number): boolean =>
  !Number.isFinite(r.train_acc) ||
  !Number.isFinite(r.train_loss) ||
  r.train_acc < DROP_ACC ||
  (r.train_loss > LOSS_FLOOR && r.train_loss > LOSS_RISE * lowestLoss)

/** The state after one more evaluation (in step order). */
export const stabilityNext = (state: StabilityState, r: StabilityPoint): StabilityState => {
  const s = state.stability
  if (s.fitted_step === null) {
    return r.train_acc >= FIT_ACC
      ? { stability: { ...s, fitted_step: r.step }, lowestLoss: Number.isFinite(r.train_loss) ? r.train_loss : Infinity, outside: false }
      : state
  }
  const outside = isOutside(r, state.lowestLoss)
  const last = s.excursions.at(-1)
  const excursions =
    !outside
      ? s.excursions
      : state.outside && last !== undefined && s.excursion_count <= MAX_EXCURSIONS
        ? [...s.excursions.slice(0, -1), [last[0], r.step] as const]
        : s.excursion_count < MAX_EXCURSIONS
          ? [...s.excursions, [r.step, r.step] as const]
          : s.excursions
  return {
    stability: {
      fitted_step: s.fitted_step,
      unstable: s.unstable || outside,
      excursions,
      excursion_count: s.excursion_count + (outside && !state.outside ? 1 : 0),
      ended_outside: outside,
      lowest_train_acc: keep(Math.min, s.lowest_train_acc, r.train_acc),
      highest_loss_rise: keep(Math.max, s.highest_loss_rise, r.train_loss / state.lowestLoss),
    },
    lowestLoss: Number.isFinite(r.train_loss) ? Math.min(state.lowestLoss, r.train_loss) : state.lowestLoss,
    outside,
  }
}

/** The stability of a run's evaluations (in step order). */
export const runStability = (records: ReadonlyArray<StabilityPoint>): Stability => records.reduce(stabilityNext, stabilityStart).stability

// ─────────────────────────────────────────────────────────────────────────────
// text
// ─────────────────────────────────────────────────────────────────────────────

const stepsText = ([a, b]: readonly [number, number]): string => (a === b ? `${a}` : `${a}–${b}`)

/**
 * An unstable run's flag in words (empty for a stable one): `unstable: left the fitted training set at steps 600, 900,
 * 1500 (lowest train accuracy 0.540; still out at the end)`.
 */
export const stabilityText = (s: Stability): string => {
  if (!s.unstable) return ''
  const shown = s.excursions.map(stepsText).join(', ')
  const more = s.excursion_count > s.excursions.length ? ` and ${s.excursion_count - s.excursions.length} more` : ''
  const acc = s.lowest_train_acc === null ? '' : `lowest train accuracy ${s.lowest_train_acc.toFixed(3)}`
  const end = s.ended_outside ? 'still out at the end' : 'back in at the end'
  const plural = s.excursion_count > 1 || shown.includes('–') ? 's' : ''
  return `unstable: left the fitted training set at step${plural} ${shown}${more} (${[acc, end].filter((x) => x !== '').join('; ')})`
}

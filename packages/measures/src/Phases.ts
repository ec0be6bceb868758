/**
 * The phases of grokking after Nanda et al. (2023): memorisation, circuit
 * formation and cleanup, found from the evaluations of a run by these rules:
 *
 * - **end of memorisation**: the first evaluation whose train accuracy reaches
 *   `threshold` (0.99): the training set is fitted, the train loss has bottomed
 *   out against the test loss;
 * - **end of circuit formation**: the first evaluation after that whose test loss
 *   is at most half of the largest test loss since the end of memorisation: the
 *   test loss, flat or rising while the circuit forms (the excluded loss rising,
 *   the restricted loss falling), has started its fall;
 * - **end of cleanup**: the first evaluation from then on whose test accuracy reaches
 *   `threshold`: the memorising components are gone, the model has grokked.
 *
 * A boundary that a run has not reached is `null` (and so are the later ones).
 *
 * The phases are a reading of a run that grokked: `grokPhases` gives the boundaries
 * only when all three are placed (the training set fitted, then the test accuracy at
 * the threshold). Before that, a fall of the test loss is not the end of circuit
 * formation (a loss spike of a run that never groks moves it: the fast recipe's
 * `a2+b2` at p = 31 had "circuit formation" end at step 1000 and never grokked), so a
 * figure draws no phases for such a run.
 *
 * @example
 * import { phaseBoundaries } from '@grokscope/measures'
 * const points = [
 *   { step: 100, trainAcc: 1, testLoss: 5, testAcc: 0.02 }, // the training set fitted
 *   { step: 1200, trainAcc: 1, testLoss: 6, testAcc: 0.05 }, // the test loss at its peak
 *   { step: 2400, trainAcc: 1, testLoss: 2.5, testAcc: 0.6 }, // at most half the peak: the circuit has formed
 *   { step: 3100, trainAcc: 1, testLoss: 0.01, testAcc: 1 }, // grokked
 * ]
 * phaseBoundaries(points)  // => { memorisationEnd: 100, circuitFormationEnd: 2400, cleanupEnd: 3100 }
 *
 * @since 0.1.0
 */

/** What the rules read of one evaluation. */
export interface PhasePoint {
  readonly step: number
  readonly trainAcc: number
  readonly testLoss: number
  readonly testAcc: number
}

/** The steps at which the phases end (`null`: not reached). */
export interface PhaseBoundaries {
  readonly memorisationEnd: number | null
  readonly circuitFormationEnd: number | null
  readonly cleanupEnd: number | null
}

/** The boundaries of a run's evaluations (in step order). */
export const phaseBoundaries = (points: ReadonlyArray<PhasePoint>, threshold = 0.99): PhaseBoundaries => {
  const none = { memorisationEnd: null, circuitFormationEnd: null, cleanupEnd: null }
  const m = points.findIndex((x) => x.trainAcc >= threshold)
  if (m < 0) return none
  let peak = points[m]!.testLoss
  let c = -1
  for (let i = m + 1; i < points.length; i++) {
    const loss = points[i]!.testLoss
    if (loss <= peak / 2) {
      c = i
      break
    }
    peak = Math.max(peak, loss)
  }
  if (c < 0) return { ...none, memorisationEnd: points[m]!.step }
  const e = points.findIndex((x, i) => i >= c && x.testAcc >= threshold)
  return { memorisationEnd: points[m]!.step, circuitFormationEnd: points[c]!.step, cleanupEnd: e < 0 ? null : points[e]!.step }
}

/** The boundaries of a run that grokked: each one placed. */
export type GrokPhases = { readonly [K in keyof PhaseBoundaries]: number }

/**
 * The boundaries of a run that grokked after fitting its training set (all three placed), else `null`: no phases to draw.
 *
 * @since 0.3.0
 */
export const grokPhases = (points: ReadonlyArray<PhasePoint>, threshold = 0.99): GrokPhases | null => {
  const b = phaseBoundaries(points, threshold)
  return b.memorisationEnd === null || b.circuitFormationEnd === null || b.cleanupEnd === null
    ? null
    : { memorisationEnd: b.memorisationEnd, circuitFormationEnd: b.circuitFormationEnd, cleanupEnd: b.cleanupEnd }
}

/**
 * Scales from data to drawing coordinates, with their ticks: linear (round steps) and
 * log10 (ticks at powers of ten only).
 *
 * @example
 * import { logScale } from '@grokscope/charts'
 * logScale(0.003, 2.5, 200, 0).values  // => [0.001, 0.01, 0.1, 1, 10]
 *
 * @since 0.1.0
 */
import { decadeLabels, fmt } from './Text.js'

/** A scale: `map` from a data value to a coordinate, and the ticks with their labels. */
export interface Scale {
  readonly domain: readonly [number, number]
  readonly map: (v: number) => number
  /** Tick positions as data values. */
  readonly values: ReadonlyArray<number>
  /** Unlabelled grid positions between the ticks (a log axis of more than 7 decades: the decades not labelled). */
  readonly minor: ReadonlyArray<number>
  readonly label: (v: number) => string
}

/** About `count` round ticks (1, 2 or 5 times a power of ten apart) over [lo, hi]. */
export const linearTicks = (lo: number, hi: number, count = 5): number[] => {
  const span = hi - lo || 1
  const raw = span / count
  const pow = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw * 0.999) ?? raw
  const ticks: number[] = []
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)))
  return ticks
}

/** A linear scale from [lo, hi] onto [r0, r1] (a single value is widened by 1 each side). */
export const linearScale = (lo: number, hi: number, r0: number, r1: number): Scale => {
  const [a, b] = lo === hi ? [lo - 1, hi + 1] : [lo, hi]
  const ticks = linearTicks(a, b)
  return { domain: [a, b], map: (v) => r0 + ((v - a) / (b - a)) * (r1 - r0), values: ticks, minor: [], label: fmt }
}

/**
 * A log10 scale over whole decades around [lo, hi] (values below the lowest decade sit on it), with
 * ticks at powers of ten only: every decade, or every k-th labelled when there are more than 7 and
 * the others as unlabelled grid lines (`minor`); labelled in one form (`decadeLabels`).
 */
export const logScale = (lo: number, hi: number, r0: number, r1: number): Scale => {
  const safe = (v: number) => (Number.isFinite(v) && v > 0 ? v : 1e-12)
  const [a0, b0] = [Math.floor(Math.log10(safe(lo)) + 1e-9), Math.ceil(Math.log10(safe(hi)) - 1e-9)]
  const [a, b] = a0 >= b0 ? [a0 - 1, a0 + 1] : [a0, b0]
  const every = Math.max(1, Math.ceil((b - a) / 7))
  const ticks = Array.from({ length: Math.floor((b - a) / every) + 1 }, (_, i) => b - (Math.floor((b - a) / every) - i) * every)
  const decade = (e: number) => Number((10 ** e).toPrecision(12))
  const labelOf = decadeLabels(ticks[0]!, ticks[ticks.length - 1]!)
  return {
    domain: [10 ** a, 10 ** b],
    map: (v) => r0 + ((Math.min(b, Math.max(a, Math.log10(safe(v)))) - a) / (b - a)) * (r1 - r0),
    values: ticks.map(decade),
    minor: Array.from({ length: b - a + 1 }, (_, i) => a + i).filter((e) => !ticks.includes(e)).map(decade),
    label: (v) => labelOf(Math.round(Math.log10(v))),
  }
}

/**
 * A scale of named categories onto [r0, r1]: the i-th name at the middle of the i-th of equal slots (data value `i`),
 * each tick labelled with its name.
 *
 * @since 0.3.0
 */
export const categoryScale = (names: ReadonlyArray<string>, r0: number, r1: number): Scale => {
  const n = Math.max(1, names.length)
  return {
    domain: [-0.5, n - 0.5],
    map: (v) => r0 + ((v + 0.5) / n) * (r1 - r0),
    values: names.map((_, i) => i),
    minor: [],
    label: (v) => names[Math.round(v)] ?? '',
  }
}

/**
 * The colours of every figure: train and test are the same everywhere (report, curves.svg,
 * results, the web page); other series take the categorical colours in order.
 *
 * @example
 * import { COLORS } from '@grokscope/charts'
 * COLORS.train  // => '#4e79a7'
 *
 * @since 0.1.0
 */

/** The named colours: the train and test series, the rules and the axes. */
export const COLORS = {
  train: '#4e79a7',
  test: '#f28e2b',
  rule: '#555555',
  cursor: '#000000',
  axis: '#666666',
  grid: '#e6e6e6',
  text: '#222222',
  muted: '#666666',
} as const

/** Categorical colours (Tableau 10) for series that are neither train nor test, in order. */
export const SERIES = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
] as const

/** The phases of grokking and their band colours (drawn translucent). */
export const PHASES = {
  memorisation: '#e15759',
  'circuit formation': '#edc948',
  cleanup: '#59a14f',
} as const

/** A phase's name. */
export type Phase = keyof typeof PHASES

/** The i-th categorical colour (cycling). */
export const seriesColor = (i: number): string => SERIES[((i % SERIES.length) + SERIES.length) % SERIES.length]!

/** Five-stop viridis, interpolated: t in [0, 1] to a colour (the heat maps' scale). */
export const viridis = (t: number): string => {
  const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]] as const
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1)
  const i = Math.min(stops.length - 2, Math.floor(u))
  const f = u - i
  const c = stops[i]!.map((a, k) => Math.round(a + (stops[i + 1]![k]! - a) * f))
  return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`
}

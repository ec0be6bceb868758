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
  /** Key frequencies in a spectrum (dark: red is FCR's colour in the curves). */
  key: '#222222',
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

/**
 * The colours that identify a run or an operation (Okabe–Ito without its yellow, which is unreadable on white):
 * distinguishable with the common colour-vision deficiencies, and none of them train's or test's.
 *
 * @since 0.3.0
 */
export const IDENTITY = ['#0072b2', '#e69f00', '#009e73', '#d55e00', '#cc79a7', '#56b4e9', '#000000'] as const

/**
 * The colour of each of these names (operations, or runs), chosen once for a page or a folder: the distinct names in
 * sorted order take `IDENTITY`'s colours in turn, so every figure of a report, the results' figures and a page that are
 * given the same names give each the same colour, whatever order they list them in. A name not among them is grey.
 *
 * @example
 * import { identityColors } from '@grokscope/charts'
 * const color = identityColors(['sub', 'add', 'a2+b2', 'add'])
 * color('a2+b2') // => '#0072b2'
 * color('add') // => '#e69f00'
 * color('sub') // => '#009e73'
 *
 * @since 0.3.0
 */
export const identityColors = (names: Iterable<string>): ((name: string) => string) => {
  const sorted = [...new Set(names)].sort()
  const of = new Map(sorted.map((n, i) => [n, IDENTITY[i % IDENTITY.length]!]))
  return (name) => of.get(name) ?? COLORS.muted
}

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

/**
 * The figures as SVG strings: line charts against the step (linear or log y axis, phase bands,
 * the grokking rule, a cursor), point charts (a point per run, hollow when unfinished), grouped bar
 * charts, a heat map with its colour scale, a legend, and a stack of line charts sharing one step
 * axis (curves.svg). Every figure has a `viewBox`
 * and `width="100%"`, so it scales with its container (a page caps it with CSS); legends sit on rows above the plot and
 * wrap, so no label is cut; values are in `<title>` elements (hover).
 *
 * @example
 * import { COLORS, lineChart } from '@grokscope/charts'
 * const svg = lineChart({
 *   title: 'Loss',
 *   yLabel: 'cross-entropy',
 *   log: true,
 *   xDomain: [0, 200],
 *   series: [{ name: 'train', color: COLORS.train, points: [[0, 4.6], [100, 0.01], [200, 1e-4]] }],
 * })
 * // a standalone SVG document, 720 wide, scaled to its container's width
 * svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 720 ')  // => true
 *
 * @since 0.1.0
 */
import { COLORS, viridis } from './Palette.js'
import { type Scale, categoryScale, linearScale, logScale } from './Scale.js'
import { decadeLabels, esc, fmt, n1 } from './Text.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** One line: its name, colour and points `[x, y]` (non-finite y values, and y ≤ 0 on a log axis, are left out). */
export interface Series {
  readonly name: string
  readonly color: string
  readonly points: ReadonlyArray<readonly [number, number]>
}

/** A shaded interval of the x axis, e.g. a phase of training `[from, to)`. */
export interface Band {
  readonly label: string
  readonly color: string
  readonly from: number
  readonly to: number
}

/** A legend entry: a swatch (box, band, dashed rule, ▲ mark, filled dot, hollow ring or short tick) and its name. */
export interface LegendItem {
  readonly name: string
  readonly color: string
  readonly kind?: 'box' | 'band' | 'rule' | 'mark' | 'dot' | 'ring' | 'tick'
}

/** A line chart. */
export interface LineChart {
  readonly title: string
  readonly series: ReadonlyArray<Series>
  readonly yLabel: string
  /** The x axis' name: `step` unless given. */
  readonly xLabel?: string
  /** A log10 y axis, ticks at powers of ten. */
  readonly log?: boolean
  readonly yDomain?: readonly [number, number]
  /** The x range; give every chart of a page the same (see `stepDomain`). Else [0, the largest x]. */
  readonly xDomain?: readonly [number, number]
  /** A dashed vertical rule (the grokking step). */
  readonly rule?: { readonly x: number; readonly label: string } | null
  /** A cursor line at this x (the report's step slider moves it). */
  readonly cursor?: number | null
  /** Shaded x intervals (phases), drawn without a legend of their own: put it once on the page (`legend`). */
  readonly bands?: ReadonlyArray<Band>
  /** Draw a dot with a tooltip at every point (the report); off for live charts. */
  readonly dots?: boolean
  /** Leave the series' legend out (a page that shows it once elsewhere). */
  readonly noLegend?: boolean
}

/** A group of bars at one x position, e.g. the cos and sin norms of frequency k. */
export interface BarGroup {
  readonly label: string
  readonly values: ReadonlyArray<number>
  readonly marked?: boolean
}

/** A grouped bar chart. */
export interface BarChart {
  readonly title: string
  readonly names: ReadonlyArray<string>
  readonly colors: ReadonlyArray<string>
  readonly groups: ReadonlyArray<BarGroup>
  readonly yLabel: string
  readonly xLabel: string
  /** What a mark (▲) above a group means, for the legend. */
  readonly markLabel?: string
}

/** A square heat map of non-negative values on a log colour scale. */
export interface HeatMap {
  readonly title: string
  /** The rows' and columns' names (the basis: const, cos 1, sin 1, …), all drawn. */
  readonly names: ReadonlyArray<string>
  /** Row-major, `n × n`. */
  readonly values: ArrayLike<number>
  readonly n: number
  readonly rowLabel: string
  readonly colLabel: string
  /** Decades of the colour scale below the largest value (4). */
  readonly decades?: number
  /**
   * The axes' labels, when not every name (e.g. one per frequency, at the middle of its cos and sin rows): `at` in cells
   * from the top-left corner (0.5: the middle of the first row). The names still name each cell in the hover readout.
   */
  readonly ticks?: ReadonlyArray<{ readonly at: number; readonly label: string }>
}

/** A point of a point chart: filled, or hollow (e.g. a run that has not finished), with its hover text. */
export interface Point {
  readonly x: number
  readonly y: number
  readonly hollow?: boolean
  /** The hover text (`<title>`); else `name: x, y`. */
  readonly title?: string
}

/** A series of a point chart: its points, and a line through other values (e.g. the mean over seeds), each marked by a short tick. */
export interface PointSeries {
  readonly name: string
  readonly color: string
  readonly points: ReadonlyArray<Point>
  readonly line?: ReadonlyArray<readonly [number, number]>
}

/** Points (and lines) on two linear axes, e.g. one point per run of a sweep. */
export interface PointChart {
  readonly title: string
  readonly subtitle?: string
  readonly series: ReadonlyArray<PointSeries>
  readonly xLabel: string
  readonly yLabel: string
  /** The axes' ranges; else the data's (with a margin of 5 %). */
  readonly xDomain?: readonly [number, number]
  readonly yDomain?: readonly [number, number]
  /** Legend entries after the series' (e.g. what a hollow point means). */
  readonly legend?: ReadonlyArray<LegendItem>
  /** Set the series side by side at each x (a few pixels apart), so that runs at one x do not hide each other. */
  readonly dodge?: boolean
  /** A document of its own (a file such as accuracy.svg): its natural size on a white ground, not 100 % of a container. */
  readonly standalone?: boolean
  /** Named categories on the x axis instead of numbers: a point's `x` is the index of its category (`xDomain` is then ignored). */
  readonly categories?: ReadonlyArray<string>
}

/** Line charts stacked on one step axis, with one title and one legend (of the phases) on top. */
export interface Stack {
  readonly title: string
  readonly subtitle?: string
  readonly legend?: ReadonlyArray<LegendItem>
  readonly charts: ReadonlyArray<LineChart>
}

// ─────────────────────────────────────────────────────────────────────────────
// layout
// ─────────────────────────────────────────────────────────────────────────────

/** The width of every figure's viewBox. */
export const WIDTH = 720
const PLOT_H = 170
const M = { left: 64, right: 18, bottom: 42 } as const
const TITLE_Y = 17
const ROW = 16
const FONT = 'font-family="DejaVu Sans, Verdana, sans-serif" font-size="11"'

/** The approximate width of a text of `chars` characters at 11 px. */
const textWidth = (s: string): number => [...s].length * 6.6

interface Placed {
  readonly svg: string
  readonly height: number
}

const swatch = (it: LegendItem, x: number, y: number): string => {
  switch (it.kind ?? 'box') {
    case 'band':
      return (
        `<rect x="${n1(x)}" y="${n1(y - 9)}" width="14" height="11" fill="${esc(it.color)}" fill-opacity="0.25" ` +
        `stroke="${esc(it.color)}" stroke-opacity="0.6"/>`
      )
    case 'rule':
      return (
        `<line x1="${n1(x + 7)}" x2="${n1(x + 7)}" y1="${n1(y - 10)}" y2="${n1(y + 2)}" stroke="${esc(it.color)}" ` +
        `stroke-dasharray="4 3" stroke-width="1.4"/>`
      )
    case 'mark':
      return `<text x="${n1(x + 7)}" y="${n1(y)}" text-anchor="middle" fill="${esc(it.color)}">▲</text>`
    case 'dot':
      return `<circle cx="${n1(x + 7)}" cy="${n1(y - 4)}" r="3.5" fill="${esc(it.color)}" stroke="${esc(it.color)}"/>`
    case 'ring':
      return `<circle cx="${n1(x + 7)}" cy="${n1(y - 4)}" r="3.5" fill="none" stroke="${esc(it.color)}" stroke-width="1.4"/>`
    case 'tick':
      return `<line x1="${n1(x + 1)}" x2="${n1(x + 13)}" y1="${n1(y - 4)}" y2="${n1(y - 4)}" stroke="${esc(it.color)}" stroke-width="2.4"/>`
    case 'box':
      return `<rect x="${n1(x)}" y="${n1(y - 8)}" width="14" height="8" fill="${esc(it.color)}"/>`
  }
}

/** Legend items laid out in rows from `x0` that wrap before `x1`; `y` is the first row's baseline. */
const legendRows = (items: ReadonlyArray<LegendItem>, x0: number, x1: number, y: number): Placed => {
  let [x, row] = [x0, 0]
  const parts: string[] = []
  for (const it of items) {
    const w = 20 + textWidth(it.name) + 14
    if (x > x0 && x + w > x1) [x, row] = [x0, row + 1]
    parts.push(
      `${swatch(it, x, y + row * ROW)}<text x="${n1(x + 19)}" y="${n1(y + row * ROW)}" fill="${COLORS.text}">${esc(it.name)}</text>`,
    )
    x += w
  }
  return { svg: items.length === 0 ? '' : `<g class="legend">${parts.join('')}</g>`, height: items.length === 0 ? 0 : (row + 1) * ROW }
}

/** A title, an optional subtitle under it, and the legend's rows under those. */
const header = (title: string, items: ReadonlyArray<LegendItem>, width: number, subtitle?: string): Placed => {
  const below = subtitle === undefined ? 0 : 16
  const legend = legendRows(items, M.left, width - M.right, TITLE_Y + 19 + below)
  const sub =
    subtitle === undefined ? '' : `<text x="${M.left}" y="${TITLE_Y + 16}" fill="${COLORS.muted}" class="subtitle">${esc(subtitle)}</text>`
  return {
    svg:
      `<text x="${M.left}" y="${TITLE_Y}" font-size="13" font-weight="bold" fill="${COLORS.text}" class="title">${esc(title)}` +
      `</text>${sub}${legend.svg}`,
    height: TITLE_Y + 10 + below + legend.height + 8,
  }
}

/**
 * An <svg> element: `width="100%"` of its container (the page's stylesheet caps it, e.g. `svg.chart{max-width:720px}`),
 * or its natural size for a standalone document. No `style` attribute: the web page's content security policy forbids inline styles.
 */
const open = (title: string, width: number, height: number, attrs: string, natural = false): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${n1(height)}" ` +
  `width="${natural ? width : '100%'}"${natural ? ` height="${n1(height)}"` : ''} role="img" aria-label="${esc(title)}" ${FONT}${attrs}>`

/** The y axis's ticks of a plot: a grid line across the plot and a label left of it at each tick. */
const yGrid = (y: Scale): string =>
  y.values
    .map(
      (t) =>
        `<line x1="${M.left - 4}" x2="${WIDTH - M.right}" y1="${n1(y.map(t))}" y2="${n1(y.map(t))}" stroke="${COLORS.grid}"/>` +
        `<text x="${M.left - 7}" y="${n1(y.map(t) + 4)}" text-anchor="end">${esc(y.label(t))}</text>`,
    )
    .join('')

/** The axes of a plot whose top is `top`: ticks, grid lines and the axis names. */
const axes = (x: Scale, y: Scale, top: number, xLabel: string, yLabel: string, xTick: (v: number) => string = x.label): string => {
  const [x0, x1, y0] = [M.left, WIDTH - M.right, top + PLOT_H]
  const yt = yGrid(y)
  const minor = y.minor
    .map(
      (t) =>
        `<line class="minor" x1="${x0 - 2}" x2="${x1}" y1="${n1(y.map(t))}" y2="${n1(y.map(t))}" stroke="${COLORS.grid}" ` +
        `stroke-dasharray="2 3"/>`,
    )
    .join('')
  const xt = x.values
    .map(
      (t) =>
        `<line x1="${n1(x.map(t))}" x2="${n1(x.map(t))}" y1="${y0}" y2="${y0 + 4}" stroke="${COLORS.axis}"/>` +
        `<text x="${n1(x.map(t))}" y="${y0 + 16}" text-anchor="middle">${esc(xTick(t))}</text>`,
    )
    .join('')
  return (
    `<g class="axis" fill="${COLORS.muted}">${minor}${yt}${xt}` +
    `<line x1="${x0}" x2="${x1}" y1="${y0}" y2="${y0}" stroke="${COLORS.axis}"/>` +
    `<line x1="${x0}" x2="${x0}" y1="${y0}" y2="${top}" stroke="${COLORS.axis}"/>` +
    `<text x="${n1((x0 + x1) / 2)}" y="${y0 + 33}" text-anchor="middle" fill="${COLORS.text}">${esc(xLabel)}</text>` +
    `<text transform="translate(14 ${n1(top + PLOT_H / 2)}) rotate(-90)" text-anchor="middle" ` +
    `fill="${COLORS.text}">${esc(yLabel)}</text></g>`
  )
}

const finite = (c: LineChart) => (s: Series) =>
  s.points.filter(([px, py]) => Number.isFinite(px) && Number.isFinite(py) && (c.log !== true || py > 0))

/** The x range of a line chart: the one given, else [0, the largest x] (0 so that a step-0 record and the phases from it show). */
const xRange = (c: LineChart): readonly [number, number] => {
  if (c.xDomain !== undefined) return c.xDomain
  const xs = c.series.flatMap((s) => finite(c)(s).map(([px]) => px))
  return [Math.min(0, ...xs), Math.max(1, ...xs, c.rule?.x ?? 0, c.cursor ?? 0)]
}

/** A line chart's body (everything but the <svg> element) from y = top, and its height. */
const lineBody = (c: LineChart, top: number): Placed & { readonly attrs: string } => {
  const pts = c.series.map(finite(c))
  const ys = pts.flat().map(([, py]) => py)
  const [d0, d1] = xRange(c)
  const [ylo, yhi] = c.yDomain ?? (ys.length === 0 ? [c.log === true ? 0.1 : 0, 1] : [Math.min(...ys), Math.max(...ys)])
  const x = linearScale(d0, d1, M.left, WIDTH - M.right)
  const y = c.log === true ? logScale(ylo, yhi, top + PLOT_H, top) : linearScale(ylo, yhi, top + PLOT_H, top)
  const [px0, px1] = [x.map(x.domain[0]), x.map(x.domain[1])]
  const clampX = (v: number) => Math.min(px1, Math.max(px0, x.map(v)))
  const bands = (c.bands ?? [])
    .filter((b) => b.to > x.domain[0] && b.from < x.domain[1])
    .map(
      (b) =>
        `<rect class="band" x="${n1(clampX(b.from))}" y="${top}" width="${n1(clampX(b.to) - clampX(b.from))}" height="${PLOT_H}" ` +
        `fill="${esc(b.color)}" fill-opacity="0.13"><title>${esc(`${b.label}: steps ${b.from} to ${b.to}`)}</title></rect>`,
    )
    .join('')
  const lines = c.series
    .map((s, i) => {
      const ok = pts[i]!
      if (ok.length === 0) return ''
      const d = ok.map(([a, b], j) => `${j === 0 ? 'M' : 'L'}${n1(x.map(a))} ${n1(y.map(b))}`).join('')
      const dots =
        c.dots === true
          ? ok
              .map(
                ([a, b]) =>
                  `<circle cx="${n1(x.map(a))}" cy="${n1(y.map(b))}" r="2.2">` +
                  `<title>${esc(`${s.name} at ${c.xLabel ?? 'step'} ${a}: ${fmt(b)}`)}</title></circle>`,
              )
              .join('')
          : ''
      return `<g class="series" stroke="${esc(s.color)}" fill="${esc(s.color)}"><path d="${d}" fill="none" stroke-width="1.7"/>${dots}</g>`
    })
    .join('')
  const rule =
    c.rule === null || c.rule === undefined
      ? ''
      : `<line class="rule" x1="${n1(clampX(c.rule.x))}" x2="${n1(clampX(c.rule.x))}" y1="${top}" y2="${top + PLOT_H}" ` +
        `stroke="${COLORS.rule}" stroke-dasharray="4 3" stroke-width="1.2"><title>${esc(c.rule.label)}</title></line>`
  const cursor =
    c.cursor === null || c.cursor === undefined
      ? ''
      : `<line class="cursor" x1="${n1(clampX(c.cursor))}" x2="${n1(clampX(c.cursor))}" y1="${top}" y2="${top + PLOT_H}" ` +
        `stroke="${COLORS.cursor}" stroke-width="1.2"/>`
  const attrs = ` data-x0="${n1(px0)}" data-x1="${n1(px1)}" data-s0="${x.domain[0]}" data-s1="${x.domain[1]}"`
  return { svg: `${bands}${axes(x, y, top, c.xLabel ?? 'step', c.yLabel)}${rule}${lines}${cursor}`, height: top + PLOT_H + M.bottom, attrs }
}

// ─────────────────────────────────────────────────────────────────────────────
// charts
// ─────────────────────────────────────────────────────────────────────────────

/** A series of one value per record against its step; a record without the value (`undefined`) has no point. */
export const stepSeries = <R extends { readonly step: number }>(
  name: string,
  color: string,
  records: ReadonlyArray<R>,
  f: (r: R) => number | undefined,
): Series => ({
  name,
  color,
  points: records.flatMap((r) => {
    const v = f(r)
    return v === undefined ? [] : [[r.step, v] as const]
  }),
})

/** The x range every step-axis chart of a page should share: 0 to the largest of the steps given. */
export const stepDomain = (steps: Iterable<number>): readonly [number, number] => {
  let hi = 1
  for (const s of steps) if (Number.isFinite(s) && s > hi) hi = s
  return [0, hi]
}

/** A legend on its own (e.g. the phases, once per page). */
export const legend = (items: ReadonlyArray<LegendItem>, width = WIDTH): string => {
  const rows = legendRows(items, M.left, width - M.right, 14)
  return `${open('legend', width, rows.height + 6, ' class="chart legend-only"')}${rows.svg}</svg>`
}

/** A line chart; the svg carries its x mapping (`data-x0/x1/s0/s1`) for the report's cursor. */
export const lineChart = (c: LineChart): string => {
  const head = header(c.title, c.noLegend === true ? [] : c.series.map((s) => ({ name: s.name, color: s.color })), WIDTH)
  const body = lineBody(c, head.height)
  return `${open(c.title, WIDTH, body.height, ` class="chart line"${body.attrs}`)}${head.svg}${body.svg}</svg>`
}

/**
 * Line charts stacked on one step axis (each keeps its title and series legend), one title and legend on top: a
 * standalone document (curves.svg) at its natural size.
 */
export const stack = (s: Stack): string => {
  const sub = s.subtitle === undefined ? '' : `<text x="${M.left}" y="${TITLE_Y + 17}" fill="${COLORS.muted}">${esc(s.subtitle)}</text>`
  const top = legendRows(s.legend ?? [], M.left, WIDTH - M.right, TITLE_Y + (s.subtitle === undefined ? 19 : 37))
  let y = TITLE_Y + (s.subtitle === undefined ? 10 : 28) + top.height + 10
  const panels = s.charts.map((c) => {
    const head = header(c.title, c.noLegend === true ? [] : c.series.map((x) => ({ name: x.name, color: x.color })), WIDTH)
    const body = lineBody(c, head.height)
    const g = `<g class="panel" transform="translate(0 ${n1(y)})">${head.svg}${body.svg}</g>`
    y += body.height
    return g
  })
  return (
    `${open(s.title, WIDTH, y, ' class="chart stack"', true)}<rect width="100%" height="100%" fill="#fff"/>` +
    `<text x="${M.left}" y="${TITLE_Y}" font-size="14" font-weight="bold" fill="${COLORS.text}">${esc(s.title)}` +
    `</text>${sub}${top.svg}${panels.join('')}</svg>`
  )
}

/** The range of `vs` widened by 5 % each side ([0, 1] when there are none). */
const padded = (vs: ReadonlyArray<number>): readonly [number, number] => {
  if (vs.length === 0) return [0, 1]
  const [lo, hi] = [Math.min(...vs), Math.max(...vs)]
  const m = (hi - lo) * 0.05
  return [lo - m, hi + m]
}

/**
 * Points on two linear axes, a series per colour: filled or hollow circles, each with its hover text, and
 * each series' `line` drawn through its values with a short tick at each (so one value alone still shows).
 * With `dodge`, series sit side by side at each x (at most 7 px apart, less when the x values are close).
 */
export const pointChart = (c: PointChart): string => {
  const items: LegendItem[] = [...c.series.map((s) => ({ name: s.name, color: s.color })), ...(c.legend ?? [])]
  const head = header(c.title, items, WIDTH, c.subtitle)
  const top = head.height + 6
  const ok = ([a, b]: readonly [number, number]) => Number.isFinite(a) && Number.isFinite(b)
  const pts = c.series.map((s) => s.points.filter((q) => ok([q.x, q.y])))
  const lines = c.series.map((s) => (s.line ?? []).filter(ok))
  const xsAll = [...pts.flat().map((q) => q.x), ...lines.flat().map(([a]) => a)]
  const ysAll = [...pts.flat().map((q) => q.y), ...lines.flat().map(([, b]) => b)]
  const x =
    c.categories === undefined
      ? linearScale(...(c.xDomain ?? padded(xsAll)), M.left, WIDTH - M.right)
      : categoryScale(c.categories, M.left, WIDTH - M.right)
  const y = linearScale(...(c.yDomain ?? padded(ysAll)), top + PLOT_H, top)
  const distinctX = [...new Set(xsAll)].map((v) => x.map(v)).sort((a, b) => a - b)
  const gap = Math.min(WIDTH, ...distinctX.slice(1).map((v, i) => v - distinctX[i]!))
  const step = c.dodge === true && c.series.length > 1 ? Math.min(7, (gap * 0.8) / c.series.length) : 0
  const [px0, px1, py0, py1] = [M.left, WIDTH - M.right, top, top + PLOT_H]
  const at = (i: number) => (vx: number, vy: number): readonly [number, number] => [
    Math.min(px1, Math.max(px0, x.map(vx) + (i - (c.series.length - 1) / 2) * step)),
    Math.min(py1, Math.max(py0, y.map(vy))),
  ]
  const body = c.series
    .map((s, i) => {
      const place = at(i)
      const line = lines[i]!
      const path =
        line.length < 2
          ? ''
          : `<path d="${line.map(([a, b], j) => `${j === 0 ? 'M' : 'L'}${place(a, b).map(n1).join(' ')}`).join('')}" fill="none" ` +
            `stroke-width="1.5"/>`
      const ticks = line.map(([a, b]) => {
        const [cx, cy] = place(a, b)
        return `<line class="tick" x1="${n1(cx - 6)}" x2="${n1(cx + 6)}" y1="${n1(cy)}" y2="${n1(cy)}" stroke-width="2.4"/>`
      })
      const dots = pts[i]!.map((q) => {
        const [cx, cy] = place(q.x, q.y)
        return (
          `<circle cx="${n1(cx)}" cy="${n1(cy)}" r="3.5" fill="${q.hollow === true ? 'none' : esc(s.color)}" stroke-width="1.4">` +
          `<title>${esc(q.title ?? `${s.name}: ${fmt(q.x)}, ${fmt(q.y)}`)}</title></circle>`
        )
      })
      return `<g class="series" stroke="${esc(s.color)}">${path}${ticks.join('')}${dots.join('')}</g>`
    })
    .join('')
  const height = top + PLOT_H + M.bottom
  const ground = c.standalone === true ? '<rect width="100%" height="100%" fill="#fff"/>' : ''
  return (
    `${open(c.title, WIDTH, height, ' class="chart point"', c.standalone === true)}${ground}${head.svg}` +
    `${axes(x, y, top, c.xLabel, c.yLabel)}${body}</svg>`
  )
}

/** Grouped bars, one group per label (every label drawn up to 48 groups, rotated when long); marked groups get a ▲. */
export const barChart = (c: BarChart): string => {
  const items: LegendItem[] = [
    ...c.names.map((name, j) => ({ name, color: c.colors[j] ?? '#888' })),
    ...(c.markLabel === undefined ? [] : [{ name: c.markLabel, color: COLORS.text, kind: 'mark' as const }]),
  ]
  const head = header(c.title, items, WIDTH)
  const top = head.height + 8
  const largest = Math.max(0, ...c.groups.flatMap((g) => g.values.filter(Number.isFinite)))
  const y = linearScale(0, largest > 0 ? largest * 1.08 : 1, top + PLOT_H, top)
  const slot = (WIDTH - M.right - M.left) / Math.max(1, c.groups.length)
  const bar = (slot * 0.8) / Math.max(1, c.names.length)
  const every = Math.max(1, Math.ceil(c.groups.length / 48))
  const longest = Math.max(0, ...c.groups.map((g) => [...g.label].length))
  const rotate = longest * 6 > slot * every
  const bars = c.groups
    .map((g, i) => {
      const rects = g.values
        .map((v, j) => {
          const h = Number.isFinite(v) ? y.map(Math.max(0, v)) : top + PLOT_H
          return (
            `<rect x="${n1(M.left + i * slot + slot * 0.1 + j * bar)}" y="${n1(h)}" width="${n1(Math.max(bar, 0.6))}" ` +
            `height="${n1(top + PLOT_H - h)}" fill="${esc(c.colors[j] ?? '#888')}">` +
            `<title>${esc(`${g.label}, ${c.names[j] ?? ''}: ${fmt(v)}`)}</title></rect>`
          )
        })
        .join('')
      const peak = Math.max(0, ...g.values.filter(Number.isFinite))
      const mark =
        g.marked === true
          ? `<text x="${n1(M.left + (i + 0.5) * slot)}" y="${n1(y.map(peak) - 3)}" text-anchor="middle" class="mark" ` +
            `fill="${COLORS.text}">▲<title>${esc(`${g.label}: ${c.markLabel ?? 'marked'}`)}</title></text>`
          : ''
      return rects + mark
    })
    .join('')
  const y0 = top + PLOT_H
  const labels = c.groups
    .map((g, i) => {
      if (i % every !== 0) return ''
      const cx = M.left + (i + 0.5) * slot
      return rotate
        ? `<text transform="translate(${n1(cx + 3)} ${y0 + 10}) rotate(-40)" text-anchor="end" font-size="10">${esc(g.label)}</text>`
        : `<text x="${n1(cx)}" y="${y0 + 14}" text-anchor="middle" font-size="${c.groups.length > 24 ? 8 : 10}">${esc(g.label)}</text>`
    })
    .join('')
  const labelH = rotate ? Math.min(160, longest * 6 * 0.65 + 12) : 18
  const yt = yGrid(y)
  const height = y0 + labelH + 24
  const axis =
    `<g class="axis" fill="${COLORS.muted}">${yt}${labels}` +
    `<line x1="${M.left}" x2="${WIDTH - M.right}" y1="${y0}" y2="${y0}" stroke="${COLORS.axis}"/>` +
    `<line x1="${M.left}" x2="${M.left}" y1="${y0}" y2="${top}" stroke="${COLORS.axis}"/>` +
    `<text x="${n1((M.left + WIDTH - M.right) / 2)}" y="${n1(height - 6)}" text-anchor="middle" ` +
    `fill="${COLORS.text}">${esc(c.xLabel)}</text>` +
    `<text transform="translate(14 ${n1(top + PLOT_H / 2)}) rotate(-90)" text-anchor="middle" ` +
    `fill="${COLORS.text}">${esc(c.yLabel)}</text></g>`
  return `${open(c.title, WIDTH, height, ' class="chart bar"')}${head.svg}${axis}${bars}</svg>`
}

/** Colour levels of the heat map. */
const LEVELS = 48

/**
 * An `n × n` heat map on a log colour scale (rows top to bottom, columns left to right), drawn as one
 * path per colour level so that p = 97 stays small, with every row and column named (or labelled at `ticks`; cells of
 * at least 10 px up to n = 120, labels up to 11 px and at least 9 px apart) and a colour bar with ticks at powers of ten;
 * `data-values` holds the values for a hover readout.
 */
export const heatMap = (c: HeatMap): string => {
  const { n } = c
  const size = Math.min(1200, Math.max(520, n * 10))
  const cell = size / Math.max(1, n)
  const ticks = c.ticks ?? c.names.slice(0, n).map((label, i) => ({ at: i + 0.5, label }))
  const spacing = ticks.length < 2 ? size : Math.min(...ticks.slice(1).map((t, i) => (t.at - ticks[i]!.at) * cell))
  const every = Math.max(1, Math.ceil(9 / spacing))
  const longest = Math.max(0, ...ticks.map((t) => [...t.label].length))
  const font = Math.min(11, Math.max(6, spacing * every * 0.85))
  const [left, top] = [Math.ceil(longest * font * 0.62) + 30, 34]
  const positive: number[] = []
  for (let i = 0; i < n * n; i++) if ((c.values[i] ?? 0) > 0) positive.push(c.values[i]!)
  const hi = positive.length === 0 ? 0 : Math.ceil(Math.log10(Math.max(...positive)) - 1e-9)
  const lo = Math.max(hi - (c.decades ?? 4), positive.length === 0 ? -1 : Math.floor(Math.log10(Math.min(...positive)) + 1e-9))
  const span = hi - lo || 1
  const level = (v: number): number =>
    v <= 0 ? 0 : Math.min(LEVELS - 1, Math.max(0, Math.round(((Math.log10(v) - lo) / span) * (LEVELS - 1))))
  const paths: string[][] = Array.from({ length: LEVELS }, () => [])
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) paths[level(c.values[i * n + j] ?? 0)]!.push(`M${j} ${i}h1v1h-1z`)
  const cells = paths.map((d, k) => (d.length === 0 ? '' : `<path fill="${viridis(k / (LEVELS - 1))}" d="${d.join('')}"/>`)).join('')
  const labels = ticks
    .map((t, i) =>
      i % every !== 0
        ? ''
        : `<text x="${left - 4}" y="${n1(top + t.at * cell + font * 0.35)}" text-anchor="end">${esc(t.label)}</text>` +
          `<text transform="translate(${n1(left + t.at * cell + font * 0.35)} ${top + size + 5}) rotate(-90)" text-anchor="end">` +
          `${esc(t.label)}</text>`,
    )
    .join('')
  const barX = left + size + 22
  const barH = Math.min(size, 320)
  const stops = Array.from(
    { length: 32 },
    (_, k) =>
      `<rect x="${barX}" y="${n1(top + barH - ((k + 1) * barH) / 32)}" width="14" height="${n1(barH / 32 + 0.6)}" ` +
      `fill="${viridis(k / 31)}"/>`,
  ).join('')
  const decades = Array.from({ length: hi - lo + 1 }, (_, k) => lo + k)
  const decadeLabel = decadeLabels(lo, hi)
  const barY = (e: number) => top + barH - ((e - lo) / span) * barH
  const barTicks = decades
    .map(
      (e) =>
        `<line x1="${barX + 14}" x2="${barX + 18}" y1="${n1(barY(e))}" y2="${n1(barY(e))}" stroke="${COLORS.axis}"/>` +
        `<text x="${barX + 21}" y="${n1(barY(e) + 4)}">${esc(decadeLabel(e))}</text>`,
    )
    .join('')
  const w = barX + 70
  const h = top + size + Math.ceil(longest * font * 0.62) + 34
  const data = Array.from({ length: n * n }, (_, i) => Number((c.values[i] ?? 0).toPrecision(3)))
  return (
    `${open(
      c.title,
      w,
      h,
      ` class="chart heat" data-n="${n}" data-left="${left}" data-top="${top}" data-size="${size}"` +
        ` data-names="${esc(JSON.stringify(c.names.slice(0, n)))}" data-values="${esc(JSON.stringify(data))}"`,
    )}` +
    `<text x="${left}" y="${TITLE_Y}" font-size="13" font-weight="bold" fill="${COLORS.text}" class="title">${esc(c.title)}</text>` +
    `<svg x="${left}" y="${top}" width="${size}" height="${size}" viewBox="0 0 ${n} ${n}" preserveAspectRatio="none" ` +
    `shape-rendering="crispEdges">${cells}</svg>` +
    `<g class="axis" font-size="${n1(font)}" fill="${COLORS.muted}">${labels}</g>` +
    `<g class="scale" fill="${COLORS.muted}">${stops}${barTicks}<text x="${barX}" y="${top + barH + 18}">log scale</text></g>` +
    `<text x="${n1(left + size / 2)}" y="${h - 6}" text-anchor="middle" fill="${COLORS.text}">${esc(c.colLabel)}</text>` +
    `<text transform="translate(14 ${n1(top + size / 2)}) rotate(-90)" text-anchor="middle" ` +
    `fill="${COLORS.text}">${esc(c.rowLabel)}</text></svg>`
  )
}

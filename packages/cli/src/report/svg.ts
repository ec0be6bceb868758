// Hand-written SVG charts for the report: line charts (linear or log axis), grouped bar charts and a heat map.
// Each returns an <svg> string; values are in <title> elements (the browser shows them on hover, print keeps the picture).

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** One line of a line chart: its name, colour and points `[x, y]` (non-finite y values are gaps). */
export interface Series {
  readonly name: string
  readonly color: string
  readonly points: ReadonlyArray<readonly [number, number]>
}

export interface LineChart {
  readonly title: string
  readonly series: ReadonlyArray<Series>
  readonly yLabel: string
  readonly log?: boolean
  readonly yDomain?: readonly [number, number]
  /** A dashed vertical rule (the grokking step). */
  readonly rule?: { readonly x: number; readonly label: string } | null
  /** Also draw a movable cursor line (the step slider moves it). */
  readonly cursor?: boolean
}

/** A group of bars at one x position, e.g. the cos and sin norms of frequency k. */
export interface BarGroup {
  readonly label: string
  readonly values: ReadonlyArray<number>
  readonly marked: boolean
}

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

/** Colours of the categorical series (Tableau 10). */
export const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'] as const

const WIDTH = 640
const HEIGHT = 220
const M = { left: 62, right: 150, top: 28, bottom: 40 } as const

// ─────────────────────────────────────────────────────────────────────────────
// utils
// ─────────────────────────────────────────────────────────────────────────────

/** Escapes text for HTML and SVG content and attributes. */
export const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

const n1 = (x: number): string => (Math.round(x * 10) / 10).toString()

/** A number as a tick or tooltip shows it. */
export const fmt = (x: number): string => {
  if (!Number.isFinite(x)) return String(x)
  if (x === 0) return '0'
  const a = Math.abs(x)
  return a >= 1e5 || a < 1e-3 ? x.toExponential(2) : Number(x.toPrecision(4)).toString()
}

/** About `count` round ticks over [lo, hi]. */
const linearTicks = (lo: number, hi: number, count = 5): number[] => {
  const span = hi - lo || 1
  const raw = span / count
  const pow = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? raw
  const ticks: number[] = []
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)))
  return ticks
}

interface Scale {
  readonly map: (v: number) => number
  readonly ticks: ReadonlyArray<number>
}

const linearScale = (lo: number, hi: number, r0: number, r1: number): Scale => {
  const [a, b] = lo === hi ? [lo - 1, hi + 1] : [lo, hi]
  return { map: (v) => r0 + ((v - a) / (b - a)) * (r1 - r0), ticks: linearTicks(a, b) }
}

const logScale = (lo: number, hi: number, r0: number, r1: number): Scale => {
  const [a, b] = [Math.floor(Math.log10(lo)), Math.ceil(Math.log10(hi))]
  const [la, lb] = a === b ? [a - 1, b + 1] : [a, b]
  const every = Math.max(1, Math.ceil((lb - la) / 6))
  const ticks = Array.from({ length: Math.floor((lb - la) / every) + 1 }, (_, i) => 10 ** (la + i * every))
  return { map: (v) => r0 + ((Math.log10(Math.max(v, 10 ** la)) - la) / (lb - la)) * (r1 - r0), ticks }
}

const axes = (x: Scale, y: Scale, xLabel: string, yLabel: string, w: number, h: number, xTickLabel: (v: number) => string = fmt): string => {
  const [x0, x1, y0, y1] = [M.left, w - M.right, h - M.bottom, M.top]
  const xt = x.ticks.map((t) => `<line x1="${n1(x.map(t))}" x2="${n1(x.map(t))}" y1="${y0}" y2="${y0 + 4}"/><text x="${n1(x.map(t))}" y="${y0 + 16}" text-anchor="middle">${esc(xTickLabel(t))}</text>`).join('')
  const yt = y.ticks
    .map((t) => `<line x1="${x0 - 4}" x2="${x1}" y1="${n1(y.map(t))}" y2="${n1(y.map(t))}" class="grid"/><text x="${x0 - 7}" y="${n1(y.map(t) + 4)}" text-anchor="end">${fmt(t)}</text>`)
    .join('')
  return (
    `<g class="axis">${yt}${xt}<line x1="${x0}" x2="${x1}" y1="${y0}" y2="${y0}"/><line x1="${x0}" x2="${x0}" y1="${y0}" y2="${y1}"/>` +
    `<text x="${n1((x0 + x1) / 2)}" y="${h - 6}" text-anchor="middle" class="label">${esc(xLabel)}</text>` +
    `<text transform="translate(14 ${n1((y0 + y1) / 2)}) rotate(-90)" text-anchor="middle" class="label">${esc(yLabel)}</text></g>`
  )
}

const legend = (items: ReadonlyArray<{ name: string; color: string }>, w: number, extra = ''): string =>
  `<g class="legend">${items
    .map((s, i) => `<rect x="${w - M.right + 14}" y="${M.top + i * 17 - 9}" width="12" height="10" fill="${s.color}"/><text x="${w - M.right + 31}" y="${M.top + i * 17}">${esc(s.name)}</text>`)
    .join('')}${extra}</g>`

const open = (title: string, w: number, h: number, attrs = ''): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(title)}"${attrs}><text x="${M.left}" y="16" class="title">${esc(title)}</text>`

// ─────────────────────────────────────────────────────────────────────────────
// charts
// ─────────────────────────────────────────────────────────────────────────────

/** A line chart against the step. The svg carries its x mapping (`data-x0/x1/s0/s1`) for the slider's cursor. */
export const lineChart = (c: LineChart): string => {
  const pts = c.series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y) && (!c.log || y > 0))
  const xs = pts.map(([x]) => x)
  const ys = pts.map(([, y]) => y)
  const [sx0, sx1] = xs.length === 0 ? [0, 1] : [Math.min(...xs), Math.max(...xs)]
  const [y0, y1] = c.yDomain ?? (ys.length === 0 ? [0, 1] : [Math.min(...ys), Math.max(...ys)])
  const x = linearScale(sx0, sx1, M.left, WIDTH - M.right)
  const y = c.log ? logScale(Math.max(y0, 1e-12), Math.max(y1, 1e-12), HEIGHT - M.bottom, M.top) : linearScale(y0, y1, HEIGHT - M.bottom, M.top)
  const lines = c.series
    .map((s) => {
      const ok = s.points.filter(([, v]) => Number.isFinite(v) && (!c.log || v > 0))
      const d = ok.map(([px, py], i) => `${i === 0 ? 'M' : 'L'}${n1(x.map(px))} ${n1(y.map(py))}`).join('')
      const dots = ok.map(([px, py]) => `<circle cx="${n1(x.map(px))}" cy="${n1(y.map(py))}" r="2.2"><title>${esc(s.name)} at step ${px}: ${fmt(py)}</title></circle>`).join('')
      return `<g class="series" stroke="${s.color}" fill="${s.color}"><path d="${d}" fill="none" stroke-width="1.6"/>${dots}</g>`
    })
    .join('')
  const rule =
    c.rule === null || c.rule === undefined
      ? ''
      : `<line x1="${n1(x.map(c.rule.x))}" x2="${n1(x.map(c.rule.x))}" y1="${M.top}" y2="${HEIGHT - M.bottom}" class="rule"><title>${esc(c.rule.label)}</title></line>`
  const cursor = c.cursor === true ? `<line class="cursor" x1="${WIDTH - M.right}" x2="${WIDTH - M.right}" y1="${M.top}" y2="${HEIGHT - M.bottom}"/>` : ''
  const attrs = ` class="chart line" data-x0="${x.map(sx0)}" data-x1="${x.map(sx1)}" data-s0="${sx0}" data-s1="${sx1}"`
  return `${open(c.title, WIDTH, HEIGHT, attrs)}${axes(x, y, 'step', c.yLabel + (c.log ? ' (log)' : ''), WIDTH, HEIGHT)}${rule}${lines}${cursor}${legend(c.series, WIDTH)}</svg>`
}

/** Grouped bars, one group per label; marked groups get a ▲ above them. */
export const barChart = (c: BarChart): string => {
  const largest = Math.max(0, ...c.groups.flatMap((g) => g.values.filter(Number.isFinite)))
  const y = linearScale(0, largest > 0 ? largest * 1.08 : 1, HEIGHT - M.bottom, M.top)
  const x0 = M.left
  const slot = (WIDTH - M.right - M.left) / Math.max(1, c.groups.length)
  const bar = (slot * 0.8) / Math.max(1, c.names.length)
  const every = Math.max(1, Math.ceil(c.groups.length / 24))
  const ticks: Scale = { map: (i) => x0 + (i + 0.5) * slot, ticks: c.groups.map((_, i) => i).filter((i) => i % every === 0) }
  const bars = c.groups
    .map((g, i) => {
      const rects = g.values
        .map((v, j) => {
          const top = y.map(v)
          return `<rect x="${n1(x0 + i * slot + slot * 0.1 + j * bar)}" y="${n1(top)}" width="${n1(Math.max(bar, 0.6))}" height="${n1(HEIGHT - M.bottom - top)}" fill="${c.colors[j] ?? '#888'}"><title>${esc(`${g.label}, ${c.names[j] ?? ''}: ${fmt(v)}`)}</title></rect>`
        })
        .join('')
      const mark = g.marked ? `<text x="${n1(x0 + (i + 0.5) * slot)}" y="${n1(y.map(Math.max(...g.values)) - 3)}" text-anchor="middle" class="mark">▲<title>${esc(`${g.label}: ${c.markLabel ?? 'marked'}`)}</title></text>` : ''
      return rects + mark
    })
    .join('')
  const items = c.names.map((name, j) => ({ name, color: c.colors[j] ?? '#888' }))
  const markLegend = c.markLabel === undefined ? '' : `<text x="${WIDTH - M.right + 14}" y="${M.top + items.length * 17}" class="mark">▲</text><text x="${WIDTH - M.right + 31}" y="${M.top + items.length * 17}">${esc(c.markLabel)}</text>`
  return `${open(c.title, WIDTH, HEIGHT, ' class="chart bar"')}${axes(ticks, y, c.xLabel, c.yLabel, WIDTH, HEIGHT, (i) => c.groups[i]?.label ?? '')}${bars}${legend(items, WIDTH, markLegend)}</svg>`
}

/** Five-stop viridis, interpolated: t in [0, 1] to a colour. */
const viridis = (t: number): string => {
  const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]] as const
  const u = Math.min(1, Math.max(0, t)) * (stops.length - 1)
  const i = Math.min(stops.length - 2, Math.floor(u))
  const f = u - i
  const c = stops[i]!.map((a, k) => Math.round(a + (stops[i + 1]![k]! - a) * f))
  return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`
}

/** Colour levels of the heat map. */
const LEVELS = 48

/**
 * A `n × n` heat map on a log colour scale (rows top to bottom, columns left to right), drawn as
 * one path per colour level so that p = 97 stays small; `data-values` holds the values for the hover readout.
 */
export const heatMap = (title: string, names: ReadonlyArray<string>, values: Float64Array, n: number, rowLabel: string, colLabel: string): string => {
  const size = 520
  const [left, top] = [70, 30]
  const positive = Array.from(values).filter((v) => v > 0)
  const hi = positive.length === 0 ? 1 : Math.log10(Math.max(...positive))
  const lo = Math.max(hi - 4, positive.length === 0 ? 0 : Math.log10(Math.min(...positive)))
  const level = (v: number): number => (v <= 0 ? 0 : Math.min(LEVELS - 1, Math.max(0, Math.round(((Math.log10(v) - lo) / (hi - lo || 1)) * (LEVELS - 1)))))
  const paths: string[][] = Array.from({ length: LEVELS }, () => [])
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) paths[level(values[i * n + j]!)]!.push(`M${j} ${i}h1v1h-1z`)
  const cells = paths.map((d, k) => (d.length === 0 ? '' : `<path fill="${viridis(k / (LEVELS - 1))}" d="${d.join('')}"/>`)).join('')
  const every = Math.max(1, Math.ceil(n / 16))
  const cell = size / n
  const labels = names
    .map((name, i) =>
      i % every === 0
        ? `<text x="${left - 4}" y="${n1(top + (i + 0.7) * cell)}" text-anchor="end">${esc(name)}</text><text transform="translate(${n1(left + (i + 0.7) * cell)} ${top + size + 6}) rotate(60)">${esc(name)}</text>`
        : '',
    )
    .join('')
  const bar = Array.from({ length: 11 }, (_, k) => `<rect x="${left + size + 20}" y="${n1(top + size - (k + 1) * (size / 11))}" width="14" height="${n1(size / 11 + 0.5)}" fill="${viridis(k / 10)}"/>`).join('')
  const barTicks = [0, 0.5, 1].map((f) => `<text x="${left + size + 38}" y="${n1(top + size - f * size + 4)}">${fmt(10 ** (lo + f * (hi - lo)))}</text>`).join('')
  const w = left + size + 110
  const h = top + size + 70
  const data = Array.from(values, (v) => Number(v.toPrecision(3)))
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(title)}" class="chart heat" data-n="${n}" data-left="${left}" data-top="${top}" data-size="${size}" data-names="${esc(JSON.stringify(names))}" data-values="${esc(JSON.stringify(data))}">` +
    `<text x="${left}" y="16" class="title">${esc(title)}</text>` +
    `<svg x="${left}" y="${top}" width="${size}" height="${size}" viewBox="0 0 ${n} ${n}" preserveAspectRatio="none" shape-rendering="crispEdges">${cells}</svg>` +
    `<g class="axis">${labels}<text x="${left + size / 2}" y="${h - 4}" text-anchor="middle" class="label">${esc(colLabel)}</text><text transform="translate(12 ${top + size / 2}) rotate(-90)" text-anchor="middle" class="label">${esc(rowLabel)}</text>${bar}${barTicks}</g></svg>`
  )
}

/**
 * The page's figures as SVG text: line charts against the step (linear or log
 * axis), a grouped bar chart of a spectrum, and a heat map. Pure string builders:
 * the page puts them into the DOM, the tests read them in Node.
 *
 * @example
 * import { lineChart } from './Charts.js'
 * lineChart({ title: 'accuracy', series: [{ name: 'test', color: '#d62728', points: [[100, 0.1], [200, 0.5]] }] })
 * // '<svg …><path d="M…" …/>…</svg>'
 *
 * @since 0.1.0
 */

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** A named line: `[x, y]` points in order of `x`. */
export interface Series {
  readonly name: string
  readonly color: string
  readonly points: ReadonlyArray<readonly [number, number]>
}

export interface LineChartSpec {
  readonly title: string
  readonly series: ReadonlyArray<Series>
  /** A log10 y axis (points with y ≤ 0 are left out). */
  readonly logY?: boolean
  /** A fixed y range (else the data's). */
  readonly yDomain?: readonly [number, number]
  /** A dashed vertical line (the grokking step). */
  readonly marker?: number | null
}

export interface BarGroup {
  readonly name: string
  readonly color: string
  readonly values: ReadonlyArray<number>
}

// ─────────────────────────────────────────────────────────────────────────────
// utils
// ─────────────────────────────────────────────────────────────────────────────

const W = 460
const H = 220
const M = { left: 52, right: 12, top: 36, bottom: 30 }

/** Text safe inside SVG markup. */
export const escapeXml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

const fmt = (x: number): string => (x === 0 ? '0' : Math.abs(x) >= 1e4 || Math.abs(x) < 1e-2 ? x.toExponential(0) : String(Number(x.toPrecision(3))))

const svg = (title: string, body: string, width = W, height = H): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(title)}">` +
  `<text x="${M.left}" y="15" font-size="13" font-weight="600">${escapeXml(title)}</text>${body}</svg>`

/** A linear scale from `[d0, d1]` onto `[r0, r1]` (a degenerate domain maps to the middle). */
const scale = (d0: number, d1: number, r0: number, r1: number) => (x: number) => (d1 === d0 ? (r0 + r1) / 2 : r0 + ((x - d0) / (d1 - d0)) * (r1 - r0))

/** The series' colours and names in a row under the title. */
const legend = (items: ReadonlyArray<{ name: string; color: string }>): string =>
  items
    .map((s, i) => {
      const x = M.left + i * 84
      return `<rect x="${x}" y="20" width="10" height="10" fill="${s.color}"/><text x="${x + 14}" y="29" font-size="11">${escapeXml(s.name)}</text>`
    })
    .join('')

// ─────────────────────────────────────────────────────────────────────────────
// charts
// ─────────────────────────────────────────────────────────────────────────────

/** Lines against the step. */
export const lineChart = (spec: LineChartSpec): string => {
  const ty = spec.logY === true ? Math.log10 : (y: number) => y
  const pts = spec.series.map((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (spec.logY !== true || y > 0)))
  const all = pts.flat()
  if (all.length === 0) return svg(spec.title, legend(spec.series))
  const xs = all.map(([x]) => x)
  const ys = all.map(([, y]) => ty(y))
  const [y0, y1] = spec.yDomain !== undefined ? [ty(spec.yDomain[0]), ty(spec.yDomain[1])] : [Math.min(...ys), Math.max(...ys)]
  const x0 = Math.min(0, ...xs)
  const x1 = Math.max(...xs)
  const sx = scale(x0, x1, M.left, W - M.right)
  const sy = scale(y0, y1, H - M.bottom, M.top)
  const ticks = [0, 0.5, 1].map((f) => y0 + f * (y1 - y0))
  const axes =
    `<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="#888"/>` +
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="#888"/>` +
    ticks.map((v) => `<text x="${M.left - 4}" y="${sy(v) + 4}" font-size="10" text-anchor="end">${fmt(spec.logY === true ? 10 ** v : v)}</text>`).join('') +
    `<text x="${M.left}" y="${H - 12}" font-size="10">${fmt(x0)}</text>` +
    `<text x="${W - M.right}" y="${H - 12}" font-size="10" text-anchor="end">${fmt(x1)}</text>` +
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 4}" font-size="10" text-anchor="middle">step</text>`
  const marker =
    spec.marker !== undefined && spec.marker !== null
      ? `<line class="marker" x1="${sx(spec.marker)}" y1="${M.top}" x2="${sx(spec.marker)}" y2="${H - M.bottom}" stroke="#555" stroke-dasharray="4 3"/>`
      : ''
  const lines = pts
    .map((p, i) =>
      p.length === 0
        ? ''
        : `<path d="${p.map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(ty(y)).toFixed(1)}`).join('')}" fill="none" stroke="${spec.series[i]!.color}" stroke-width="1.6"/>`,
    )
    .join('')
  return svg(spec.title, axes + marker + lines + legend(spec.series))
}

/** Bars per index `k = 1..K`, one bar per group side by side. */
export const barChart = (title: string, groups: ReadonlyArray<BarGroup>): string => {
  const n = Math.max(0, ...groups.map((g) => g.values.length))
  const max = Math.max(0, ...groups.flatMap((g) => g.values.filter(Number.isFinite)))
  const sy = scale(0, max, H - M.bottom, M.top)
  const slot = (W - M.left - M.right) / Math.max(n, 1)
  const bar = (slot * 0.8) / Math.max(groups.length, 1)
  const bars = groups
    .flatMap((g, gi) =>
      g.values.map((v, k) => {
        const y = Number.isFinite(v) ? sy(v) : H - M.bottom
        return `<rect x="${(M.left + k * slot + slot * 0.1 + gi * bar).toFixed(1)}" y="${y.toFixed(1)}" width="${bar.toFixed(1)}" height="${(H - M.bottom - y).toFixed(1)}" fill="${g.color}"><title>${escapeXml(`${g.name} ${k + 1}: ${fmt(v)}`)}</title></rect>`
      }),
    )
    .join('')
  const labels = Array.from({ length: n }, (_, k) =>
    n <= 30 || (k + 1) % 5 === 0 ? `<text x="${(M.left + (k + 0.5) * slot).toFixed(1)}" y="${H - 16}" font-size="9" text-anchor="middle">${k + 1}</text>` : '',
  ).join('')
  const axes =
    `<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="#888"/>` +
    `<text x="${M.left - 4}" y="${M.top + 4}" font-size="10" text-anchor="end">${fmt(max)}</text>` +
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 4}" font-size="10" text-anchor="middle">frequency k</text>`
  return svg(title, axes + bars + labels + legend(groups))
}

/** A `rows × cols` heat map of non-negative values (white 0 to dark blue at the maximum), with row and column names. */
export const heatMap = (title: string, values: ArrayLike<number>, rows: number, cols: number, names: ReadonlyArray<string>): string => {
  const size = 400
  const cell = size / Math.max(rows, cols)
  let max = 0
  for (let i = 0; i < rows * cols; i++) max = Math.max(max, values[i] ?? 0)
  const left = 50
  const top = 24
  const cells: string[] = []
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = values[i * cols + j] ?? 0
      const f = max > 0 ? Math.sqrt(v / max) : 0
      const c = (k: number) => Math.round(255 - f * (255 - k))
      cells.push(
        `<rect x="${(left + j * cell).toFixed(2)}" y="${(top + i * cell).toFixed(2)}" width="${cell.toFixed(2)}" height="${cell.toFixed(2)}" fill="rgb(${c(8)},${c(48)},${c(107)})"><title>${escapeXml(`${names[i] ?? i} × ${names[j] ?? j}: ${fmt(v)}`)}</title></rect>`,
      )
    }
  }
  const every = Math.ceil(rows / 12)
  const labels = names
    .map((n, i) => (i % every === 0 ? `<text x="${left - 3}" y="${(top + (i + 0.7) * cell).toFixed(1)}" font-size="8" text-anchor="end">${escapeXml(n)}</text>` : ''))
    .join('')
  return svg(title, cells.join('') + labels, left + size + 10, top + size + 10)
}

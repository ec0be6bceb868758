/**
 * The report's weights-history section: a slider over the steps a run saved (`train --save-every`)
 * that shows, for the chosen step, the spectrum of W_E, the key frequencies with the restricted and
 * full loss, FFD/FCR and the accuracy then. Everything is computed when the report is written and
 * embedded as JSON; the page's script only redraws the bars and the readout.
 *
 * @example
 * import { historySection } from '@grokscope/report'
 * historySection([]) // => ''
 *
 * @since 0.2.0
 */
import { type LogitMeasures, type ModelTask, fourierMeasures, logitMeasures } from '@grokscope/analysis'
import type { MatrixMeasures } from '@grokscope/measures'
import type { HostParams, ModelConfig } from '@grokscope/model'
import type { MetricsRecord } from '@grokscope/runs'
import { COLORS, esc, fmt, linearTicks, seriesColor } from '@grokscope/charts'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** One saved step of a run, analysed (`historyPoint`). */
export interface HistoryPoint {
  readonly step: number
  /** The evaluation recorded at this step, if there is one. */
  readonly record: MetricsRecord | null
  readonly W_E: MatrixMeasures
  readonly W_L: MatrixMeasures
  /** Per operation: key frequencies, restricted and full loss (`null`: labels unknown). */
  readonly logits: ReadonlyArray<{ readonly op: string; readonly measures: LogitMeasures | null }>
}

/** The readout's columns. */
const HEAD = ['step', 'train acc', 'test acc', 'FFD(W_E)', 'FCR(W_E)', 'FFD(W_L)', 'FCR(W_L)', 'key frequencies', 'restricted / full loss']

// Where the bars go in the spectrum's SVG (its viewBox).
const W = 720
const H = 240
const M = { left: 64, right: 18, top: 30, bottom: 42 } as const
const FONT = 'font-family="DejaVu Sans, Verdana, sans-serif" font-size="11"'

// ─────────────────────────────────────────────────────────────────────────────
// constructors
// ─────────────────────────────────────────────────────────────────────────────

/**
 * What the history slider shows of one saved step, computed from its weights: the Fourier
 * measures of W_E and W_L, each operation's key frequencies with its restricted and full loss
 * over all p² pairs, and the evaluation recorded at that step (if one was).
 */
export const historyPoint = (
  step: number,
  model: { readonly config: ModelConfig; readonly host: HostParams; readonly task: ModelTask },
  records: ReadonlyArray<MetricsRecord>,
  eta: number,
): HistoryPoint => {
  const { p, ops, seed } = model.task
  return {
    step,
    record: records.find((r) => r.step === step) ?? null,
    ...fourierMeasures(model.config, model.host, p, eta),
    logits: ops.map((op, i) => ({ op: op.id, measures: logitMeasures(model.config, model.host, p, i, op, seed) })),
  }
}

// ─────────────────────────────────────────────────────────────────────────────
// section
// ─────────────────────────────────────────────────────────────────────────────

const norms = (m: MatrixMeasures): number[] =>
  Array.from(m.spectrum.cos, (c, i) => Number(Math.hypot(c, m.spectrum.sin[i]!).toPrecision(4)))

const cells = (h: HistoryPoint): string[] => {
  const r = h.record
  const perOp = (f: (m: LogitMeasures) => string) =>
    h.logits.map((l) => `${h.logits.length > 1 ? `${l.op}: ` : ''}${l.measures === null ? '—' : f(l.measures)}`).join('; ')
  return [
    String(h.step),
    r === null ? '—' : fmt(r.train_acc),
    r === null ? '—' : fmt(r.test_acc),
    fmt(h.W_E.ffd),
    fmt(h.W_E.fcr),
    fmt(h.W_L.ffd),
    fmt(h.W_L.fcr),
    perOp((m) => m.key.join(', ') || 'none'),
    perOp((m) => `${m.restricted_loss.toExponential(2)} / ${m.full_loss.toExponential(2)}`),
  ].map(esc)
}

const SCRIPT = `
(function(){var d=JSON.parse(document.getElementById('history-data').textContent);var s=document.getElementById('history-step');
  var bars=document.querySelectorAll('#history-spectrum rect.bar');
  var show=function(){var h=d.steps[+s.value];document.getElementById('history-step-value').textContent=h.step;
    bars.forEach(function(b,i){var v=h.norms[i]||0;var y=d.top+d.height*(1-v/d.max);b.setAttribute('y',y);b.setAttribute('height',d.top+d.height-y);
      b.setAttribute('fill',h.key.indexOf(i+1)>=0?d.keyColor:d.color);b.querySelector('title').textContent='k = '+(i+1)+': '+v;});
    document.getElementById('history-readout').innerHTML=h.cells.map(function(c){return '<td>'+c+'</td>';}).join('');};
  s.addEventListener('input',show);show();})();
`

/**
 * The weights-history section of a run's report: `<input type="range" data-testid="history-slider">`
 * over the saved steps, the W_E spectrum (key frequencies marked) and a readout of the step's measures.
 * Empty without saved steps.
 */
export const historySection = (points: ReadonlyArray<HistoryPoint>): string => {
  if (points.length === 0) return ''
  const steps = points.map((h) => ({
    step: h.step,
    norms: norms(h.W_E),
    key: [...new Set(h.logits.flatMap((l) => l.measures?.key ?? []))],
    cells: cells(h),
  }))
  const K = steps[0]!.norms.length
  const max = Math.max(1e-12, ...steps.flatMap((s) => s.norms))
  const height = H - M.top - M.bottom
  const bw = (W - M.left - M.right) / Math.max(K, 1)
  const yTicks = linearTicks(0, max, 4).filter((t) => t <= max * 1.0001)
  const top = Math.max(max, yTicks.at(-1) ?? max)
  const data = { steps, max: top, top: M.top, height, color: seriesColor(0), keyColor: COLORS.key }
  const yOf = (v: number) => M.top + height * (1 - v / top)
  const bars = Array.from(
    { length: K },
    (_, i) =>
      `<rect class="bar" x="${(M.left + i * bw + bw * 0.1).toFixed(1)}" y="${M.top + height}" width="${(bw * 0.8).toFixed(1)}" ` +
      `height="0" fill="${seriesColor(0)}"><title>k = ${i + 1}</title></rect>`,
  ).join('')
  const xTicks = Array.from({ length: K }, (_, i) => i + 1)
    .filter((k) => K <= 24 || k === 1 || k % 5 === 0)
    .map((k) => `<text x="${(M.left + (k - 0.5) * bw).toFixed(1)}" y="${M.top + height + 16}" text-anchor="middle">${k}</text>`)
    .join('')
  const grid = yTicks
    .map(
      (t) =>
        `<line x1="${M.left - 4}" x2="${W - M.right}" y1="${yOf(t).toFixed(1)}" y2="${yOf(t).toFixed(1)}" stroke="${COLORS.grid}"/>` +
        `<text x="${M.left - 7}" y="${(yOf(t) + 4).toFixed(1)}" text-anchor="end">${esc(fmt(t))}</text>`,
    )
    .join('')
  const legend =
    `<rect x="${M.left}" y="${M.top - 18}" width="14" height="8" fill="${seriesColor(0)}"/>` +
    `<text x="${M.left + 19}" y="${M.top - 10}" fill="${COLORS.text}">frequency</text>` +
    `<rect x="${M.left + 110}" y="${M.top - 18}" width="14" height="8" fill="${COLORS.key}"/>` +
    `<text x="${M.left + 129}" y="${M.top - 10}" fill="${COLORS.text}">key frequency at that step</text>`
  const axes =
    `<g class="axis" fill="${COLORS.muted}">${grid}${xTicks}` +
    `<line x1="${M.left}" y1="${M.top + height}" x2="${W - M.right}" y2="${M.top + height}" stroke="${COLORS.axis}"/>` +
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + height}" stroke="${COLORS.axis}"/>` +
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 6}" text-anchor="middle" fill="${COLORS.text}">frequency k</text>` +
    `<text transform="translate(14 ${(M.top + height / 2).toFixed(1)}) rotate(-90)" text-anchor="middle" fill="${COLORS.text}">` +
    `norm √(μ_k² + ν_k²)</text></g>`
  const svg =
    `<svg id="history-spectrum" class="chart" viewBox="0 0 ${W} ${H}" width="100%" ${FONT} ` +
    `xmlns="http://www.w3.org/2000/svg" role="img" aria-label="W_E spectrum at the chosen step">${legend}${axes}${bars}</svg>`
  const last = points.at(-1)!.step
  return (
    `<h2>Weights history</h2><p>The weights saved during training (${points.length} steps, <code>--save-every</code>), ` +
    `each analysed when this report was written: move the slider to see the spectrum of W_E[0:p] (norm of the cos k and sin k ` +
    `components, one scale for every step) and the key frequencies form.</p>` +
    `<div data-testid="table-history"><label>saved step <b id="history-step-value">${last}</b> ` +
    `<input id="history-step" data-testid="history-slider" type="range" min="0" max="${points.length - 1}" value="${points.length - 1}" ` +
    `aria-label="saved step" style="width:60%;vertical-align:middle"></label>` +
    `<table><thead><tr>${HEAD.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody><tr id="history-readout"></tr></tbody></table>` +
    `</div>` +
    `<figure data-testid="fig-history-spectrum">${svg}` +
    `<figcaption>Spectrum of W_E[0:p] at the chosen saved step: the norm of the cos k and sin k components of each ` +
    `frequency, one scale for every step; the key frequencies of the logits at that step dark.</figcaption>` +
    `</figure>` +
    `<script type="application/json" id="history-data">${JSON.stringify(data).replace(/</g, '\\u003c')}</script><script>${SCRIPT}</script>`
  )
}

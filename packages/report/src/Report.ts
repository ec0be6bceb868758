/**
 * The report page: one self-contained HTML document (styles, script and data inline, no URL
 * outside it), for a run (curves, spectra, logits map, neurons, loss decomposition, weights
 * history) or a folder of runs (results table, overlaid curves). Pure: the caller reads the
 * run's documents and analyses its weights.
 *
 * @example
 * import { runReportHtml } from '@grokscope/report'
 * const html = runReportHtml({
 *   title: 'add mod 31',
 *   facts: [['task', 'add mod 31']],
 *   records: [],
 *   grokStep: null,
 *   analysis: null,
 *   eta: 0.5,
 * })
 * html.startsWith('<!DOCTYPE html>') // => true
 *
 * @since 0.2.0
 */
import type { ModelAnalysis } from '@grokscope/analysis'
import { type KeyFrequencyAnalysis, describeKeyRule, fourierBasis, keyWarning } from '@grokscope/measures'
import {
  COLORS,
  PHASES,
  accuracySeries,
  barChart,
  esc,
  fmt,
  fourierSeries,
  heatMap,
  identityColors,
  legend,
  lineChart,
  lossSeries,
  pointChart,
  relativeHref,
  seriesColor,
  stepDomain,
  stepSeries,
} from '@grokscope/charts'
import { type MetricsRecord, STABILITY_RULE, labelOf, runStability, stabilityText } from '@grokscope/runs'
import { phaseBands } from './Curves.js'
import { ffdFcrPlane } from './Results.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** What a run's report shows. */
export interface RunReport {
  readonly title: string
  /** Key facts (task, model, optimiser, outcome), label and value. */
  readonly facts: ReadonlyArray<readonly [string, string]>
  readonly records: ReadonlyArray<MetricsRecord>
  readonly grokStep: number | null
  /** The analysis of the final weights; null when there are none. */
  readonly analysis: ModelAnalysis | null
  readonly eta: number
  /** The weights-history section (`historySection`), shown after the curves; absent: none. */
  readonly history?: string
}

/** One run of a folder's report. */
export interface SweepRun {
  readonly name: string
  /** Its operation (the operations' ids joined by `+`, as in results.csv): with `p` and `transfer`, what its colour follows. */
  readonly operation: string
  /** Its transfer variant (`scratch`, or what was loaded and frozen), as in results.csv. */
  readonly transfer: string
  /** The run's report, a `/`-separated path relative to the folder's report (made a safe `./` link); null for a planned run not started. */
  readonly href: string | null
  readonly ops: string
  readonly p: number
  readonly frac: number
  readonly seed: number
  /** The optimiser's learning rate and weight decay; null for a planned run not started. */
  readonly lr: number | null
  readonly wd: number | null
  readonly records: ReadonlyArray<MetricsRecord>
  readonly grokStep: number | null
  /** finished, interrupted, failed, incomplete (running, or killed) or not started. */
  readonly status: string
}

// ─────────────────────────────────────────────────────────────────────────────
// page
// ─────────────────────────────────────────────────────────────────────────────

const STYLE = `
body{font:14px/1.45 "DejaVu Sans",Verdana,sans-serif;color:#222;margin:0 auto;max-width:1000px;padding:16px 24px}
h1{font-size:22px;margin:8px 0}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:3px}
table{border-collapse:collapse;margin:6px 0 12px}.wide{overflow-x:auto;max-width:100%}.wide table{font-size:12.5px}.wide th,.wide td{padding:2px 5px}.wide th{white-space:normal;vertical-align:bottom}.wide td:first-child{white-space:normal;word-break:break-all;min-width:9em;max-width:16em}th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left;white-space:nowrap}
figure{margin:10px 0 18px;break-inside:avoid}figcaption{color:#555;font-size:12.5px;max-width:640px}
svg.chart{display:block;height:auto;max-width:720px}svg.heat{max-width:100%}svg.line circle{stroke:none}svg .series circle{opacity:.75}
.facts td{text-align:left}.controls{position:sticky;top:0;background:rgba(255,255,255,.94);padding:2px 0;border-bottom:1px solid #eee;z-index:1;font-size:12px;line-height:1.3}
.controls label{white-space:nowrap}.controls input{width:40%;vertical-align:middle;margin:0 6px}#readout{color:#444}#readout b{color:#222;font-weight:normal}
.curves figure{scroll-margin-top:44px}.unstable{color:#b00}p.unstable-banner{border-left:4px solid #b00;padding:4px 10px;background:#fff5f5}#tip{position:fixed;pointer-events:none;background:#222;color:#fff;padding:2px 6px;border-radius:3px;font-size:12px;display:none}
.muted{color:#777}
@media print{.controls,#tip{display:none}body{max-width:none;padding:0}h2{break-after:avoid}svg .cursor{display:none}a{color:inherit;text-decoration:none}}
`

/**
 * The page's script: the step slider (moves a cursor over every curve and shows the values at that step) and the heat
 * map's hover readout.
 */
const SCRIPT = `
(function(){
  var el=document.getElementById('metrics');var slider=document.getElementById('step');
  if(el&&slider){var rows=JSON.parse(el.textContent);var out=document.getElementById('readout');
    var head=JSON.parse(out.dataset.head);
    var show=function(){var r=rows[+slider.value];document.getElementById('step-value').textContent=r.step;
      document.querySelectorAll('svg.line').forEach(function(s){var x0=+s.dataset.x0,x1=+s.dataset.x1,s0=+s.dataset.s0,s1=+s.dataset.s1;
        var x=s1===s0?x0:x0+(r.step-s0)/(s1-s0)*(x1-x0);var c=s.querySelector('.cursor');if(c){c.setAttribute('x1',x);c.setAttribute('x2',x);}});
      out.innerHTML=r.cells.map(function(c,i){return head[i]+' <b>'+c+'</b>';}).join(' · ');};
    slider.addEventListener('input',show);show();}
  var tip=document.getElementById('tip');
  document.querySelectorAll('svg.heat').forEach(function(s){var n=+s.dataset.n,l=+s.dataset.left,t=+s.dataset.top,z=+s.dataset.size;
    var v=JSON.parse(s.dataset.values),names=JSON.parse(s.dataset.names);
    s.addEventListener('mousemove',function(e){var p=new DOMPoint(e.clientX,e.clientY).matrixTransform(s.getScreenCTM().inverse());
      var j=Math.floor((p.x-l)/z*n),i=Math.floor((p.y-t)/z*n);
      if(i<0||j<0||i>=n||j>=n){tip.style.display='none';return;}
      tip.textContent=names[i]+' (a) × '+names[j]+' (b): '+v[i*n+j];tip.style.display='block';tip.style.left=(e.clientX+12)+'px';tip.style.top=(e.clientY+12)+'px';});
    s.addEventListener('mouseleave',function(){tip.style.display='none';});});
})();
`

/** JSON safe inside a <script> element. */
const scriptJson = (u: unknown): string => JSON.stringify(u).replace(/</g, '\\u003c')

const page = (title: string, body: string, data: string): string =>
  `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
  `<title>${esc(title)}</title><style>${STYLE}</style></head>` +
  `<body>${body}<div id="tip"></div>${data}<script>${SCRIPT}</script></body></html>\n`

const figure = (id: string, svg: string, caption: string): string =>
  `<figure data-testid="${esc(id)}">${svg}<figcaption>${caption}</figcaption></figure>`

const tableHtml = (head: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>, attrs = ''): string =>
  `<table${attrs}><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead>` +
  `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`

const slug = (s: string): string => s.replace(/[^A-Za-z0-9_-]+/g, '_')


// ─────────────────────────────────────────────────────────────────────────────
// curves
// ─────────────────────────────────────────────────────────────────────────────

/**
 * The curve figures of a run: those whose values were recorded, on one step axis from 0, with the phases shaded (their
 * legend once, above).
 */
const curveFigures = (records: ReadonlyArray<MetricsRecord>, grokStep: number | null, slider: boolean): string => {
  const rule = grokStep === null ? null : { x: grokStep, label: `grokked at step ${grokStep}` }
  const xDomain = stepDomain([...records.map((r) => r.step), grokStep ?? 0])
  const bands = phaseBands(records).map((b) => ({ label: b.phase, color: PHASES[b.phase], from: b.from, to: b.to }))
  const cursor = slider ? (records.at(-1)?.step ?? null) : null
  const common = { rule, cursor, xDomain, bands, dots: true }
  const measured = records.filter((r) => r.logits !== undefined)
  const ops = [...new Set(measured.flatMap((r) => Object.keys(r.logits ?? {})))]
  const phaseLegend = [
    ...bands.map((b) => ({ name: b.label, color: b.color, kind: 'band' as const })),
    ...(rule === null ? [] : [{ name: rule.label, color: COLORS.rule, kind: 'rule' as const }]),
  ]
  const figs = [
    ...(phaseLegend.length === 0 ? [] : [`<div class="phase-legend" data-testid="phase-legend">${legend(phaseLegend)}</div>`]),
    figure(
      'fig-accuracy',
      lineChart({ title: 'Accuracy', yLabel: 'accuracy', yDomain: [0, 1], ...common, series: accuracySeries(records) }),
      `Training and test accuracy; ${
        rule === null ? 'the run has not grokked (test accuracy never ≥ 0.99)' : 'the dashed line is the grokking step (test accuracy first ≥ 0.99)'
      }${
        bands.length === 0
          ? ''
          : '; the shaded bands are the phases (memorisation, circuit formation, cleanup) of a run that grokked (docs/SCIENCE.md)'
      }.`,
    ),
    figure(
      'fig-loss',
      lineChart({ title: 'Loss', yLabel: 'cross-entropy (log)', log: true, ...common, series: lossSeries(records) }),
      'Cross-entropy on a log axis.',
    ),
    figure(
      'fig-fourier-additive',
      lineChart({
        title: 'FFD and FCR, additive Fourier basis',
        yLabel: 'FFD / FCR',
        yDomain: [0, 1],
        ...common,
        series: fourierSeries(records),
      }),
      'Fourier Frequency Density (FFD, called FFS in the arXiv v2; ' +
        'η = 0.5) and Fourier Coefficient Ratio of the embedding W_E and the neuron-logit map W_L.',
    ),
  ]
  if (records.some((r) => r.W_E.ffd_mult !== undefined)) {
    figs.push(
      figure(
        'fig-fourier-multiplicative',
        lineChart({
          title: 'FFD and FCR, multiplicative Fourier basis',
          yLabel: 'FFD / FCR',
          yDomain: [0, 1],
          ...common,
          series: fourierSeries(records, 'multiplicative'),
        }),
        'The same measures in the Fourier basis of the integers mod p − 1 over the rows W[gⁱ], ' +
          'reordered by discrete logarithm (g a generator of the multiplicative group mod p), where multiplication is sparse.',
      ),
    )
  }
  if (records.some((r) => r.weight_norm !== undefined)) {
    figs.push(
      figure(
        'fig-weight-norm',
        lineChart({
          title: 'Weight norm',
          yLabel: '‖θ‖₂',
          ...common,
          series: [stepSeries('total', seriesColor(2), records, (r) => r.weight_norm)],
        }),
        'The L2 norm of all weights, which weight decay pulls down after memorisation.',
      ),
    )
  }
  if (ops.length > 0) {
    const lines = ops.flatMap((op, i) => [
      stepSeries(`restricted (${op})`, seriesColor(2 + 2 * i), measured, (r) => r.logits?.[op]?.restricted_loss),
      stepSeries(`full (${op})`, seriesColor(3 + 2 * i), measured, (r) => r.logits?.[op]?.full_loss),
    ])
    figs.push(
      figure(
        'fig-restricted-loss',
        lineChart({ title: 'Restricted and full loss (all p² pairs)', yLabel: 'loss (log)', log: true, ...common, series: lines }),
        'Measured at the --measure-every steps: the loss with the logits restricted to the key frequencies (and the constant), ' +
          'and the full loss.',
      ),
    )
  }
  return figs.join('')
}

/** The slider over the evaluations and its readout of the values at the chosen step. */
const slider = (records: ReadonlyArray<MetricsRecord>): { readonly html: string; readonly data: string } => {
  const head = ['train acc', 'test acc', 'train loss', 'test loss', 'FFD(W_E)', 'FCR(W_E)', 'FFD(W_L)', 'FCR(W_L)', 'weight norm']
  const rows = records.map((r) => ({
    step: r.step,
    cells: [
      r.train_acc,
      r.test_acc,
      r.train_loss,
      r.test_loss,
      r.W_E.ffd,
      r.W_E.fcr,
      r.W_L.ffd,
      r.W_L.fcr,
      r.weight_norm ?? NaN,
    ].map((v) => esc(fmt(v))),
  }))
  const html =
    `<div class="controls" data-testid="step-slider"><label>step <b id="step-value">${records.at(-1)?.step ?? ''}</b>` +
    `<input id="step" type="range" min="0" max="${records.length - 1}" value="${records.length - 1}" aria-label="step"></label>` +
    `<br><span id="readout" data-head="${esc(JSON.stringify(head))}"></span></div>`
  return { html, data: `<script type="application/json" id="metrics">${scriptJson(rows)}</script>` }
}

// ─────────────────────────────────────────────────────────────────────────────
// analysis of the final weights
// ─────────────────────────────────────────────────────────────────────────────

const losses = (l: NonNullable<ModelAnalysis['perOp'][number]['keyFrequencies']>['losses']): ReadonlyArray<readonly [string, number]> => [
  ['all', l.all],
  ['key only (restricted)', l.keyOnly],
  ['non-key only', l.nonKeyOnly],
  ['residual only', l.residualOnly],
  ['key + non-key', l.keyAndNonKey],
  ['key + residual', l.keyAndResidual],
  ['non-key + residual', l.nonKeyAndResidual],
]

/** The key set's warning (restricted loss more than the factor × the full loss), as a paragraph; empty without one. */
const keyWarningHtml = (kf: KeyFrequencyAnalysis): string => {
  const warning = keyWarning(kf)
  return warning === null ? '' : `<p class="key-warning" style="color:#a40">Warning: ${esc(warning)}.</p>`
}

/** Above this p, the logits map labels each frequency once (its cos and sin rows together), so the labels stay readable. */
const PAIR_LABELS_ABOVE = 41

/** The heat map's labels by frequency: `const` on the first row, then `k` between the rows cos k and sin k. */
const frequencyTicks = (p: number): ReadonlyArray<{ readonly at: number; readonly label: string }> => [
  { at: 0.5, label: 'const' },
  ...Array.from({ length: (p - 1) / 2 }, (_, i) => ({ at: 2 * (i + 1), label: String(i + 1) })),
]

const analysisSections = (a: ModelAnalysis, eta: number): string => {
  const K = a.additive.W_E.spectrum.cos.length
  const key = new Set(a.perOp.flatMap((o) => o.keyFrequencies?.key ?? []))
  const spectrum = (id: string, name: string, m: ModelAnalysis['additive']['W_E'], caption: string) =>
    figure(
      id,
      barChart({
        title: `Spectrum of ${name}: FFD ${fmt(m.ffd)}, FCR ${fmt(m.fcr)}`,
        names: ['cos k (μ_k)', 'sin k (ν_k)'],
        colors: [seriesColor(0), seriesColor(1)],
        groups: Array.from({ length: K }, (_, i) => ({
          label: String(i + 1),
          values: [m.spectrum.cos[i]!, m.spectrum.sin[i]!],
          marked: key.has(i + 1),
        })),
        xLabel: 'frequency k',
        yLabel: 'norm',
        markLabel: 'key frequency',
      }),
      caption,
    )
  const mult = a.multiplicative
  const measures = tableHtml(
    ['matrix', `FFD (η = ${eta})`, 'FCR', `FFD mult. (g = ${mult?.generator ?? '—'})`, 'FCR mult.'],
    (
      [
        ['W_E[0:p]', a.additive.W_E, mult?.W_E],
        ['W_L = (W_out·W_U)ᵀ', a.additive.W_L, mult?.W_L],
      ] as const
    ).map(([name, m, mm]) => [
      esc(name),
      fmt(m.ffd),
      fmt(m.fcr),
      mm === undefined ? '—' : fmt(mm.ffd),
      mm === undefined ? '—' : fmt(mm.fcr),
    ]),
    ' data-testid="table-measures"',
  )
  const norms = tableHtml(
    ['weight', 'norm'],
    [...Object.entries(a.weightNorms.perMatrix).map(([k, v]) => [esc(k), fmt(v)]), ['<b>total</b>', `<b>${fmt(a.weightNorms.total)}</b>`]],
    ' data-testid="table-norms"',
  )
  const names = fourierBasis(a.p).names
  const perOp = a.perOp
    .map((o) => {
      const kf = o.keyFrequencies
      const counts = Array.from(o.neurons.counts)
      const neurons = figure(
        `fig-neurons-${slug(o.op)}`,
        barChart({
          title: `Neurons by dominant frequency (${o.op})`,
          names: ['neurons'],
          colors: [seriesColor(2)],
          groups: counts.map((n, k) => ({ label: k === 0 ? 'dead' : String(k), values: [n], marked: key.has(k) })),
          xLabel: 'dominant frequency k (dead: no variance)',
          yLabel: 'neurons',
          markLabel: 'key frequency',
        }),
        `How many of the ${counts.reduce((s, n) => s + n, 0)}` +
          ` MLP neurons have each frequency as the one that explains most of their activations' variance over all p² pairs.`,
      )
      const map = figure(
        `fig-logits-map-${slug(o.op)}`,
        heatMap({
          title: `Logits in the 2-D Fourier basis (${o.op}): asymmetry ${fmt(o.asymmetry)}`,
          names,
          values: o.logitsMap,
          n: a.p,
          ...(a.p > PAIR_LABELS_ABOVE ? { ticks: frequencyTicks(a.p) } : {}),
          rowLabel: a.p > PAIR_LABELS_ABOVE ? 'basis of a: const, then cos k and sin k of each frequency k' : 'basis of a',
          colLabel: a.p > PAIR_LABELS_ABOVE ? 'basis of b: const, then cos k and sin k of each frequency k' : 'basis of b',
        }),
        'Norm over the output of the logits on all p² pairs, transformed over a (rows) and b (columns); log colour scale, 4 decades. ' +
          'Hover for values.',
      )
      const table =
        kf === null
          ? `<p class="muted" data-testid="table-losses-${esc(slug(o.op))}">The labels of ${esc(o.op)} are unknown: ` +
            `no key frequencies or loss decomposition.</p>`
          : `<p>Key frequencies (${esc(describeKeyRule(kf.rule))}): <b>${kf.key.join(', ') || 'none'}` +
            `</b>; dependent (ablating raises the loss by &gt; 1e-9): ${kf.dependent.join(', ') || 'none'}.</p>` +
            keyWarningHtml(kf) +
            tableHtml(
              ['logits kept (with the constant)', 'loss'],
              losses(kf.losses).map(([k, v]) => [esc(k), v.toExponential(4)]),
              ` data-testid="table-losses-${esc(slug(o.op))}"`,
            )
      return `<h2>Operation ${esc(o.op)}</h2>${table}${map}${neurons}`
    })
    .join('')
  return (
    `<h2>Fourier structure of the final weights</h2>${measures}` +
    spectrum(
      'fig-spectrum-W_E',
      'W_E[0:p]',
      a.additive.W_E,
      'Norms of the cos k and sin k components of the embedding of the residues; ▲ marks the key frequencies of the logits.',
    ) +
    spectrum('fig-spectrum-W_L', 'W_L = (W_out·W_U)ᵀ', a.additive.W_L, 'The same for the neuron-logit map (rows are output residues).') +
    `<h2>Weight norms</h2>${norms}${perOp}`
  )
}

// ─────────────────────────────────────────────────────────────────────────────
// reports
// ─────────────────────────────────────────────────────────────────────────────

/** A run's report page. */
export const runReportHtml = (r: RunReport): string => {
  const facts =
    `<table class="facts" data-testid="table-facts">` +
    `<tbody>${r.facts.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</tbody></table>`
  const several = r.records.length > 1
  const control = several ? slider(r.records) : { html: '', data: '' }
  const curves =
    r.records.length === 0
      ? '<p class="muted">No evaluations recorded (no metrics.jsonl): curves are not shown.</p>'
      : `<section class="curves">${control.html}${curveFigures(r.records, r.grokStep, several)}</section>`
  const analysis =
    r.analysis === null ? '<p class="muted">No final weights: the analysis is not shown.</p>' : analysisSections(r.analysis, r.eta)
  const unstable = stabilityText(runStability(r.records))
  const banner =
    unstable === ''
      ? ''
      : `<p class="unstable-banner" data-testid="unstable"><b class="unstable">Unstable run.</b> ${esc(unstable)}. ` +
        `A run is unstable when it ${esc(STABILITY_RULE)}.</p>`
  return page(
    r.title,
    `<h1>${esc(r.title)}</h1>${banner}${facts}<h2>Training curves</h2>${curves}${r.history ?? ''}${analysis}`,
    control.data,
  )
}

/**
 * A run's stability for a table cell: `unstable: 300, 450–500` (the first three stretches of steps it was out of its fitted
 * training set, and how many there were when more) or `stable`.
 */
const stabilityCell = (records: ReadonlyArray<MetricsRecord>): string => {
  if (records.length === 0) return '—'
  const s = runStability(records)
  if (!s.unstable) return s.fitted_step === null ? 'not fitted' : 'stable'
  const steps = s.excursions.slice(0, 3).map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`)).join(', ')
  const more = s.excursion_count > 3 ? `, … (${s.excursion_count} times)` : ''
  return `<b class="unstable">unstable</b>: ${steps}${more}`
}

/** A small square of a run's colour, before its name in the table. */
const swatch = (color: string): string =>
  `<svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill="${esc(color)}"/></svg> `

/**
 * A folder of runs, read at a glance: a line of what happened (grokked, unstable), a table with each run's best and
 * final test accuracy, grok step and stability (linking to its report), then test accuracy, test loss, FFD and FCR of
 * W_E against the step, the FFD–FCR plane at the last evaluation and the grok step of each run; every figure gives a
 * run its operation's colour (`identityColors`, as results' accuracy.svg and measures.svg do).
 */
export const sweepReportHtml = (title: string, runs: ReadonlyArray<SweepRun>): string => {
  const last = (r: SweepRun) => r.records.at(-1)
  const label = labelOf(runs)
  const color = identityColors(runs.map(label))
  const ops = [...new Set(runs.map(label))]
  const best = (r: SweepRun) => (r.records.length === 0 ? NaN : Math.max(...r.records.map((m) => m.test_acc)))
  const unstable = runs.filter((r) => runStability(r.records).unstable)
  const rows = runs.map((r) => [
    swatch(color(label(r))) + (r.href === null ? esc(r.name) : `<a href="${esc(relativeHref(r.href))}">${esc(r.name)}</a>`),
    esc(r.ops),
    esc(String(r.p)),
    String(r.frac),
    String(r.seed),
    r.lr === null ? '—' : String(r.lr),
    r.wd === null ? '—' : String(r.wd),
    esc(r.status),
    r.grokStep === null ? 'no' : String(r.grokStep),
    String(last(r)?.step ?? '—'),
    fmt(last(r)?.train_acc ?? NaN),
    fmt(last(r)?.test_acc ?? NaN),
    `<b>${fmt(best(r))}</b>`,
    stabilityCell(r.records),
    fmt(last(r)?.W_E.ffd ?? NaN),
    fmt(last(r)?.W_E.fcr ?? NaN),
    fmt(last(r)?.W_L.ffd ?? NaN),
    fmt(last(r)?.W_L.fcr ?? NaN),
  ])
  const table =
    `<div class="wide">` +
    `${tableHtml(
      [
        'run', 'ops', 'p', 'r', 'seed', 'lr', 'wd', 'status', 'grok step', 'steps', 'train acc', 'final test acc', 'best test acc',
        'stability', 'FFD (W_E)', 'FCR (W_E)', 'FFD (W_L)', 'FCR (W_L)',
      ],
      rows,
      ' data-testid="table-results"',
    )}</div>`
  const xDomain = stepDomain(runs.flatMap((r) => r.records.map((m) => m.step)))
  const overlay = (
    id: string,
    chartTitle: string,
    yLabel: string,
    f: (m: MetricsRecord) => number,
    extra: { log?: boolean; yDomain?: readonly [number, number] },
    caption: string,
  ) =>
    figure(
      id,
      lineChart({
        title: chartTitle,
        yLabel,
        xDomain,
        dots: true,
        series: runs.filter((r) => r.records.length > 0).map((r) => stepSeries(r.name, color(label(r)), r.records, f)),
        ...extra,
      }),
      caption,
    )
  const measured = runs.flatMap((r) => {
    const m = last(r)
    return m === undefined ? [] : [{ name: r.name, status: r.status, operation: label(r), ffd: m.W_E.ffd, fcr: m.W_E.fcr }]
  })
  const plane = figure(
    'fig-sweep-ffd-fcr',
    ffdFcrPlane(
      measured,
      ops.map((op) => ({ label: op, color: color(op) })),
      {
        title: 'FFD against FCR of W_E at the last evaluation',
        subtitle: 'a point per run (hollow: not finished); the plane that separates the operations',
      },
    ),
    'Each run at its last evaluation: Fourier Frequency Density against Fourier Coefficient Ratio of the embedding ' +
      '(additive basis). In the paper, operations the Fourier basis suits (add, sub) sit at low FFD and high FCR.',
  )
  const grok = figure(
    'fig-grok-steps',
    pointChart({
      title: 'Grokking step of each run',
      xLabel: 'operation',
      yLabel: 'step',
      yDomain: xDomain,
      categories: ops,
      series: ops.map((op, i) => {
        const mine = runs.filter((r) => label(r) === op && last(r) !== undefined)
        return {
          name: op,
          color: color(op),
          points: mine.map((r, k) => ({
            x: i + (mine.length === 1 ? 0 : (k / (mine.length - 1) - 0.5) * Math.min(0.5, 0.08 * mine.length)),
            y: r.grokStep ?? last(r)!.step,
            hollow: r.grokStep === null,
            title: r.grokStep === null ? `${r.name}: did not grok by step ${last(r)!.step}` : `${r.name}: grokked at step ${r.grokStep}`,
          })),
        }
      }),
      legend: [
        { name: 'grokked at this step', color: COLORS.muted, kind: 'dot' },
        { name: 'did not grok (at its last step)', color: COLORS.muted, kind: 'ring' },
      ],
    }),
    'First evaluated step with test accuracy ≥ 0.99; a run that did not grok is a ring at its last evaluated step.',
  )
  const grokked = runs.filter((r) => r.grokStep !== null).length
  const verdict =
    `<p data-testid="sweep-verdict">${runs.length} runs: ${grokked} grokked` +
    `${unstable.length === 0 ? '' : `; <b class="unstable">${unstable.length} unstable</b> (${unstable.map((r) => esc(r.name)).join(', ')})`}. ` +
    `Each run's name links to its own report.${unstable.length === 0 ? '' : ` Unstable: a run that ${esc(STABILITY_RULE)}.`}</p>`
  const body =
    `<h1>${esc(title)}</h1>${verdict}<h2>Results</h2>${table}<h2>Figures</h2>` +
    overlay(
      'fig-sweep-test-accuracy',
      'Test accuracy',
      'accuracy',
      (m) => m.test_acc,
      { yDomain: [0, 1] },
      'Test accuracy of every run against the step, a colour per operation.',
    ) +
    overlay(
      'fig-sweep-test-loss',
      'Test loss',
      'cross-entropy (log)',
      (m) => m.test_loss,
      { log: true },
      'Test loss of every run, log axis.',
    ) +
    overlay(
      'fig-sweep-ffd',
      'FFD(W_E), additive basis',
      'FFD',
      (m) => m.W_E.ffd,
      { yDomain: [0, 1] },
      'Fourier Frequency Density of the embedding of every run (η = 0.5).',
    ) +
    overlay(
      'fig-sweep-fcr',
      'FCR(W_E), additive basis',
      'FCR',
      (m) => m.W_E.fcr,
      { yDomain: [0, 1] },
      'Fourier Coefficient Ratio of the embedding of every run.',
    ) +
    plane +
    grok
  return page(title, body, '')
}

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
  SERIES,
  accuracySeries,
  barChart,
  esc,
  fmt,
  fourierSeries,
  heatMap,
  legend,
  lineChart,
  lossSeries,
  relativeHref,
  seriesColor,
  stepDomain,
  stepSeries,
} from '@grokscope/charts'
import type { MetricsRecord } from '@grokscope/runs'
import { phaseBands } from './Curves.js'

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
svg.chart{display:block;height:auto;max-width:720px}svg.heat{max-width:860px}svg circle{stroke:none}svg .series circle{opacity:.75}
.facts td{text-align:left}.controls{position:sticky;top:0;background:#fff;padding:6px 0;border-bottom:1px solid #eee;z-index:1}
.controls input{width:60%;vertical-align:middle}#readout{font-size:12.5px}#tip{position:fixed;pointer-events:none;background:#222;color:#fff;padding:2px 6px;border-radius:3px;font-size:12px;display:none}
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
    var show=function(){var r=rows[+slider.value];document.getElementById('step-value').textContent=r.step;
      document.querySelectorAll('svg.line').forEach(function(s){var x0=+s.dataset.x0,x1=+s.dataset.x1,s0=+s.dataset.s0,s1=+s.dataset.s1;
        var x=s1===s0?x0:x0+(r.step-s0)/(s1-s0)*(x1-x0);var c=s.querySelector('.cursor');if(c){c.setAttribute('x1',x);c.setAttribute('x2',x);}});
      out.innerHTML=r.cells.map(function(c){return '<td>'+c+'</td>';}).join('');};
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

/** The colour of the i-th run of a folder: the categorical colours after train's and test's, so that a run never reads as train or test. */
const runColor = (i: number): string => seriesColor(2 + (i % (SERIES.length - 2)))

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
      'Training and test accuracy; the dashed line is the grokking step (test accuracy first ≥ 0.99).',
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
  const head = ['step', 'train acc', 'test acc', 'train loss', 'test loss', 'FFD(W_E)', 'FCR(W_E)', 'FFD(W_L)', 'FCR(W_L)', 'weight norm']
  const rows = records.map((r) => ({
    step: r.step,
    cells: [
      r.step,
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
    `<div class="controls" data-testid="step-slider"><label>step <b id="step-value">${records.at(-1)?.step ?? ''}</b> ` +
    `<input id="step" type="range" min="0" max="${records.length - 1}" value="${records.length - 1}" aria-label="step"></label>` +
    `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody><tr id="readout"></tr></tbody></table></div>`
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
          rowLabel: 'basis of a',
          colLabel: 'basis of b',
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
      : control.html + curveFigures(r.records, r.grokStep, several)
  const analysis =
    r.analysis === null ? '<p class="muted">No final weights: the analysis is not shown.</p>' : analysisSections(r.analysis, r.eta)
  return page(r.title, `<h1>${esc(r.title)}</h1>${facts}<h2>Training curves</h2>${curves}${r.history ?? ''}${analysis}`, control.data)
}

/** A folder of runs: a results table with links to each run's report, and their curves overlaid. */
export const sweepReportHtml = (title: string, runs: ReadonlyArray<SweepRun>): string => {
  const last = (r: SweepRun) => r.records.at(-1)
  const rows = runs.map((r) => [
    r.href === null ? esc(r.name) : `<a href="${esc(relativeHref(r.href))}">${esc(r.name)}</a>`,
    esc(r.ops),
    esc(String(r.p)),
    String(r.frac),
    String(r.seed),
    r.lr === null ? '—' : String(r.lr),
    r.wd === null ? '—' : String(r.wd),
    esc(r.status),
    r.grokStep === null ? 'no' : 'yes',
    r.grokStep === null ? '—' : String(r.grokStep),
    String(last(r)?.step ?? '—'),
    fmt(last(r)?.train_acc ?? NaN),
    fmt(last(r)?.test_acc ?? NaN),
    fmt(last(r)?.W_E.ffd ?? NaN),
    fmt(last(r)?.W_E.fcr ?? NaN),
    fmt(last(r)?.W_L.ffd ?? NaN),
    fmt(last(r)?.W_L.fcr ?? NaN),
  ])
  const table =
    `<div class="wide">` +
    `${tableHtml(
      [
        'run', 'ops', 'p', 'r', 'seed', 'lr', 'wd', 'status', 'grokked', 'grok step', 'steps', 'train acc', 'test acc', 'FFD (W_E)',
        'FCR (W_E)', 'FFD (W_L)', 'FCR (W_L)',
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
        series: runs.map((r, i) => stepSeries(r.name, runColor(i), r.records, f)),
        ...extra,
      }),
      caption,
    )
  const grok = figure(
    'fig-grok-steps',
    barChart({
      title: 'Grokking step of each run',
      names: ['grok step'],
      colors: [runColor(0)],
      groups: runs.map((r) => ({ label: r.name, values: [r.grokStep ?? 0], marked: r.grokStep === null })),
      xLabel: 'run',
      yLabel: 'step',
      markLabel: 'not grokked',
    }),
    'First evaluated step with test accuracy ≥ 0.99 (▲: the run has not grokked).',
  )
  const body =
    `<h1>${esc(title)}</h1><p>${runs.length} runs. Each run's name links to its own report.</p><h2>Results</h2>${table}<h2>Figures</h2>` +
    overlay(
      'fig-sweep-test-accuracy',
      'Test accuracy',
      'accuracy',
      (m) => m.test_acc,
      { yDomain: [0, 1] },
      'Test accuracy of every run against the step.',
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
      'Fourier Frequency Density of the embedding of every run.',
    ) +
    grok
  return page(title, body, '')
}

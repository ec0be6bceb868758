// Golden images of the figures, from fixed synthetic inputs (no training): a run's report, a folder's report,
// curves.svg, the analysis figures (the p = 31 logits map and a spectrum) and the results' figures (accuracy.svg,
// measures.svg), rendered in Chromium and compared with test/golden/*.png within a tolerance, their rendered text exactly with
// test/golden/*.txt. UPDATE_GOLDENS=1 rewrites the goldens.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { barChart, heatMap, seriesColor } from '@grokscope/charts'
import { describe, expect, it } from 'vitest'
import { TOLERANCE, compareGolden, screenshots } from '../../../test-support/golden.js'
import { basisNames, syntheticLogitsMap, syntheticRecords, syntheticSpectrum } from '../../../test-support/synthetic.js'
import { type MetricsRecord, resultRow } from '@grokscope/runs'
import { accuracySvg, curvesSvg, measuresSvg, runReportHtml, sweepReportHtml } from '../src/index.js'

const GOLDEN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'golden')

const page = (body: string): string =>
  `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head><body style="margin:8px;background:#fff">${body}</body></html>`

const run = syntheticRecords({ steps: 3000, every: 50, mem: 300, grok: 1500 })
/** Records whose training set, once fitted, is lost at these steps (train accuracy 0.5, loss 2): an unstable run. */
const dips = (records: ReadonlyArray<MetricsRecord>, at: ReadonlyArray<number>): MetricsRecord[] =>
  records.map((r) => (at.includes(r.step) ? { ...r, train_acc: 0.5, train_loss: 2, test_acc: r.test_acc / 2, test_loss: 3 } : r))
/** A run that fits its training set, never groks and loses it three times (the fast recipe's sub at p = 31). */
const unstableRun = dips(syntheticRecords({ steps: 3000, every: 50, mem: 300, grok: 9000 }), [900, 1500, 1550, 3000])
const grokStep = run.find((r) => r.test_acc >= 0.99)?.step ?? null
const sweepRuns = [
  { name: 'add-p31-r0.3-s0', grok: 1500, steps: 3000 },
  { name: 'add-p31-r0.5-s0', grok: 800, steps: 2000 },
  { name: 'sub-p31-r0.3-s0', grok: 2200, steps: 3000 },
  { name: 'sub-p31-r0.5-s0-with-a-long-name', grok: 5000, steps: 2400 },
].map((r, i) => {
  const clean = syntheticRecords({ steps: r.steps, every: 100, mem: 300, grok: r.grok, op: r.name.slice(0, 3) })
  const records = i === 2 ? dips(clean, [1200, 2500]) : clean
  return {
    name: r.name,
    operation: r.name.slice(0, 3),
    transfer: 'scratch',
    href: `${r.name}/report.html`,
    ops: r.name.slice(0, 3),
    p: 31,
    frac: i % 2 === 0 ? 0.3 : 0.5,
    seed: 0,
    lr: 0.02,
    wd: 2,
    records,
    grokStep: records.find((m) => m.test_acc >= 0.99)?.step ?? null,
    status: i === 3 ? 'interrupted' : 'finished',
  }
})
const spectrum = syntheticSpectrum(31)
/** The results of a sweep of three operations at two fractions, one run not finished, one that never grokked. */
const resultRows = (
  [
    { op: 'add', frac: 0.3, seed: 0, grok: 1500, steps: 3000, status: 'finished' },
    { op: 'add', frac: 0.5, seed: 0, grok: 800, steps: 2000, status: 'finished' },
    { op: 'sub', frac: 0.3, seed: 0, grok: 2200, steps: 3000, status: 'finished' },
    { op: 'sub', frac: 0.5, seed: 0, grok: 5000, steps: 2400, status: 'interrupted' },
    { op: 'mul', frac: 0.5, seed: 1, grok: 400, steps: 900, status: 'finished' },
    { op: 'mul', frac: 0.3, seed: 1, grok: 9000, steps: 1200, status: 'finished' },
  ] as const
).map((r) =>
  resultRow({
    run: {
      name: `${r.op}-p31-r${r.frac}-s${r.seed}`,
      ops: [r.op],
      p: 31,
      frac: r.frac,
      seed: r.seed,
      variant: { load: [], freeze: [] },
      config: null,
    },
    status: r.status,
    summary: null,
    records: syntheticRecords({ steps: r.steps, every: 100, mem: 300, grok: r.grok, op: r.op }),
  }),
)

/** A sweep at one training fraction: each operation's runs side by side. */
const oneFraction = resultRows.filter((r) => r.r === 0.5)

const PAGES: ReadonlyArray<readonly [string, string]> = [
  [
    'report-run',
    runReportHtml({
      title: 'add mod 31, r = 0.3, seed 0',
      facts: [['task', 'add mod 31, training fraction 0.3, seed 0']],
      records: run,
      grokStep,
      analysis: null,
      eta: 0.5,
    }),
  ],
  [
    'report-run-unstable',
    runReportHtml({
      title: 'sub mod 31, r = 0.5, seed 0',
      facts: [['task', 'sub mod 31, training fraction 0.5, seed 0']],
      records: unstableRun,
      grokStep: null,
      analysis: null,
      eta: 0.5,
    }),
  ],
  ['report-sweep', sweepReportHtml('sweep: 4 runs', sweepRuns)],
  ['curves', page(curvesSvg('add mod 31, r = 0.3, seed 0', run, grokStep))],
  [
    'analysis-figures',
    page(
      heatMap({
        title: 'Logits in the 2-D Fourier basis (add)',
        names: basisNames(31),
        values: syntheticLogitsMap(31),
        n: 31,
        rowLabel: 'basis of a',
        colLabel: 'basis of b',
      }) +
        barChart({
          title: 'Spectrum of W_E',
          names: ['cos k (μ_k)', 'sin k (ν_k)'],
          colors: [seriesColor(0), seriesColor(1)],
          groups: spectrum.cos.map((c, i) => ({ label: String(i + 1), values: [c, spectrum.sin[i]!], marked: [4, 9, 14].includes(i + 1) })),
          xLabel: 'frequency k',
          yLabel: 'norm',
          markLabel: 'key frequency',
        }),
    ),
  ],
  ['results-figures', page(accuracySvg(resultRows) + measuresSvg(resultRows) + accuracySvg(oneFraction))],
]

describe('golden images', () => {
  it(`report, curves.svg, the analysis figures and the results' figures match test/golden within ${TOLERANCE * 100}` +
    ` % of pixels and in their text exactly (Chromium)`, { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'grokscope-golden-'))
    const files = PAGES.map(([name, html]) => {
      const file = path.join(dir, `${name}.html`)
      writeFileSync(file, html)
      return file
    })
    const shots = await screenshots(files)
    const results = PAGES.map(([name], i) => [name, compareGolden(shots[i]!, path.join(GOLDEN, `${name}.png`))] as const)
    for (const [name, r] of results) {
      if (r.kind === 'mismatch') expect.fail(r.reason)
      if (r.kind === 'compared') process.stdout.write(`golden ${name}: ${(r.ratio * 100).toFixed(4)} % of pixels differ\n`)
      if (r.kind === 'compared') expect(r.ratio, `${name}: share of differing pixels`).toBeLessThanOrEqual(TOLERANCE)
    }
  })
})

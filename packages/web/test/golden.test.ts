// Golden image of the page's figures from synthetic inputs (no training): accuracy, loss, FFD/FCR, the spectrum with its
// key frequencies marked and in words beside it, and the p = 31 logits map, laid out by the page's stylesheet, rendered
// in Chromium and compared with test/golden/web-charts.png within a tolerance, its rendered text exactly with
// web-charts.txt. UPDATE_GOLDENS=1 rewrites both.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import { TOLERANCE, compareGolden, screenshots } from '../../../test-support/golden.js'
import { basisNames, syntheticLogitsMap, syntheticRecords, syntheticSpectrum } from '../../../test-support/synthetic.js'
import { curveFigures, keyFrequenciesText, logitsFigure, spectrumFigure } from '../src/figures.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))

it(`the page's figures match test/golden/web-charts.png within ${TOLERANCE * 100}` +
  ` % of pixels and its text exactly (Chromium)`, { timeout: 120_000 }, async () => {
  const records = syntheticRecords({ steps: 3000, every: 100, mem: 300, grok: 1500 })
  const f = curveFigures(records)
  // The synthetic spectrum's peaks, and the losses of a grokked model.
  const key = keyFrequenciesText({
    step: 3000,
    op: 'add',
    rule: 'the fewest by energy whose restricted loss is within 2× the lower of the full loss and that of all frequencies',
    key: [4, 9, 14],
    restricted: 3.27e-3,
    full: 7.14e-3,
    warning: null,
  })
  const css = readFileSync(path.join(HERE, '..', 'static', 'style.css'), 'utf8')
  const html =
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><style>${css}</style></head><body><main>` +
    `<figure id="fig-acc">${f.acc}</figure><figure id="fig-loss">${f.loss}</figure>` +
    `<figure id="fig-spectrum"><div>${spectrumFigure(3000, syntheticSpectrum(31), [4, 9, 14])}</div>` +
    `<figcaption id="key-freqs">${key.line}</figcaption></figure>` +
    `<figure id="fig-ffd">${f.ffd}</figure><figure id="fig-logits">` +
    `${logitsFigure(3000, { names: basisNames(31), norms: syntheticLogitsMap(31) })}</figure></main></body></html>`
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'grokscope-golden-')), 'web-charts.html')
  writeFileSync(file, html)
  const [shot] = await screenshots([file])
  const r = compareGolden(shot!, path.join(HERE, 'golden', 'web-charts.png'))
  if (r.kind === 'mismatch') expect.fail(r.reason)
  if (r.kind === 'compared') process.stdout.write(`golden web-charts: ${(r.ratio * 100).toFixed(4)} % of pixels differ\n`)
  if (r.kind === 'compared') expect(r.ratio, 'share of differing pixels').toBeLessThanOrEqual(TOLERANCE)
})

// The run report's layout in Chromium: the step bar is one compact line that stays over the curves only, so it covers
// no title of the figures after them (it was a 105 px bar over the whole page, hiding the logits map's title).
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { expect, it } from 'vitest'
import { syntheticRecords } from '../../../test-support/synthetic.js'
import { runReportHtml } from '../src/index.js'

it('the step bar is at most 40 px tall and gone once the curves are scrolled past', { timeout: 60_000 }, async () => {
  const records = syntheticRecords({ steps: 3000, every: 50, mem: 300, grok: 1500 })
  const html = runReportHtml({ title: 't', facts: [], records, grokStep: 1500, analysis: null, eta: 0.5 })
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'grokscope-layout-')), 'report.html')
  writeFileSync(file, html.replace('</body>', `<h2 id="after">After the curves</h2>${'<p>text</p>'.repeat(80)}</body>`))
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] })
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 700 } })
    await page.goto(`file://${file}`)
    const r = await page.evaluate(() => {
      const bar = document.querySelector('.controls')!
      const height = bar.getBoundingClientRect().height
      document.querySelector('[data-testid="fig-loss"]')!.scrollIntoView()
      const overCurves = bar.getBoundingClientRect().top
      document.getElementById('after')!.scrollIntoView()
      return { height, overCurves, afterBottom: bar.getBoundingClientRect().bottom, afterTop: document.getElementById('after')!.getBoundingClientRect().top }
    })
    expect(r.height).toBeLessThanOrEqual(40)
    // Over the curves it sticks to the top of the window; past them it has left with them.
    expect(r.overCurves).toBe(0)
    expect(r.afterBottom).toBeLessThanOrEqual(r.afterTop)
  } finally {
    await browser.close()
  }
})

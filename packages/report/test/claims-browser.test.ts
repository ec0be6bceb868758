// claims.html in Chromium: a realistic reproduction's page opens with no console error, no page error and no request
// outside its file; its claims table has a row per claim, every claim's figure is visible with a size, and each verdict
// is drawn in its colour.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { expect, it } from 'vitest'
import { CLAIM_IDS } from '@grokscope/runs'
import { claimsHtml } from '../src/index.js'
import { realisticDocument } from './claims-fixture.js'

it('claims.html renders every figure with no error and no request outside the page', { timeout: 60_000 }, async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'grokscope-claims-')), 'claims.html')
  writeFileSync(file, claimsHtml(realisticDocument()))
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] })
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } })
    const errors: string[] = []
    const requests: string[] = []
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`)
    })
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`))
    page.on('request', (r) => requests.push(r.url()))
    await page.goto(`file://${file}`)
    const r = await page.evaluate((ids) => {
      const box = (el: Element | null) => {
        if (el === null) return null
        const b = el.getBoundingClientRect()
        const style = getComputedStyle(el)
        return { width: b.width, height: b.height, visible: style.visibility !== 'hidden' && style.display !== 'none' }
      }
      return {
        rows: document.querySelectorAll('[data-testid="claims-table"] tbody tr').length,
        figures: ids.map((id) => {
          const fig = document.querySelector(`[data-testid="claim-${id}-figure"]`)
          return {
            id,
            fig: box(fig),
            parts: [...(fig?.querySelectorAll(':scope > svg, :scope > p.no-data') ?? [])].map((e) => box(e)!),
          }
        }),
        colours: Object.fromEntries(
          [...document.querySelectorAll('[data-testid="claims-table"] tr[data-verdict]')].map((tr) => [
            tr.getAttribute('data-verdict'),
            getComputedStyle(tr.querySelector('.verdict')!).color,
          ]),
        ),
        notes: box(document.querySelector('[data-testid="claims-notes"]')),
        tableA5: document.querySelectorAll('[data-testid="table-a5"] tbody tr').length,
      }
    }, [...CLAIM_IDS])
    expect(errors).toEqual([])
    expect(requests).toEqual([`file://${file}`])
    expect(r.rows).toBe(7)
    for (const f of r.figures) {
      expect(f.fig, `claim ${f.id}`).not.toBeNull()
      expect(f.fig!.visible).toBe(true)
      expect(f.fig!.width).toBeGreaterThan(300)
      expect(f.fig!.height).toBeGreaterThan(100)
      expect(f.parts.length, `claim ${f.id}`).toBeGreaterThan(0)
      for (const part of f.parts) expect(part.height * part.width, `claim ${f.id}`).toBeGreaterThan(0)
    }
    expect(r.colours).toEqual({
      reproduced: 'rgb(26, 127, 55)',
      partly: 'rgb(154, 103, 0)',
      'not reproduced': 'rgb(207, 34, 46)',
      'not run': 'rgb(87, 96, 106)',
    })
    expect(r.notes!.height).toBeGreaterThan(0)
    expect(r.tableA5).toBe(realisticDocument().table.length)
  } finally {
    await browser.close()
  }
})

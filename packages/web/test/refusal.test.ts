// The page refuses what the CLI refuses (issue 24): a task with no pair to train on, a/0 mod 23, in the URL with
// autostart, is one line on the page; nothing trains and the console stays quiet (before: training with NaN accuracy
// and thousands of warnings).
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { chromium } from 'playwright-core'
import { expect, it } from 'vitest'
import { PAPER_SETTINGS, makeRunConfig } from '@grokscope/runs'
import { buildSite } from '../src/server/build.js'
import { serveSite } from '../src/server/serve.js'

const CHROMIUM = '/usr/bin/chromium'
const QUERY = '?op=a%2F0&p=23&autostart=1'

it(`refuses ${QUERY} with the CLI's one line: no training, no flood of console messages`, async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's Chromium (apt-get install -y chromium)`)
  const cli = makeRunConfig({ ...PAPER_SETTINGS, ops: ['a/0'], p: 23, frac: 0.3, seed: 0 })
  expect(E.isLeft(cli)).toBe(true)
  const site = await serveSite(await buildSite(mkdtempSync(path.join(tmpdir(), 'grokscope-site-'))), 0, '127.0.0.1')
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
  try {
    const page = await browser.newPage()
    const messages: string[] = []
    page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`))
    page.on('pageerror', (e) => messages.push(`page error: ${e.message}`))
    const workers: string[] = []
    page.on('worker', (w) => workers.push(w.url()))
    await page.goto(`${site.url}${QUERY}`)
    // Long enough for a started run to report evaluations.
    await page.waitForTimeout(5_000)
    const error = (await page.locator('#error').textContent()) ?? ''
    expect(await page.locator('#error').isVisible()).toBe(true)
    expect(error).toMatch(/^op: operation a\/0 has no defined pair mod 23 \(every pair divides by 0\)/)
    expect(error).not.toMatch(/\n/)
    expect(await page.getByTestId('status').textContent()).toBe('idle')
    expect(workers).toEqual([])
    expect(messages).toEqual([])
  } finally {
    await browser.close()
    await site.close()
  }
}, 300_000)

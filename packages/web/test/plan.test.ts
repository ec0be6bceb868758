// The page reads a sweep plan: given the sweep.json of @grokscope/runs' example program (packages/runs/examples/plan.mjs,
// the plan a Node program trains with no CLI), it lists every planned run with its settings, and trains the one chosen
// with that run's own config (its model, budget and learning rate, not the form's), in Chromium, with no page error.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { expect, it } from 'vitest'
import { type Plan, encodePlan, encodeRunConfig } from '@grokscope/runs'
import { buildSite } from '../src/server/build.js'
import { serveSite } from '../src/server/serve.js'

const CHROMIUM = '/usr/bin/chromium'
const MINUTES = 60_000

it('lists the runs of the example sweep.json and trains a chosen one with its own config', async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's Chromium (apt-get install -y chromium)`)
  const { plan } = (await import(path.resolve(import.meta.dirname, '../../runs/examples/plan.mjs'))) as { plan: Plan }
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'grokscope-plan-')), 'sweep.json')
  writeFileSync(file, `${JSON.stringify(encodePlan(plan), null, 2)}\n`)
  const site = await serveSite(await buildSite(mkdtempSync(path.join(tmpdir(), 'grokscope-site-'))), 0, '127.0.0.1')
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
  try {
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`))
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console error: ${m.text()}`)
    })
    // What the page hands its worker: the config of the run chosen (recorded from Worker.postMessage).
    const started: unknown[] = []
    await page.exposeFunction('recordStart', (config: unknown) => started.push(config))
    await page.addInitScript({
      content: `{ const post = Worker.prototype.postMessage
        Worker.prototype.postMessage = function (message, ...rest) {
          if (message && message.type === 'start') window.recordStart(message.config)
          return post.call(this, message, ...rest)
        } }`,
    })
    await page.goto(site.url)
    await page.click('#plan summary')
    await page.getByTestId('plan-file').setInputFiles(file)
    const rows = page.locator('[data-testid="plan-runs"] tr')
    await expect.poll(() => rows.count()).toBe(1 + plan.runs.length)
    const cells = await rows.nth(3).locator('td').allTextContents()
    expect(cells.slice(0, 7)).toEqual(['mul-p23-r0.6-s0', 'mul', '23', '0.6', '0', '1500', '0.01'])
    await page.getByTestId('plan-train').nth(2).click()
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="step"]')?.textContent) >= 50,
      undefined,
      { timeout: 5 * MINUTES },
    )
    expect(await page.getByTestId('status').textContent()).toBe('training')
    expect(started).toEqual([JSON.parse(JSON.stringify(encodeRunConfig(plan.runs[2]!.config!)))])
    expect(await page.locator('#task').textContent()).toMatch(/^a\*b mod 23: 317 training pairs, 212 test pairs/)
    await page.click('#stop')
    await page.waitForFunction(
      () => document.querySelector<HTMLButtonElement>('#download')?.disabled === false,
      undefined,
      { timeout: 5 * MINUTES },
    )
    expect(errors).toEqual([])
  } finally {
    await browser.close()
    await site.close()
  }
}, 15 * MINUTES)

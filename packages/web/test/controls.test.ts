// The page's controls in Chromium: the operation as the CLI takes it, from the URL with a + written either way; a bad one
// as one line without internal names; recipe, steps and threads making the config handed to the worker; the tensors
// alive while it trains; the key frequencies beside the spectrum, the same as `grokscope analyze` finds in the download.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { type Browser, type Page, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { analyzeLoadedModel, loadModel } from '@grokscope/node'
import { PAPER_SETTINGS, RECIPES, type RunSettings, encodeRunConfig, makeRunConfig } from '@grokscope/runs'
import { buildSite } from '../src/server/build.js'
import { type SiteServer, serveSite } from '../src/server/serve.js'
import { unzipTo } from './unzip.js'

const CHROMIUM = '/usr/bin/chromium'
const MINUTES = 60_000

let site: SiteServer
let browser: Browser

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's Chromium (apt-get install -y chromium)`)
  site = await serveSite(await buildSite(mkdtempSync(path.join(tmpdir(), 'grokscope-site-'))), 0, '127.0.0.1')
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
}, 5 * MINUTES)

afterAll(async () => {
  await browser?.close()
  await site?.close()
})

/** A page that records what it hands its workers (`Worker.postMessage` of 'start') and its errors. */
const openPage = async (query: string): Promise<{ page: Page; started: unknown[]; errors: string[] }> => {
  const page = await browser.newPage({ acceptDownloads: true })
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console error: ${m.text()}`)
  })
  const started: unknown[] = []
  await page.exposeFunction('recordStart', (message: unknown) => started.push(message))
  await page.addInitScript({
    content: `{ const post = Worker.prototype.postMessage
      Worker.prototype.postMessage = function (message, ...rest) {
        if (message && message.type === 'start') window.recordStart(message)
        return post.call(this, message, ...rest)
      } }`,
  })
  await page.goto(`${site.url}${query}`)
  return { page, started, errors }
}

const text = async (page: Page, testId: string): Promise<string> => (await page.getByTestId(testId).textContent()) ?? ''

const untilStep = (page: Page, step: number) =>
  page.waitForFunction((s) => Number(document.querySelector('[data-testid="step"]')?.textContent) >= s, step, {
    timeout: 10 * MINUTES,
    polling: 200,
  })

const untilDone = (page: Page) =>
  page.waitForFunction(() => document.querySelector<HTMLButtonElement>('#download')?.disabled === false, undefined, {
    timeout: 10 * MINUTES,
  })

/** The start message the page should hand its worker for these settings and threads. */
const startOf = (s: Partial<RunSettings> & Pick<RunSettings, 'ops'>, threads: number): unknown => {
  const config = makeRunConfig({ ...PAPER_SETTINGS, p: 23, frac: 0.6, seed: 0, ...s })
  if (E.isLeft(config)) throw new Error(config.left)
  return JSON.parse(JSON.stringify({ type: 'start', config: encodeRunConfig(config.right), backend: 'auto', threads }))
}

describe('the page in Chromium', () => {
  it.each(['a2+b2', 'a2%2Bb2'])(
    '?op=%s selects a2+b2 and trains it; the URL then says op=a2%2Bb2, a link that gives the same settings',
    async (op) => {
      const { page, started, errors } = await openPage(`?op=${op}&p=23&steps=200&autostart=1`)
      try {
        expect(await page.locator('input[name=op]').inputValue()).toBe('a2+b2')
        await untilStep(page, 20)
        const threads = Number(await page.getByTestId('threads').inputValue())
        expect(started).toEqual([startOf({ ops: ['a2+b2'], steps: 200 }, threads)])
        expect(await page.locator('#task').textContent()).toMatch(/^a\^2 \+ b\^2 mod 23: 317 training pairs/)
        expect(await page.locator('#error').isHidden()).toBe(true)
        // The tensors alive in the worker while it trains: the weights, the optimiser's moments, the data.
        expect(await text(page, 'status')).toBe('training')
        expect(Number(await text(page, 'tensors'))).toBeGreaterThan(0)
        const url = new URL(page.url())
        expect(url.search).toBe(`?op=a2%2Bb2&p=23&frac=0.6&seed=0&steps=200&threads=${threads}&autostart=1`)
        await page.click('#stop')
        await untilDone(page)
        expect(await text(page, 'status')).toMatch(/ \(tensors: 0 before, [1-9]\d* while training, 0 after\)$/)
        expect(errors).toEqual([])
      } finally {
        await page.close()
      }
    },
    15 * MINUTES,
  )

  it('a bad operation is one line naming the field and what is allowed, without internal names; nothing starts', async () => {
    const { page, started, errors } = await openPage('?op=a2+b2+&p=23&autostart=1')
    try {
      const message = (await page.locator('#error').textContent()) ?? ''
      expect(message).toBe(
        `op: not a registered operation id, and not a valid expression: column 2: unexpected '2' after a complete expression ` +
          'in "a2+b2+" (allowed: an id that grokscope ops lists, or an expression in a and b)',
      )
      expect(message).not.toMatch(/ops\.\d/)
      expect(await text(page, 'status')).toBe('idle')
      expect(started).toEqual([])
      expect(errors).toEqual([])
    } finally {
      await page.close()
    }
  })

  it('threads: the control allows what the WASM backend gives, says why when only 1, and more is refused', async () => {
    const { page, started } = await openPage('?op=add&p=23&steps=100&autostart=1')
    try {
      const threads = page.getByTestId('threads')
      const max = Number(await threads.getAttribute('max'))
      expect(Number(await threads.inputValue())).toBe(max)
      await untilStep(page, 10)
      expect(await page.locator('#task').textContent()).toMatch(new RegExp(`; backend wasm, ${max} WASM threads?$`))
      expect(started).toEqual([startOf({ ops: ['add'], steps: 100 }, max)])
      const note = page.getByTestId('threads-note')
      if (max === 1) {
        expect(await threads.isDisabled()).toBe(true)
        expect(await note.textContent()).toMatch(/^One WASM thread: the browser reports \d logical cores?, and tfjs's WASM backend/)
      } else expect(await note.isHidden()).toBe(true)
      await page.goto(`${site.url}?threads=${max + 1}`)
      expect(await page.locator('#error').textContent()).toMatch(new RegExp(`^threads: "${max + 1}" is not allowed \\(an integer from 1 to ${max}\\)`))
    } finally {
      await page.close()
    }
  }, 15 * MINUTES)

  it('recipe and steps change the run: the worker gets their config, it stops at that step, and its key frequencies are analyze’s', async () => {
    const { page, started, errors } = await openPage('')
    try {
      const threads = Number(await page.getByTestId('threads').inputValue())
      await page.getByTestId('recipe').selectOption('fast')
      await page.getByTestId('steps').fill('300')
      await page.click('#train')
      await untilDone(page)
      expect(started).toEqual([startOf({ ...RECIPES.fast.settings, recipe: 'fast', ops: ['add'], steps: 300 }, threads)])
      expect(new URL(page.url()).search).toBe(`?op=add&p=23&frac=0.6&seed=0&recipe=fast&steps=300&threads=${threads}`)
      expect(await text(page, 'status')).toMatch(/^finished at step 300, .* \(tensors: 0 before, [1-9]\d* while training, 0 after\)$/)
      const key = /^key frequencies of add at step 300: ([\d, ]+) \(the fewest by energy/.exec(await text(page, 'key-freqs'))
      expect(key).not.toBeNull()
      // Marked in the spectrum: one mark per key frequency.
      const shown = key![1]!.split(', ').map(Number)
      expect(await page.locator('#fig-spectrum svg text.mark').count()).toBe(shown.length)
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')])
      const out = mkdtempSync(path.join(tmpdir(), 'grokscope-controls-'))
      const zip = path.join(out, download.suggestedFilename())
      await download.saveAs(zip)
      unzipTo(readFileSync(zip), out)
      const run = path.join(out, 'add-p23-r0.6-s0')
      const config = JSON.parse(readFileSync(path.join(run, 'config.json'), 'utf8')) as { recipe?: string; optimizer: { lr: number } }
      expect(config).toMatchObject({ recipe: 'fast', optimizer: { lr: 0.02 } })
      const analysis = await analyzeLoadedModel(loadModel(run))
      expect(analysis.perOp[0]!.keyFrequencies!.key).toEqual(shown)
      expect(errors).toEqual([])
    } finally {
      await page.close()
    }
  }, 15 * MINUTES)
})

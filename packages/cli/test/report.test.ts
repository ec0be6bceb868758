// grokscope report: one self-contained HTML page per run and per folder of runs, checked as text and in a real browser.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { fixturePath } from '../../../test-support/fixtures.js'
import { cli } from './run-cli.js'

const CHROMIUM = '/usr/bin/chromium'
const tmp = () => mkdtempSync(path.join(tmpdir(), 'grokscope-report-'))
/** Where the browser's screenshots go. */
const SHOTS = process.env.GROKSCOPE_TEST_OUTPUT ?? path.join(tmpdir(), 'grokscope-test-output')

const TINY = [
  '--p', '7', '--frac', '0.6', '--d-model', '16', '--heads', '2', '--d-head', '8', '--d-mlp', '32', '--eval-every', '10', '--no-progress',
  '--threads', '1',
]

const train = async (out: string, extra: ReadonlyArray<string>): Promise<void> => {
  const r = await cli(['train', ...TINY, ...extra, '--out', out])
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
}

/** The figures of a run's report that has metrics with --measure-every and final weights. */
const RUN_FIGURES = [
  'fig-accuracy',
  'fig-loss',
  'fig-fourier-additive',
  'fig-fourier-multiplicative',
  'fig-weight-norm',
  'fig-restricted-loss',
  'fig-spectrum-W_E',
  'fig-spectrum-W_L',
  'fig-logits-map-add',
  'fig-neurons-add',
]
const RUN_TABLES = ['table-facts', 'table-measures', 'table-norms', 'table-losses-add', 'step-slider']
const SWEEP_FIGURES = [
  'fig-sweep-test-accuracy',
  'fig-sweep-test-loss',
  'fig-sweep-ffd',
  'fig-sweep-fcr',
  'fig-sweep-ffd-fcr',
  'fig-grok-steps',
]

/** The page is one document that names nothing outside itself. */
const selfContained = (html: string): void => {
  expect(html.startsWith('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">')).toBe(true)
  expect(html.trimEnd().endsWith('</body></html>')).toBe(true)
  for (const tag of ['<html', '<head>', '</head>', '<body>', '</body>', '<style>']) expect(html.split(tag).length - 1, tag).toBe(1)
  expect(html.slice(0, html.indexOf('</head>'))).toMatch(/<title>[^<]+<\/title><style>/)
  expect(html.split('<svg').length).toBe(html.split('</svg>').length)
  expect(html.split('<figure').length).toBe(html.split('</figure>').length)
  expect(html).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i)
  expect(html).not.toMatch(/<(link|img|iframe)\b|<script[^>]*\bsrc=|@import|url\(/i)
  // The only URLs in the page are the SVG namespace's.
  expect(html.match(/https?:\/\/[^"'\s)]*/g)?.filter((u) => u !== 'http://www.w3.org/2000/svg') ?? []).toEqual([])
}

const testIds = (html: string): string[] => [...html.matchAll(/data-testid="([^"]+)"/g)].map((m) => m[1]!)

/** Opens a report in Chromium from file://: no page error, no request but the file, every figure drawn; saves a screenshot. */
const openInBrowser = async (
  file: string,
  figures: ReadonlyArray<string>,
  shot: string,
): Promise<{ slider: { before: string; after: string; step: string } | null; tip: string | null }> => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium`)
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } })
    const errors: string[] = []
    const requests: string[] = []
    page.on('pageerror', (e) => errors.push(String(e)))
    page.on('console', (m) => (m.type() === 'error' ? errors.push(m.text()) : undefined))
    page.on('request', (r) => requests.push(r.url()))
    const url = `file://${path.resolve(file)}`
    await page.goto(url)
    for (const id of figures) {
      const fig = page.getByTestId(id)
      expect(await fig.count(), id).toBe(1)
      const drawn = await fig.evaluate((el) => {
        const svg = el.querySelector('svg')
        const box = svg?.getBoundingClientRect()
        return svg === null || box === undefined
          ? 0
          : box.width > 100 && box.height > 100
            ? svg.querySelectorAll('path, rect, circle').length
            : 0
      })
      expect(drawn, id).toBeGreaterThan(0)
    }
    let slider = null
    if ((await page.locator('#step').count()) === 1) {
      const cursor = page.locator('[data-testid="fig-accuracy"] .cursor')
      const before = (await cursor.getAttribute('x1')) ?? ''
      await page.locator('#step').fill('0')
      slider = { before, after: (await cursor.getAttribute('x1')) ?? '', step: (await page.locator('#step-value').textContent()) ?? '' }
    }
    let tip = null
    const heat = page.locator('svg.heat').first()
    if ((await heat.count()) === 1) {
      // The middle of the first cell, from the map's margins and size in viewBox units and the svg's drawn scale.
      const at = await heat.evaluate((s) => {
        const svg = s as SVGSVGElement
        const k = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width
        const d = svg.dataset
        const half = Number(d.size) / Number(d.n) / 2
        return { x: (Number(d.left) + half) * k, y: (Number(d.top) + half) * k }
      })
      await heat.hover({ position: at })
      tip = await page.locator('#tip').textContent()
    }
    mkdirSync(path.dirname(shot), { recursive: true })
    await page.screenshot({ path: shot, fullPage: true })
    expect(errors).toEqual([])
    expect(requests.filter((u) => u !== url)).toEqual([])
    return { slider, tip }
  } finally {
    await browser.close()
  }
}

describe('grokscope report', () => {
  it('a run: every figure and table, self-contained, and in Chromium every figure drawn, ' +
    'the slider and the hover working', { timeout: 300_000 }, async () => {
    const run = path.join(tmp(), 'run')
    await train(run, ['--op', 'add', '--steps', '40', '--measure-every', '20'])
    const r = await cli(['report', run])
    expect(r.code).toBe(0)
    expect(r.stdout.trim()).toBe(path.join(run, 'report.html'))
    const html = readFileSync(path.join(run, 'report.html'), 'utf8')
    selfContained(html)
    expect(testIds(html).sort()).toEqual([...RUN_FIGURES, ...RUN_TABLES].sort())
    // The slider's data: one row per evaluation.
    const rows = JSON.parse(/<script type="application\/json" id="metrics">(.*?)<\/script>/.exec(html)![1]!) as Array<{ step: number }>
    expect(rows.map((x) => x.step)).toEqual([0, 10, 20, 30, 40])
    const seen = await openInBrowser(path.join(run, 'report.html'), RUN_FIGURES, path.join(SHOTS, 'report-run.png'))
    expect(seen.slider?.step).toBe('0')
    expect(Number(seen.slider?.after)).toBeLessThan(Number(seen.slider?.before))
    expect(seen.tip).toMatch(/^const \(a\) × const \(b\): [\d.e+-]+$/)
  })

  it('a run with a weights history (--save-every): a slider over the saved steps shows each one’s W_E spectrum and measures, ' +
    'in Chromium', { timeout: 300_000 }, async () => {
    const run = path.join(tmp(), 'run')
    await train(run, ['--op', 'add', '--steps', '40', '--save-every', '20'])
    const r = await cli(['report', run])
    expect(r.code, r.stderr).toBe(0)
    const html = readFileSync(path.join(run, 'report.html'), 'utf8')
    selfContained(html)
    expect(testIds(html)).toEqual(expect.arrayContaining(['history-slider', 'table-history', 'fig-history-spectrum']))
    // Computed when the report was written: one entry per saved step, a norm per frequency (p = 7: 3).
    const data = JSON.parse(/<script type="application\/json" id="history-data">(.*?)<\/script>/.exec(html)![1]!) as {
      steps: Array<{ step: number; norms: number[]; cells: string[] }>
    }
    expect(data.steps.map((x) => x.step)).toEqual([0, 20, 40])
    for (const x of data.steps) expect(x.norms).toHaveLength(3)
    expect(data.steps[0]!.norms).not.toEqual(data.steps[2]!.norms)

    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium`)
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } })
      const errors: string[] = []
      page.on('pageerror', (e) => errors.push(String(e)))
      await page.goto(`file://${path.resolve(run, 'report.html')}`)
      const slider = page.getByTestId('history-slider')
      expect(
        await slider.evaluate((el) => [
          el.tagName,
          el.getAttribute('type'),
          el.getAttribute('min'),
          el.getAttribute('max'),
          (el as HTMLInputElement).value,
        ]),
      ).toEqual(['INPUT', 'range', '0', '2', '2'])
      const seen = async () => ({
        step: await page.locator('#history-step-value').textContent(),
        first: await page.locator('#history-readout td').first().textContent(),
        heights: await page.locator('#history-spectrum rect.bar').evaluateAll((bars) => bars.map((b) => Number(b.getAttribute('height')))),
      })
      const last = await seen()
      expect([last.step, last.first]).toEqual(['40', '40'])
      await slider.fill('0')
      const first = await seen()
      expect([first.step, first.first]).toEqual(['0', '0'])
      // The bars follow the step's norms on one scale: their heights are in the norms' ratios, and they changed.
      expect(first.heights).not.toEqual(last.heights)
      for (const [h, want] of [
        [first.heights, data.steps[0]!.norms],
        [last.heights, data.steps[2]!.norms],
      ] as const) {
        const k = want.indexOf(Math.max(...want))
        for (let i = 0; i < want.length; i++) expect(h[i]! / h[k]!).toBeCloseTo(want[i]! / want[k]!, 3)
      }
      mkdirSync(SHOTS, { recursive: true })
      await page.screenshot({ path: path.join(SHOTS, 'report-history.png'), fullPage: true })
      expect(errors).toEqual([])
    } finally {
      await browser.close()
    }
  })

  it('a folder of runs: a results table linking to each run’s report (written too), the overlaid figures, ' +
    'drawn in Chromium', { timeout: 300_000 }, async () => {
    const dir = tmp()
    await train(path.join(dir, 'add-s0'), ['--op', 'add', '--steps', '20'])
    await train(path.join(dir, 'mul-s1'), ['--op', 'mul', '--steps', '30', '--seed', '1'])
    mkdirSync(path.join(dir, 'not-a-run'))
    const r = await cli(['report', dir])
    expect(r.code).toBe(0)
    expect(r.stdout.trim().split('\n')).toEqual([
      path.join(dir, 'report.html'),
      path.join(dir, 'add-s0', 'report.html'),
      path.join(dir, 'mul-s1', 'report.html'),
    ])
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8')
    selfContained(html)
    expect(testIds(html).sort()).toEqual([...SWEEP_FIGURES, 'table-results', 'sweep-verdict'].sort())
    expect([...html.matchAll(/<a href="([^"]+)">/g)].map((m) => m[1])).toEqual(['./add-s0/report.html', './mul-s1/report.html'])
    for (const run of ['add-s0', 'mul-s1']) selfContained(readFileSync(path.join(dir, run, 'report.html'), 'utf8'))
    await openInBrowser(path.join(dir, 'report.html'), SWEEP_FIGURES, path.join(SHOTS, 'report-folder.png'))
  })

  it('a sweep folder: every planned run with its status, a run not started without a link', { timeout: 300_000 }, async () => {
    const out = path.join(tmp(), 'sweep')
    const flags = [
      '--ops', 'add', '--p', '7', '--fracs', '0.6', '--seeds', '0,1', '--steps', '20', '--d-model', '16', '--heads', '2', '--d-head', '8',
      '--d-mlp', '32', '--eval-every', '10',
    ]
    const s = await cli(['sweep', ...flags, '--shard', '0/2', '--out', out])
    expect(s.code, s.stderr).toBe(0)
    const r = await cli(['report', out])
    expect(r.code, r.stderr).toBe(0)
    const html = readFileSync(path.join(out, 'report.html'), 'utf8')
    selfContained(html)
    const rows = [...html.matchAll(/<tr>(.*?)<\/tr>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, '|'))
    const row = (name: string) => rows.find((x) => x.includes(name)) ?? ''
    expect(row('add-p7-r0.6-s0')).toContain('|finished|')
    expect(row('add-p7-r0.6-s1')).toContain('|not started|')
    expect([...html.matchAll(/<a href="([^"]+)">/g)].map((m) => m[1])).toEqual(['./add-p7-r0.6-s0/report.html'])
  })

  it('hostile run folder names: every link relative, inside the folder and to that run’s report; no script runs, ' +
    'nothing injected (Chromium)', { timeout: 300_000 }, async () => {
    const dir = tmp()
    const names = [
      'javascript:alert(3)',
      '"><img src=x onerror=alert(1)>',
      'a&b',
      '<script>alert(2)',
      'ünïcødé λ',
      'with space',
      'hash#frag',
      'query?x=1',
      'per%20cent',
      "it's",
    ]
    await train(path.join(dir, 'seed'), ['--op', 'add', '--steps', '10'])
    for (const name of names) cpSync(path.join(dir, 'seed'), path.join(dir, name), { recursive: true })
    rmSync(path.join(dir, 'seed'), { recursive: true })
    const r = await cli(['report', dir])
    expect(r.code, r.stderr).toBe(0)
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8')
    selfContained(html)
    expect(html).not.toMatch(/<img|<script>alert|href="javascript:/i)
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
    try {
      const page = await browser.newPage()
      const dialogs: string[] = []
      page.on('dialog', (d) => {
        dialogs.push(d.message())
        void d.dismiss()
      })
      await page.goto(`file://${path.join(dir, 'report.html')}`)
      const seen = await page.evaluate(() => ({
        hrefs: [...document.querySelectorAll('a')].map((a) => ({
          text: a.textContent ?? '',
          href: a.href,
          raw: a.getAttribute('href') ?? '',
        })),
        injected: document.querySelectorAll('img, iframe, object, embed').length + document.querySelectorAll('script').length,
        anyOnAttr: [...document.querySelectorAll('*')].some((el) => [...el.attributes].some((at) => /^on/i.test(at.name))),
      }))
      // The page's own scripts: the inline script alone (no metrics data on a folder's page).
      expect(seen.injected).toBe(1)
      expect(seen.anyOnAttr).toBe(false)
      expect(seen.hrefs.map((h) => h.text).sort()).toEqual([...names].sort())
      for (const h of seen.hrefs) {
        expect(h.raw.startsWith('./'), h.raw).toBe(true)
        const url = new URL(h.href)
        expect(url.protocol).toBe('file:')
        expect(url.search + url.hash).toBe('')
        const file = decodeURIComponent(url.pathname)
        expect(file).toBe(path.join(dir, h.text, 'report.html'))
        expect(existsSync(file)).toBe(true)
      }
      // Clicking each link opens that run's report, and no dialog.
      for (const name of names) {
        await page.goto(`file://${path.join(dir, 'report.html')}`)
        await page.getByRole('link', { name, exact: true }).click()
        await page.waitForURL((u) => decodeURIComponent(u.pathname) === path.join(dir, name, 'report.html'))
      }
      expect(dialogs).toEqual([])
    } finally {
      await browser.close()
    }
  })

  it('a model file without a run: the analysis figures, no curves', { timeout: 120_000 }, async () => {
    const out = path.join(tmp(), 'fixture.html')
    const r = await cli(['report', fixturePath('add-p31-s0.json'), '--out', out])
    expect(r.code).toBe(0)
    const html = readFileSync(out, 'utf8')
    selfContained(html)
    expect(testIds(html).sort()).toEqual([
      'fig-logits-map-add',
      'fig-neurons-add',
      'fig-spectrum-W_E',
      'fig-spectrum-W_L',
      'table-facts',
      'table-losses-add',
      'table-measures',
      'table-norms',
    ])
    expect(html).toContain('No evaluations recorded')
  })

  it('bad targets: one line naming the problem, exit code 2, nothing written', { timeout: 60_000 }, async () => {
    const empty = tmp()
    const cases: Array<[string[], RegExp]> = [
      [
        ['report', path.join(empty, 'missing')],
        /does not exist \(give a run folder, a folder of runs, a weights \.json file or a \.safetensors checkpoint\)$/,
      ],
      [
        ['report', empty],
        /holds no run \(allowed: a run folder with config\.json, a folder of run folders, a weights \.json file or a \.safetensors checkpoint\)$/,
      ],
      [
        ['report', fixturePath('add-p31-s0.json'), '--out', empty],
        /--out: .* is a folder \(give the report's file name, e.g\. report\.html\)$/,
      ],
    ]
    for (const [args, message] of cases) {
      const r = await cli(args)
      expect(r.code).toBe(2)
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
      expect(r.stderr.trimEnd()).toMatch(message)
    }
    expect(statSync(empty).isDirectory() && !existsSync(path.join(empty, 'report.html'))).toBe(true)
  })
})

/* global process, document */
// Screenshots for docs/images: node scripts/doc-screenshots.mjs <run> <sweep> <suffix> [web-seconds] [web-query]
// <run>/report.html (<run> '-': none), <sweep>/report.html (<sweep> '-': none) and <run>/curves.svg in Debian's
// Chromium (1100 px wide), and the web page (built from this worktree, or from the built worktree
// GROKSCOPE_WEB_TREE names) opened with [web-query] (op=add&p=31&frac=0.5&seed=0) and autostart=1, training for
// [web-seconds] (90; 0: no web page) and then stopped (at once when it shows an error; not when it finished first); written
// as docs/images/{report-run,report-sweep,curves,web}-<suffix>.png. GROKSCOPE_WEB_ADAPTER=swiftshader gives Chromium
// WebGPU's software adapter (--enable-unsafe-webgpu --use-webgpu-adapter=swiftshader): the page's auto backend is then WebGPU.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(path.join(root, 'packages', 'web', 'package.json'))
const { chromium } = require('playwright-core')
const webTree = path.resolve(process.env.GROKSCOPE_WEB_TREE ?? root)
const { buildSite } = await import(path.join(webTree, 'packages/web/dist/server/build.js'))
const { serveSite } = await import(path.join(webTree, 'packages/web/dist/server/serve.js'))

const [run, sweep, suffix, seconds = '90', query = 'op=add&p=31&frac=0.5&seed=0'] = process.argv.slice(2)
if (run === undefined || sweep === undefined || suffix === undefined) {
  process.stderr.write('usage: node scripts/doc-screenshots.mjs <run> <sweep> <suffix> [web-seconds]\n')
  process.exit(2)
}
const out = (name) => path.join(root, 'docs', 'images', `${name}-${suffix}.png`)
const adapter = process.env.GROKSCOPE_WEB_ADAPTER
const webgpu = adapter === undefined ? [] : ['--enable-unsafe-webgpu', `--use-webgpu-adapter=${adapter}`]
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', ...webgpu] })
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1 })
  const files = [
    ...(run === '-' ? [] : [[path.join(run, 'report.html'), 'report-run']]),
    ...(sweep === '-' ? [] : [[path.join(sweep, 'report.html'), 'report-sweep']]),
    ...(run === '-' ? [] : [[path.join(run, 'curves.svg'), 'curves']]),
  ]
  for (const [file, name] of files) {
    // An SVG file is shown inline in a page (a screenshot of an SVG document does not end).
    const target = file.endsWith('.svg') ? path.join(mkdtempSync(path.join(tmpdir(), 'grokscope-svg-')), 'curves.html') : file
    if (target !== file) {
      writeFileSync(target, `<!DOCTYPE html><html><body style="margin:8px;background:#fff">${readFileSync(file, 'utf8')}</body></html>`)
    }
    await page.goto(`file://${path.resolve(target)}`)
    await page.screenshot({ path: out(name), fullPage: true })
    process.stdout.write(`${out(name)}\n`)
  }
  if (seconds === '0') process.exit(0)
  const site = await serveSite(await buildSite(mkdtempSync(path.join(tmpdir(), 'grokscope-site-'))), 0, '127.0.0.1')
  await page.goto(`${site.url}?${query}&autostart=1`)
  const done = () => document.querySelector('#download')?.disabled === false
  if (await page.locator('#error').isHidden()) {
    // Training for [web-seconds], or until it finishes by itself.
    await page.waitForFunction(done, undefined, { timeout: Number(seconds) * 1000, polling: 1000 }).catch(() => null)
    if (await page.locator('#stop').isEnabled()) await page.click('#stop')
    await page.waitForFunction(done, undefined, { timeout: 300_000 })
  }
  await page.screenshot({ path: out('web'), fullPage: true })
  process.stdout.write(`${out('web')}\n`)
  await site.close?.()
} finally {
  await browser.close()
}
process.exit(0)

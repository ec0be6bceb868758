// Steps per second of the page's training in headless Chromium: opens the page with a task,
// waits until the step reaches --steps, prints the worker's own rate (steps since the loop
// started / seconds, evaluations included). Compare with `grokscope train … --steps N --threads 1`'s
// summary.json `steps_per_s`. `--adapter swiftshader` gives Chromium WebGPU's software adapter
// (--enable-unsafe-webgpu --use-webgpu-adapter=swiftshader): the query's backend (auto by default) may then be webgpu.
// node packages/web/dist/server/bench.js [--query 'op=add&p=23&frac=0.5&seed=0'] [--steps 1000] [--adapter swiftshader]
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { chromium } from 'playwright-core'
import { buildSite } from './build.js'
import { serveSite } from './serve.js'

const main = async (): Promise<void> => {
  const { values } = parseArgs({
    options: {
      query: { type: 'string', default: 'op=add&p=23&frac=0.5&seed=0' },
      steps: { type: 'string', default: '1000' },
      adapter: { type: 'string' },
    },
  })
  const steps = Number(values.steps)
  if (!/^\d+$/.test(values.steps) || steps < 10) {
    throw new Error(`--steps: ${JSON.stringify(values.steps)} is not allowed (an integer ≥ 10)`)
  }
  const site = await serveSite(await buildSite(mkdtempSync(path.join(tmpdir(), 'grokscope-site-'))))
  const webgpu = values.adapter === undefined ? [] : ['--enable-unsafe-webgpu', `--use-webgpu-adapter=${values.adapter}`]
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', ...webgpu] })
  try {
    const page = await browser.newPage()
    await page.goto(`${site.url}?${values.query}&autostart=1`)
    // Polled from here: the page's content security policy refuses evaluating strings.
    const step = page.getByTestId('step')
    // Also timed from here: from the first step shown (10: past the start's evaluation) to --steps.
    let first: { readonly step: number; readonly ms: number } | null = null
    while (Number(await step.textContent()) < steps) {
      const now = Number(await step.textContent())
      if (first === null && now > 0) first = { step: now, ms: Date.now() }
      await page.waitForTimeout(200)
    }
    const end = { step: Number(await step.textContent()), ms: Date.now() }
    const perStep = first === null || end.step === first.step ? null : (end.ms - first.ms) / (end.step - first.step)
    const speed = await page.getByTestId('speed').textContent()
    const reached = await step.textContent()
    const task = await page.locator('#task').textContent()
    const backend = await page.getByTestId('backend').textContent()
    process.stdout.write(
      `browser (Chromium headless), ${backend}: ${values.query}: ${speed} steps/s over the first ${reached} steps` +
        (perStep === null ? '' : `, ${perStep.toFixed(0)} ms per step from step ${first!.step} to ${end.step}`) +
        ` (${task})\n`,
    )
  } finally {
    await browser.close()
    await site.close()
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(1)
})

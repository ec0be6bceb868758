// Golden images: a page rendered in Debian's Chromium at a fixed viewport, scale and font, compared with a committed
// PNG pixel by pixel (pixelmatch); the share of differing pixels must stay under a tolerance that absorbs anti-aliasing.
// UPDATE_GOLDENS=1 writes the screenshots as the new goldens instead (then look at them and commit them).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pixelmatch from 'pixelmatch'
import { chromium } from 'playwright-core'
import { PNG } from 'pngjs'

const CHROMIUM = '/usr/bin/chromium'

/** Write the screenshots as goldens instead of comparing (`UPDATE_GOLDENS=1`). */
export const UPDATE_GOLDENS = process.env.UPDATE_GOLDENS === '1'

/** Where a failed comparison leaves the screenshot and the diff image. */
export const GOLDEN_OUTPUT = path.join(process.env.GROKSCOPE_TEST_OUTPUT ?? path.join(tmpdir(), 'grokscope-test-output'), 'golden')

/**
 * The share of pixels allowed to differ: 0.02 %. Rendering the same page twice differs by 0 pixels here; pixelmatch's
 * colour threshold (0.1) absorbs anti-aliasing shades; giving the test series the train colour changes 0.1 % of a report.
 */
export const TOLERANCE = 0.0002

/** The fixed rendering: viewport width, device scale, and the fonts (DejaVu Sans, Debian's fonts-dejavu-core, which chromium pulls in). */
const VIEWPORT = { width: 1000, height: 800 } as const

/** Full-page screenshots of HTML documents (given as file paths) in one Chromium, in order. */
export const screenshots = async (files: ReadonlyArray<string>): Promise<ReadonlyArray<Buffer>> => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium`)
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--font-render-hinting=none', '--disable-lcd-text', '--force-color-profile=srgb', '--disable-gpu'] })
  try {
    const page = await browser.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1, colorScheme: 'light' })
    const shots: Buffer[] = []
    for (const file of files) {
      await page.goto(`file://${path.resolve(file)}`)
      await page.evaluate(() => document.fonts.ready)
      shots.push(await page.screenshot({ fullPage: true, animations: 'disabled', caret: 'hide' }))
    }
    return shots
  } finally {
    await browser.close()
  }
}

/** What a comparison found: the share of differing pixels, or why the images cannot be compared. */
export type GoldenResult = { readonly kind: 'updated' } | { readonly kind: 'compared'; readonly ratio: number } | { readonly kind: 'mismatch'; readonly reason: string }

/** Compares a screenshot with the golden `file` (or writes it there under UPDATE_GOLDENS=1); on a difference leaves the screenshot and the diff in GOLDEN_OUTPUT. */
export const compareGolden = (shot: Buffer, file: string): GoldenResult => {
  if (UPDATE_GOLDENS) {
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, shot)
    return { kind: 'updated' }
  }
  if (!existsSync(file)) return { kind: 'mismatch', reason: `${file} does not exist (UPDATE_GOLDENS=1 writes it)` }
  const actual = PNG.sync.read(shot)
  const golden = PNG.sync.read(readFileSync(file))
  mkdirSync(GOLDEN_OUTPUT, { recursive: true })
  const name = path.basename(file, '.png')
  if (actual.width !== golden.width || actual.height !== golden.height) {
    writeFileSync(path.join(GOLDEN_OUTPUT, `${name}.actual.png`), shot)
    return { kind: 'mismatch', reason: `${name}: ${actual.width}×${actual.height}, golden ${golden.width}×${golden.height}` }
  }
  const diff = new PNG({ width: golden.width, height: golden.height })
  const differing = pixelmatch(actual.data, golden.data, diff.data, golden.width, golden.height, { threshold: 0.1 })
  const ratio = differing / (golden.width * golden.height)
  if (ratio > TOLERANCE) {
    writeFileSync(path.join(GOLDEN_OUTPUT, `${name}.actual.png`), shot)
    writeFileSync(path.join(GOLDEN_OUTPUT, `${name}.diff.png`), PNG.sync.write(diff))
  }
  return { kind: 'compared', ratio }
}

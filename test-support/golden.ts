// Golden images: a page rendered in Debian's Chromium at a fixed viewport, scale and font, compared with a committed
// PNG pixel by pixel (pixelmatch); the share of differing pixels must stay under a tolerance that absorbs anti-aliasing.
// The page's rendered text (titles, tick labels, legends), which that tolerance can miss, is compared exactly with a
// committed .txt beside the PNG. UPDATE_GOLDENS=1 writes both as the new goldens instead (then look at them and commit them).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pixelmatch from 'pixelmatch'
import { chromium } from 'playwright-core'
import { PNG } from 'pngjs'

const CHROMIUM = '/usr/bin/chromium'

/** Write the screenshots as goldens instead of comparing (`UPDATE_GOLDENS=1`). */
export const UPDATE_GOLDENS = process.env.UPDATE_GOLDENS === '1'

/** Where a failed comparison leaves the screenshot and the diff image, or the rendered text. */
export const GOLDEN_OUTPUT = path.join(process.env.GROKSCOPE_TEST_OUTPUT ?? path.join(tmpdir(), 'grokscope-test-output'), 'golden')

/**
 * The share of pixels allowed to differ: 0.02 %. Rendering the same page twice differs by 0 pixels here; pixelmatch's
 * colour threshold (0.1) absorbs anti-aliasing shades; giving the test series the train colour changes 0.1 % of a report.
 */
export const TOLERANCE = 0.0002

/** The fixed rendering: viewport width, device scale, and the fonts (DejaVu Sans, Debian's fonts-dejavu-core, which chromium pulls in). */
const VIEWPORT = { width: 1000, height: 800 } as const

/** A rendered page: its full-page screenshot and its rendered text (`innerText`: every label of its figures, no tooltips). */
export interface Shot {
  readonly png: Buffer
  readonly text: string
}

/** Full-page screenshots of HTML documents (given as file paths) in one Chromium, in order, with their rendered text. */
export const screenshots = async (files: ReadonlyArray<string>): Promise<ReadonlyArray<Shot>> => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium`)
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--font-render-hinting=none', '--disable-lcd-text', '--force-color-profile=srgb', '--disable-gpu'],
  })
  try {
    const page = await browser.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1, colorScheme: 'light' })
    const shots: Shot[] = []
    for (const file of files) {
      await page.goto(`file://${path.resolve(file)}`)
      await page.evaluate(() => document.fonts.ready)
      const png = await page.screenshot({ fullPage: true, animations: 'disabled', caret: 'hide' })
      shots.push({ png, text: `${await page.evaluate(() => document.body.innerText)}\n` })
    }
    return shots
  } finally {
    await browser.close()
  }
}

/** What a comparison found: the share of differing pixels, or why the images cannot be compared. */
export type GoldenResult =
  | { readonly kind: 'updated' }
  | { readonly kind: 'compared'; readonly ratio: number }
  | { readonly kind: 'mismatch'; readonly reason: string }

/** The first line where two texts differ, as a mismatch's reason; null when they are equal. */
const textDifference = (name: string, actual: string, golden: string): string | null => {
  if (actual === golden) return null
  const a = actual.split('\n')
  const g = golden.split('\n')
  const at = a.findIndex((line, i) => line !== g[i])
  const i = at === -1 ? a.length : at
  return `${name}: rendered text line ${i + 1} is ${JSON.stringify(a[i] ?? '(none)')}, golden ${JSON.stringify(g[i] ?? '(none)')}`
}

/**
 * Compares a rendered page with the golden `file` (a PNG; its text beside it as .txt), or writes both there under
 * UPDATE_GOLDENS=1: the text must be equal, the pixels within TOLERANCE. On a difference leaves the screenshot, the
 * diff and the text in GOLDEN_OUTPUT.
 */
export const compareGolden = ({ png, text }: Shot, file: string): GoldenResult => {
  const textFile = file.replace(/\.png$/, '.txt')
  if (UPDATE_GOLDENS) {
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, png)
    writeFileSync(textFile, text)
    return { kind: 'updated' }
  }
  for (const f of [file, textFile]) {
    if (!existsSync(f)) return { kind: 'mismatch', reason: `${f} does not exist (UPDATE_GOLDENS=1 writes it)` }
  }
  mkdirSync(GOLDEN_OUTPUT, { recursive: true })
  const name = path.basename(file, '.png')
  const differentText = textDifference(name, text, readFileSync(textFile, 'utf8'))
  if (differentText !== null) {
    writeFileSync(path.join(GOLDEN_OUTPUT, `${name}.actual.txt`), text)
    return { kind: 'mismatch', reason: differentText }
  }
  const actual = PNG.sync.read(png)
  const golden = PNG.sync.read(readFileSync(file))
  if (actual.width !== golden.width || actual.height !== golden.height) {
    writeFileSync(path.join(GOLDEN_OUTPUT, `${name}.actual.png`), png)
    return { kind: 'mismatch', reason: `${name}: ${actual.width}×${actual.height}, golden ${golden.width}×${golden.height}` }
  }
  const diff = new PNG({ width: golden.width, height: golden.height })
  const differing = pixelmatch(actual.data, golden.data, diff.data, golden.width, golden.height, { threshold: 0.1 })
  const ratio = differing / (golden.width * golden.height)
  if (ratio > TOLERANCE) {
    writeFileSync(path.join(GOLDEN_OUTPUT, `${name}.actual.png`), png)
    writeFileSync(path.join(GOLDEN_OUTPUT, `${name}.diff.png`), PNG.sync.write(diff))
  }
  return { kind: 'compared', ratio }
}

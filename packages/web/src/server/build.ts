// Builds the static site: the page and the worker bundled by esbuild from the
// @grokscope packages' ESM builds, the HTML and CSS, and tfjs-backend-wasm's .wasm files.
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

/** The package's folder (this file is dist/server/build.js or src/server/build.ts). */
export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

/** Where the site is built by default. */
export const SITE_DIR = path.join(PACKAGE_DIR, 'dist', 'site')

/** Builds the site into `out` (emptied first); returns `out`. */
export const buildSite = async (out: string = SITE_DIR): Promise<string> => {
  rmSync(out, { recursive: true, force: true })
  mkdirSync(path.join(out, 'wasm'), { recursive: true })
  await build({
    entryPoints: [path.join(PACKAGE_DIR, 'src', 'page.ts'), path.join(PACKAGE_DIR, 'src', 'worker.ts')],
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  })
  for (const f of ['index.html', 'style.css']) copyFileSync(path.join(PACKAGE_DIR, 'static', f), path.join(out, f))
  const require = createRequire(path.join(PACKAGE_DIR, 'package.json'))
  const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))
  for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) copyFileSync(path.join(wasmDir, f), path.join(out, 'wasm', f))
  return out
}

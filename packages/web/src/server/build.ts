// Builds the static site: the page and the worker bundled by esbuild from the
// @grokscope packages' ESM builds, the HTML and CSS, and tfjs-backend-wasm's .wasm files.
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

/** The package's folder (this file is dist/server/build.js or src/server/build.ts). */
export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

/** Where the site is built by default. */
export const SITE_DIR = path.join(PACKAGE_DIR, 'dist', 'site')

/**
 * Builds the site into `out`, replacing what was there: the build goes into a folder
 * beside it, which then takes its place (a failed build leaves `out` as it was). Returns `out`.
 */
export const buildSite = async (out: string = SITE_DIR): Promise<string> => {
  const tmp = `${out}.${process.pid}.tmp`
  rmSync(tmp, { recursive: true, force: true })
  try {
    await buildInto(tmp)
    const old = `${out}.${process.pid}.old`
    if (existsSync(out)) renameSync(out, old)
    renameSync(tmp, out)
    rmSync(old, { recursive: true, force: true })
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
  return out
}

/** Builds the site into an empty folder. */
const buildInto = async (out: string): Promise<void> => {
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
}

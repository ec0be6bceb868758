// Vitest global setup: `tsc -b` (incremental) before any test, so a bare `npx vitest run` never tests a stale
// dist/ (the CLI's tests start packages/cli/dist/main.js, the web's build the page from the packages' dist/).
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

export const setup = (): void => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  const r = spawnSync(process.execPath, [tsc, '-b'], { cwd: root, encoding: 'utf8' })
  if (r.status !== 0) {
    throw new Error(`tsc -b failed (exit ${r.status ?? r.signal}): the tests would run a stale build\n${r.stdout}${r.stderr}`)
  }
}

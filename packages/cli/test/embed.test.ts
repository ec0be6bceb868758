// A user embeds single stages: @grokscope/data and @grokscope/measures, packed as
// they would be published, installed with npm into a plain Node project outside the workspace.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const packages = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

it('@grokscope/data and @grokscope/measures import and work from a plain Node project', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'grokscope-embed-'))
  for (const name of ['data', 'measures']) execFileSync('pnpm', ['pack', '--pack-destination', dir], { cwd: path.join(packages, name), stdio: 'pipe' })
  const tarballs = readdirSync(dir).filter((f) => f.endsWith('.tgz'))
  expect(tarballs).toHaveLength(2)
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }))
  execFileSync('npm', ['install', '--no-audit', '--no-fund', ...tarballs.map((t) => `./${t}`)], { cwd: dir, stdio: 'pipe' })
  writeFileSync(
    path.join(dir, 'main.js'),
    `import { decodeTask, makeDataset } from '@grokscope/data'
import { matrix, spectrum, ffd, fcr } from '@grokscope/measures'
const task = decodeTask({ p: 31, ops: ['add'], frac: 0.5, seed: 0 })
const d = makeDataset(task.right)
const p = 31
const W = matrix(p, 2, Array.from({ length: 2 * p }, (_, i) => Math.cos((2 * Math.PI * 3 * Math.floor(i / 2)) / p) + (i % 2) * Math.sin((2 * Math.PI * 3 * Math.floor(i / 2)) / p)))
const s = spectrum(W)
console.log(JSON.stringify({ train: d.train.size, test: d.test.size, ffd: ffd(s), fcr: fcr(s) }))
`,
  )
  const out = JSON.parse(execFileSync(process.execPath, ['main.js'], { cwd: dir, encoding: 'utf8' }))
  expect(out.train).toBe(480)
  expect(out.test).toBe(481)
  expect(out.ffd).toBeCloseTo(1 / 15, 12)
  expect(out.fcr).toBeGreaterThan(0)
}, 120_000)

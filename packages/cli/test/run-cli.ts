// Runs the built CLI as a user would (node dist/main.js …) and collects what it printed.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, lstatSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'

/** A copy of a trained run under its own name in a new temporary folder: to spoil, or to aim an output at. */
export const copyOf = (run: string): string => {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'grokscope-copy-')), path.basename(run))
  cpSync(run, out, { recursive: true })
  return out
}

/** Every entry under a folder with the SHA-256 of each file: equal digests, nothing changed. */
export const digest = (dir: string): string =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .sort()
    .map((f) => {
      const file = path.join(dir, f)
      return `${f}:${lstatSync(file).isFile() ? createHash('sha256').update(readFileSync(file)).digest('hex') : 'not a file'}`
    })
    .join('\n')

/** An error the CLI printed as its rule says: one line on stderr, exit code 2. */
export const oneLineError = (r: { code: number | null; stderr: string }, pattern: RegExp): void => {
  expect(r.code, r.stderr).toBe(2)
  expect(r.stderr).toMatch(/^grokscope: error: [^\n]+\n$/)
  expect(r.stderr).toMatch(pattern)
}

/** Trains a run per key (`grokscope train <args> --out <new folder>/<key>`), one after another; each must exit 0. */
export const trainRuns = async <K extends string>(specs: Readonly<Record<K, ReadonlyArray<string>>>): Promise<Record<K, string>> => {
  const root = mkdtempSync(path.join(tmpdir(), 'grokscope-runs-'))
  const runs: Partial<Record<K, string>> = {}
  for (const key of Object.keys(specs) as K[]) {
    const out = path.join(root, key)
    const r = await cli(['train', ...specs[key], '--out', out])
    expect(r.code, r.stderr).toBe(0)
    runs[key] = out
  }
  return runs as Record<K, string>
}

export const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/main.js')

export interface CliResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** Sends a signal to the process. */
export type Kill = (s: NodeJS.Signals) => void

/** Runs `grokscope args…`; `onStart` can send a signal at any time, `onStderr` sees progress as it comes. */
export const cli = (
  args: ReadonlyArray<string>,
  opts: { cwd?: string; onStart?: (kill: Kill) => void; onStderr?: (text: string, kill: Kill) => void } = {},
): Promise<CliResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    opts.onStart?.((s) => child.kill(s))
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
      opts.onStderr?.(stderr, (s) => child.kill(s))
    })
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })

/** Whether a process with this pid runs (signal 0 delivered). */
export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** The steps of a run folder's metrics.jsonl, in file order. */
export const metricSteps = (dir: string): number[] =>
  readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { step: number }).step)

// Runs the built CLI as a user would (node dist/main.js …) and collects what it printed.
import { spawn } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** A copy of a trained run under its own name in a new temporary folder: to spoil, or to aim an output at. */
export const copyOf = (run: string): string => {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'grokscope-copy-')), path.basename(run))
  cpSync(run, out, { recursive: true })
  return out
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

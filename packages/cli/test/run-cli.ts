// Runs the built CLI as a user would (node dist/main.js …) and collects what it printed.
import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/main.js')

export interface CliResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `grokscope args…`; `onStderr` sees progress as it comes (e.g. to send a signal). */
export const cli = (args: ReadonlyArray<string>, opts: { cwd?: string; onStderr?: (text: string, kill: (s: NodeJS.Signals) => void) => void } = {}): Promise<CliResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] })
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

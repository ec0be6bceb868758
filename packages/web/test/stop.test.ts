// `pnpm web` stops its server when it is stopped: a SIGTERM to the pnpm process, or pnpm killed outright, leaves no
// server process behind and the port closed.
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync, readdirSync, readlinkSync } from 'node:fs'
import { connect } from 'node:net'
import path from 'node:path'
import { expect, it } from 'vitest'
import { PACKAGE_DIR } from '../src/server/build.js'

const ROOT = path.resolve(PACKAGE_DIR, '../..')
const SERVER = 'packages/web/dist/server/main.js'

/** The pids of the web servers (`node packages/web/dist/server/main.js`) started from this checkout's root. */
const servers = (): ReadonlyArray<number> =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        const [exe, script] = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
        return path.basename(exe ?? '') === 'node' && script === SERVER && readlinkSync(`/proc/${pid}/cwd`) === ROOT
      } catch {
        return false
      }
    })
    .map(Number)

/** Whether something accepts connections on the port. */
const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.on('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.on('error', () => resolve(false))
  })

/** Starts `pnpm web --port 0` and waits for the URL it prints; its port. */
const startWeb = (): Promise<{ readonly pnpm: ChildProcess; readonly port: number }> =>
  new Promise((resolve, reject) => {
    const pnpm = spawn('pnpm', ['-s', 'web', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    pnpm.stdout.on('data', (b: Buffer) => {
      out += b.toString()
      const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out)
      if (m !== null) resolve({ pnpm, port: Number(m[1]) })
    })
    pnpm.stderr.on('data', (b: Buffer) => (out += b.toString()))
    pnpm.on('exit', (code) => reject(new Error(`pnpm web ended (${code}) before serving: ${out}`)))
  })

/** Waits until `done` holds, up to `ms`. */
const eventually = async (done: () => Promise<boolean>, ms: number): Promise<boolean> => {
  for (const t0 = Date.now(); Date.now() - t0 < ms; await new Promise((r) => setTimeout(r, 100))) if (await done()) return true
  return done()
}

for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
  it(`${signal} to the pnpm process of \`pnpm web\` stops its server: the port closes, no server process is left`, async () => {
    const before = new Set(servers())
    const { pnpm, port } = await startWeb()
    const started = servers().filter((pid) => !before.has(pid))
    try {
      expect(started).toHaveLength(1)
      expect(await listening(port)).toBe(true)
      pnpm.kill(signal)
      expect(await eventually(async () => !(await listening(port)), 10_000)).toBe(true)
      expect(await eventually(async () => !servers().includes(started[0]!), 5_000)).toBe(true)
    } finally {
      for (const pid of started.filter((p) => servers().includes(p))) process.kill(pid, 'SIGKILL')
    }
  }, 120_000)
}

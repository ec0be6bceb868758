// `pnpm web` (node dist/server/main.js): bad flags are one line, exit 2; a port in use is one line,
// and the site another server serves (dist/site) is left as it was.
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { type Server, createServer } from 'node:net'
import path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { WEB_DEFAULTS, parseWebArgs } from '../src/server/args.js'
import { PACKAGE_DIR, SITE_DIR } from '../src/server/build.js'

const MAIN = path.join(PACKAGE_DIR, 'dist', 'server', 'main.js')

/** Runs `node main.js args…` to its end. */
const web = (args: ReadonlyArray<string>): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })

const listening = (): Promise<{ server: Server; port: number }> =>
  new Promise((resolve) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      resolve({ server, port: typeof address === 'object' && address !== null ? address.port : 0 })
    })
  })

describe('parseWebArgs', () => {
  it('reads --port and --host, as two words or with =, and defaults to 8023 on 127.0.0.1', () => {
    expect(parseWebArgs([])).toEqual(E.right(WEB_DEFAULTS))
    expect(parseWebArgs(['--port', '0', '--host=0.0.0.0'])).toEqual(E.right({ port: 0, host: '0.0.0.0' }))
    expect(parseWebArgs(['--port=65535'])).toEqual(E.right({ port: 65535, host: '127.0.0.1' }))
  })

  it.each([
    [['--port', '-1'], '--port: "-1" is not allowed (an integer from 0 to 65535)'],
    [['--port=70000'], '--port: "70000" is not allowed (an integer from 0 to 65535)'],
    [['--port', ''], '--port: "" is not allowed (an integer from 0 to 65535)'],
    [['--port'], '--port needs a value (allowed: --port <0 to 65535> and --host <address>)'],
    [['--bogus'], '"--bogus" is not a flag of grokscope web (allowed: --port <0 to 65535> and --host <address>)'],
    [['8023'], '"8023" is not a flag of grokscope web (allowed: --port <0 to 65535> and --host <address>)'],
    [['--host', ''], '--host: an empty address is not allowed (e.g. 127.0.0.1, or 0.0.0.0 for every interface)'],
  ])('%j: %s', (argv, message) => {
    expect(parseWebArgs(argv)).toEqual(E.left(message))
  })
})

describe('grokscope web', () => {
  it.each([[['--port', '-1']], [['--bogus']], [['--port']]])('%j: one line, exit 2', async (args) => {
    const r = await web(args)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^grokscope web: [^\n]+\n$/)
    expect(r.stdout).toBe('')
  })

  it('a port in use: one line, exit 1, and dist/site (another server’s) left as it was', async () => {
    const { server, port } = await listening()
    mkdirSync(SITE_DIR, { recursive: true })
    const marker = path.join(SITE_DIR, `.probe-${process.pid}`)
    writeFileSync(marker, 'served by the first server\n')
    try {
      const r = await web(['--port', String(port)])
      expect(r.code).toBe(1)
      expect(r.stderr).toBe(
        `grokscope web: --port: 127.0.0.1:${port} is in use (another grokscope web?); allowed: a free port, or --port 0 for any free one\n`,
      )
      expect(readFileSync(marker, 'utf8')).toBe('served by the first server\n')
    } finally {
      rmSync(marker, { force: true })
      server.close()
    }
  })
})

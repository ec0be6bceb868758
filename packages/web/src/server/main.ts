// `pnpm web`: serves the site and builds it; prints the URL. Flags: --port <n> (default 8023; 0: a free port), --host <address>.
// The port is bound before the site is built, and the build replaces dist/site in one rename: a second
// `pnpm web` on a port in use fails without touching the site the first one serves.
// It stops with whatever started it: at SIGTERM, SIGINT or SIGHUP, and when its parent (pnpm) is gone, however it
// went (`kill -9` too): no server is left listening without the command that started it.
import * as E from 'fp-ts/lib/Either.js'
import { parseWebArgs } from './args.js'
import { SITE_DIR, buildSite } from './build.js'
import { serveSite } from './serve.js'

const fail = (message: string, code: number): never => {
  process.stderr.write(`grokscope web: ${message.replace(/\s*\n\s*/g, ' ')}\n`)
  process.exit(code)
}

/** How often the server looks whether its parent is still there, ms. */
const PARENT_POLL_MS = 500

/** Ends the process at a stop signal, and when its parent is gone (its parent pid changes: it was adopted). */
const stopWithParent = (): void => {
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => process.exit(0))
  const parent = process.ppid
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0)
  }, PARENT_POLL_MS).unref()
}

const main = async (): Promise<void> => {
  stopWithParent()
  const args = parseWebArgs(process.argv.slice(2))
  if (E.isLeft(args)) return fail(args.left, 2)
  const { port, host } = args.right
  const { url } = await serveSite(SITE_DIR, port, host).catch((e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE') {
      return fail(`--port: ${host}:${port} is in use (another grokscope web?); allowed: a free port, or --port 0 for any free one`, 1)
    }
    throw e
  })
  const site = await buildSite(SITE_DIR)
  process.stdout.write(`grokscope web: serving ${site}\n${url}\n${url}?op=add&p=23&frac=0.6&seed=0&autostart=1\n(Ctrl-C stops)\n`)
}

main().catch((e: unknown) => fail(e instanceof Error ? e.message : String(e), 1))

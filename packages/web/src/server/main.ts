// `pnpm web`: builds the site and serves it; prints the URL. Flags: --port <n> (default 8023; 0: a free port), --host <address>.
import { parseArgs } from 'node:util'
import { buildSite } from './build.js'
import { serveSite } from './serve.js'

const main = async (): Promise<void> => {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '8023' }, host: { type: 'string', default: '127.0.0.1' } } })
  const port = Number(values.port)
  if (!/^\d+$/.test(values.port) || port > 65535) {
    process.stderr.write(`grokscope web: --port: ${JSON.stringify(values.port)} is not allowed (an integer from 0 to 65535)\n`)
    process.exit(2)
  }
  const site = await buildSite()
  const { url } = await serveSite(site, port, values.host)
  process.stdout.write(`grokscope web: serving ${site}\n${url}\n${url}?op=add&p=23&frac=0.6&seed=0&autostart=1\n(Ctrl-C stops)\n`)
}

main().catch((e: unknown) => {
  process.stderr.write(`grokscope web: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(1)
})

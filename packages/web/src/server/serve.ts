// A small static file server for the site, with the cross-origin isolation headers
// (COOP/COEP) that let the WASM backend use SharedArrayBuffer where the browser allows.
import { createReadStream, statSync } from 'node:fs'
import { type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
}

/**
 * The headers of every response: cross-origin isolation, and a content security policy
 * that lets the page reach nothing but this server (the browser refuses any other request,
 * and says so on the console).
 */
export const SITE_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' blob:; worker-src 'self' blob:; img-src 'self' data: blob:; style-src 'self'",
}

/** A running server: its URL (`http://127.0.0.1:port/`) and how to stop it. */
export interface SiteServer {
  readonly url: string
  readonly server: Server
  readonly close: () => Promise<void>
}

/** The file under `root` that a request path names, or null (outside `root`, or not a file). */
const fileFor = (root: string, urlPath: string): string | null => {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '/')
  } catch {
    return null
  }
  const file = path.resolve(root, `.${decoded.endsWith('/') ? `${decoded}index.html` : decoded}`)
  if (file !== root && !file.startsWith(`${root}${path.sep}`)) return null
  try {
    return statSync(file).isFile() ? file : null
  } catch {
    return null
  }
}

/** Serves `root` on `host:port` (port 0: a free one); `log` hears each request's path and status. */
export const serveSite = (
  root: string,
  port = 0,
  host = '127.0.0.1',
  log: (path: string, status: number) => void = () => {},
): Promise<SiteServer> => {
  const base = path.resolve(root)
  const server = createServer((req, res) => {
    const readable = req.method === 'GET' || req.method === 'HEAD'
    const file = readable ? fileFor(base, req.url ?? '/') : null
    log(req.url ?? '/', file !== null ? 200 : readable ? 404 : 405)
    if (file === null) {
      res.writeHead(readable ? 404 : 405, { ...SITE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' })
      res.end('not found\n')
      return
    }
    res.writeHead(200, {
      ...SITE_HEADERS,
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'no-cache',
    })
    if (req.method === 'HEAD') res.end()
    else createReadStream(file).pipe(res)
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      const { port: bound } = server.address() as AddressInfo
      resolve({
        url: `http://${host}:${bound}/`,
        server,
        close: () => new Promise<void>((done) => server.close(() => done())),
      })
    })
  })
}

// The static server: cross-origin isolation headers, types, and nothing outside the site.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { get } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SiteServer, serveSite } from '../src/server/serve.js'

let site: SiteServer
const log: string[] = []

/** The status of a GET of `rawPath` exactly as given (fetch would normalise `..`). */
const statusOf = (rawPath: string): Promise<number | undefined> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(site.url)
    get({ hostname, port, path: rawPath }, (res) => {
      res.resume()
      resolve(res.statusCode)
    }).on('error', reject)
  })

beforeAll(async () => {
  const parent = mkdtempSync(path.join(tmpdir(), 'grokscope-serve-'))
  const root = path.join(parent, 'site')
  mkdirSync(path.join(root, 'wasm'), { recursive: true })
  writeFileSync(path.join(root, 'index.html'), '<!doctype html>')
  writeFileSync(path.join(root, 'wasm', 'x.wasm'), new Uint8Array([0, 97, 115, 109]))
  writeFileSync(path.join(parent, 'secret.txt'), 'secret')
  site = await serveSite(root, 0, '127.0.0.1', (p, status) => log.push(`${status} ${p}`))
})
afterAll(() => site.close())

describe('serveSite', () => {
  it('serves the page with COOP/COEP and a policy that allows only this server', async () => {
    const r = await fetch(site.url)
    expect(r.status).toBe(200)
    expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin')
    expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp')
    expect(r.headers.get('content-security-policy')).toContain("default-src 'self'")
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8')
  })

  it('serves .wasm as application/wasm, isolated too', async () => {
    const r = await fetch(`${site.url}wasm/x.wasm`)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe('application/wasm')
    expect(r.headers.get('cross-origin-resource-policy')).toBe('same-origin')
    expect(new Uint8Array(await r.arrayBuffer())).toEqual(new Uint8Array([0, 97, 115, 109]))
  })

  it('answers 404 for missing files and for paths outside the site, 405 for other methods', async () => {
    expect((await fetch(`${site.url}missing.js`)).status).toBe(404)
    expect(await statusOf('/../secret.txt')).toBe(404)
    expect(await statusOf('/%2e%2e/secret.txt')).toBe(404)
    expect(await statusOf('/wasm/..%2f..%2fsecret.txt')).toBe(404)
    expect((await fetch(`${site.url}%E0%A4%A`)).status).toBe(404)
    expect((await fetch(site.url, { method: 'POST' })).status).toBe(405)
    expect(log).toContain('404 /%2e%2e/secret.txt')
  })
})

// The state's base64 is RFC 4648, byte for byte what Node's Buffer (which wrote state.json before) gives.
import fc from 'fast-check'
import { expect, it } from 'vitest'
import { base64Length, decodeBase64, encodeBase64 } from '../src/internal/base64.js'

it('encodeBase64 equals Buffer’s base64 for any bytes (1,000 cases)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 20_000 }), (bytes) => {
      expect(encodeBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'))
    }),
    { numRuns: 1000 },
  )
})

it('decodeBase64 inverts it, and base64Length tells the decoded size without decoding (1,000 cases)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2_000 }), (bytes) => {
      const text = Buffer.from(bytes).toString('base64')
      expect(decodeBase64(text)).toEqual(bytes)
      expect(base64Length(text)).toBe(bytes.length)
    }),
    { numRuns: 1000 },
  )
})

const BASE64 = /^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

it('padded base64 decodes as Buffer decodes it; anything else decodes to null (3,000 cases)', () => {
  const chars = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=', '-', '_', ' ', '\n', 'é')
  const quads = fc.array(fc.array(chars, { minLength: 4, maxLength: 4 }).map((q) => q.join('')), { maxLength: 10 }).map((q) => q.join(''))
  fc.assert(
    fc.property(fc.oneof(quads, fc.string({ maxLength: 40 })), (text) => {
      const d = decodeBase64(text)
      if (BASE64.test(text)) expect(d).toEqual(new Uint8Array(Buffer.from(text, 'base64')))
      else expect(d).toBeNull()
    }),
    { numRuns: 3000 },
  )
})

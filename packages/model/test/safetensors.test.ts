// The safetensors codec: round trips, the reference library's layout, and fuzzing of the decoder.
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type HostTensor,
  type SafetensorsFile,
  DTYPE_SIZES,
  MAX_HEADER_BYTES,
  decodeHeaderLength,
  decodeSafetensors,
  decodeSafetensorsHeader,
  encodeSafetensors,
  float32Tensor,
} from '../src/index.js'
import { utf8Decode, utf8Encode } from '../src/internal/utf8.js'
import { rawSafetensors } from './arbitraries.js'

/** Cases per property. */
const RUNS = { roundTrip: 200, mutated: 2000, anything: 1000 } as const

const tensor: fc.Arbitrary<HostTensor> = fc
  .array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 })
  .chain((shape) =>
    fc
      .float32Array({ minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) })
      .map((data) => ({ shape, data })),
  )

const tensors = fc.dictionary(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).filter((s) => s !== '__metadata__' && s !== '__proto__'),
  tensor,
  { maxKeys: 6 },
)
const metadata = fc.dictionary(fc.string({ maxLength: 8 }).filter((s) => s !== '__proto__'), fc.string({ maxLength: 20 }), { maxKeys: 3 })

/** The decoder's law on any input: a one-line `safetensors:` message, or tensors whose bytes match dtype and shape. */
const lawful = (r: E.Either<string, SafetensorsFile>): boolean =>
  E.isLeft(r)
    ? r.left.startsWith('safetensors: ') && !/[\r\n]/.test(r.left) && r.left.length < 300
    : Object.values(r.right.tensors).every((t) => t.bytes.length === t.shape.reduce((a, b) => a * b, 1) * DTYPE_SIZES[t.dtype])

const sameBits = (a: Float32Array, b: Float32Array): boolean =>
  a.length === b.length && a.every((x, i) => Object.is(x, b[i]) || (Number.isNaN(x) && Number.isNaN(b[i])))

describe('safetensors', () => {
  it('decode(encode(tensors, metadata)) gives the same tensors, bit for bit, and the same metadata', () => {
    fc.assert(
      fc.property(tensors, metadata, (ts, md) => {
        const file = decodeSafetensors(encodeSafetensors(ts, md))
        if (E.isLeft(file)) return false
        const back = Object.keys(ts).map((k) => float32Tensor(k)(file.right))
        return (
          Object.keys(file.right.tensors).length === Object.keys(ts).length &&
          back.every(
            (r, i) =>
              E.isRight(r) && r.right.shape.join(',') === ts[Object.keys(ts)[i]!]!.shape.join(',') &&
              sameBits(r.right.data, ts[Object.keys(ts)[i]!]!.data),
          ) &&
          JSON.stringify(file.right.metadata) === JSON.stringify(Object.keys(md).length > 0 ? md : {})
        )
      }),
      { numRuns: RUNS.roundTrip },
    )
  })

  it('lays the file out as the reference library does: u64 LE header length, a multiple of 8, space padding, tensors in name order', () => {
    const bytes = encodeSafetensors(
      { b: { shape: [1], data: Float32Array.of(2) }, a: { shape: [2], data: Float32Array.of(1, -0.5) } },
      { format: 'pt' },
    )
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true))
    expect(n % 8).toBe(0)
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + n))
    expect(header.trimEnd()).toBe(
      '{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
        '"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}',
    )
    expect(/^ *$/.test(header.slice(header.trimEnd().length))).toBe(true)
    expect(Array.from(bytes.subarray(8 + n))).toEqual([0, 0, 0x80, 0x3f, 0, 0, 0, 0xbf, 0, 0, 0, 0x40])
  })

  it('reads other dtypes (a BOOL mask, an I64 scalar) as bytes, and float32Tensor refuses them with the allowed dtype', () => {
    const bytes = rawSafetensors([
      { name: 'mask', dtype: 'BOOL', shape: [2, 2], bytes: Uint8Array.of(1, 0, 1, 1) },
      { name: 'n', dtype: 'I64', shape: [], bytes: new Uint8Array(8) },
      { name: 'w', dtype: 'BF16', shape: [1], bytes: new Uint8Array(2) },
    ])
    const file = decodeSafetensors(bytes)
    expect(E.isRight(file) && file.right.tensors.mask?.dtype).toBe('BOOL')
    expect(E.chain(float32Tensor('w'))(file)).toEqual(
      E.left('safetensors: w has dtype BF16 (allowed: F32; in PyTorch, save it with .float())'),
    )
    expect(E.chain(float32Tensor('x'))(file)).toEqual(E.left('safetensors: x is missing'))
  })

  it('a header length past the file or past the bound is a Left that says so', () => {
    const big = new Uint8Array(16)
    new DataView(big.buffer).setBigUint64(0, BigInt(MAX_HEADER_BYTES) + 1n, true)
    expect(decodeSafetensors(big)).toEqual(
      E.left(`safetensors: the header length ${MAX_HEADER_BYTES + 1} is more than the ${MAX_HEADER_BYTES} bytes allowed`),
    )
    new DataView(big.buffer).setBigUint64(0, 2n ** 64n - 1n, true)
    expect(E.isLeft(decodeSafetensors(big))).toBe(true)
    new DataView(big.buffer).setBigUint64(0, 9n, true)
    expect(decodeSafetensors(big)).toEqual(E.left('safetensors: the header length 9 runs past the end of the 16-byte file'))
    expect(decodeSafetensors(new Uint8Array(3))).toEqual(E.left('safetensors: the file has 3 bytes, fewer than the 8 of the header length'))
  })

  it('decodeHeaderLength: any u64 length and file size give Right ' +
    'exactly when 8 + length fits the file and the bound (it sees 8 bytes, nothing more)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.integer({ min: 0, max: 2 ** 42 }), (n, size) => {
        const first = new Uint8Array(8)
        new DataView(first.buffer).setBigUint64(0, n, true)
        const r = decodeHeaderLength(first, size)
        const fits = size >= 8 && n <= BigInt(MAX_HEADER_BYTES) && 8n + n <= BigInt(size)
        expect(r).toEqual(
          fits
            ? E.right(Number(n))
            : E.left(
                expect.stringMatching(
                  /^safetensors: (the header length \d+ (is more than|runs past)|the file has \d+ bytes)/,
                ) as unknown as string,
              ),
        )
      }),
      { numRuns: RUNS.anything },
    )
  })

  it('decodeSafetensorsHeader, then the tensors read at their offsets, gives what decodeSafetensors gives', () => {
    fc.assert(
      fc.property(tensors, metadata, (ts, md) => {
        const bytes = encodeSafetensors(ts, md)
        const n = Number(new DataView(bytes.buffer).getBigUint64(0, true))
        const layout = decodeSafetensorsHeader(bytes.subarray(8, 8 + n), bytes.length - 8 - n)
        const whole = decodeSafetensors(bytes)
        if (E.isLeft(layout) || E.isLeft(whole)) throw new Error('a valid file did not decode')
        expect(layout.right.metadata).toEqual(whole.right.metadata)
        for (const [name, e] of Object.entries(layout.right.tensors)) {
          expect(bytes.subarray(8 + n + e.begin, 8 + n + e.end)).toEqual(whole.right.tensors[name]!.bytes)
        }
        expect(decodeSafetensorsHeader(bytes.subarray(8, 8 + n), bytes.length - 8 - n + 4)).toEqual(
          E.left(expect.stringMatching(/^safetensors: the tensors cover \d+ bytes of data, the file holds \d+$/) as unknown as string),
        )
      }),
      { numRuns: RUNS.roundTrip },
    )
  })

  it('offsets that leave a gap, overlap, or disagree with dtype and shape are a Left naming the tensor', () => {
    const entry = (name: string, offsets: number[], shape = [1]) => ({ name, dtype: 'F32', shape, offsets, bytes: new Uint8Array(4) })
    const gap = rawSafetensors([entry('a', [0, 4]), entry('b', [8, 12])], {}, 12)
    expect(decodeSafetensors(gap)).toEqual(
      E.left('safetensors: "b" starts at byte 8 of the data, expected 4 (tensors must tile the data without gaps or overlaps)'),
    )
    const overlap = rawSafetensors([entry('a', [0, 4]), entry('b', [0, 4])], {}, 4)
    expect(E.isLeft(decodeSafetensors(overlap))).toBe(true)
    const wrongSize = rawSafetensors([entry('a', [0, 4], [2])], {}, 4)
    expect(decodeSafetensors(wrongSize)).toEqual(E.left('safetensors: "a".data_offsets [0, 4] hold 4 bytes, its dtype and shape need 8'))
    const shortData = rawSafetensors([entry('a', [0, 4])], {}, 2)
    expect(E.isLeft(decodeSafetensors(shortData))).toBe(true)
    const unknownDtype = rawSafetensors([{ name: 'a', dtype: 'F128', shape: [1], bytes: new Uint8Array(4) }])
    expect(decodeSafetensors(unknownDtype)).toEqual(
      E.left(`safetensors: "a" has dtype "F128" (allowed: ${Object.keys(DTYPE_SIZES).join(', ')})`),
    )
  })

  it('any byte changed, dropped or appended in a valid file gives a lawful answer and never throws', () => {
    const valid = encodeSafetensors(
      { 'blocks.0.attn.W_Q': { shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) }, b: { shape: [], data: Float32Array.of(7) } },
      { format: 'pt' },
    )
    const seen = { right: 0, left: 0 }
    fc.assert(
      fc.property(
        fc.oneof(
          fc
            .record({ at: fc.nat(valid.length - 1), value: fc.integer({ min: 0, max: 255 }) })
            .map(({ at, value }) => Uint8Array.from(valid, (b, i) => (i === at ? value : b))),
          fc.nat(valid.length).map((n) => valid.slice(0, n)),
          fc.uint8Array({ maxLength: 16 }).map((extra) => Uint8Array.from([...valid, ...extra])),
        ),
        (bytes) => {
          const r = decodeSafetensors(bytes)
          seen[E.isRight(r) ? 'right' : 'left']++
          return lawful(r)
        },
      ),
      { numRuns: RUNS.mutated },
    )
    expect(seen.right).toBeGreaterThan(0)
    expect(seen.left).toBeGreaterThan(0)
  })

  it('any bytes at all, and any header JSON, give a lawful answer', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => lawful(decodeSafetensors(bytes))), { numRuns: RUNS.anything })
    fc.assert(
      fc.property(fc.jsonValue(), fc.uint8Array({ maxLength: 16 }), (header, data) => {
        const json = new TextEncoder().encode(JSON.stringify(header))
        const bytes = new Uint8Array(8 + json.length + data.length)
        new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true)
        bytes.set(json, 8)
        bytes.set(data, 8 + json.length)
        return lawful(decodeSafetensors(bytes))
      }),
      { numRuns: RUNS.anything },
    )
  })

  it('its UTF-8 agrees with TextEncoder, and with TextDecoder in fatal mode on any bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => Buffer.from(utf8Encode(s)).equals(Buffer.from(new TextEncoder().encode(s)))),
      { numRuns: RUNS.anything },
    )
    const fatal = (b: Uint8Array): string | undefined => {
      try {
        return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b)
      } catch {
        return undefined
      }
    }
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 12 }), fc.string({ unit: 'binary' }).map((s) => new TextEncoder().encode(s)))
    fc.assert(fc.property(bytes, (b) => utf8Decode(b) === fatal(b)), { numRuns: RUNS.anything })
  })
})

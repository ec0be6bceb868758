/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length,
 * a JSON header (`{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__ }`,
 * padded with spaces to a multiple of 8 bytes) and the tensors' raw little-endian
 * bytes, back to back. Pure: bytes in, bytes out, no Node.
 *
 * The decoder checks what the reference library checks (header size, offsets that
 * tile the data exactly, byte counts that match dtype and shape) and returns
 * `Left` with a one-line message starting `safetensors:` for anything else.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { decodeSafetensors, encodeSafetensors, float32Tensor } from '@grokscope/model'
 * const bytes = encodeSafetensors({ W: { shape: [2], data: Float32Array.of(1, 2) } }, { format: 'pt' })
 * const file = decodeSafetensors(bytes)                  // Right({ metadata, tensors })
 * E.chain(float32Tensor('W'))(file)  // => E.right({ shape: [2], data: Float32Array.of(1, 2) })
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { HostTensor } from './Params.js'
import { utf8Decode, utf8Encode } from './internal/utf8.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** Bytes per element of each safetensors dtype (`BOOL` is one byte). */
export const DTYPE_SIZES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
} as const

/** A safetensors dtype. */
export type Dtype = keyof typeof DTYPE_SIZES

/** One tensor of a decoded file: its dtype, shape and raw bytes (a view into the file). */
export interface SafetensorsEntry {
  readonly dtype: Dtype
  readonly shape: ReadonlyArray<number>
  readonly bytes: Uint8Array
}

/** A decoded file: `__metadata__` (string to string) and the tensors by name. */
export interface SafetensorsFile {
  readonly metadata: Readonly<Record<string, string>>
  readonly tensors: Readonly<Record<string, SafetensorsEntry>>
}

/** The largest header the reference library reads: 100,000,000 bytes. */
export const MAX_HEADER_BYTES = 100_000_000

// ─────────────────────────────────────────────────────────────────────────────
// encoding
// ─────────────────────────────────────────────────────────────────────────────

/**
 * A safetensors file of float32 tensors. Tensors are laid out in name order, the
 * header is padded with spaces to a multiple of 8 bytes (as the reference library
 * does), so the data is aligned for every dtype. Throws a `RangeError` if a tensor's
 * values do not fill its shape (a programming error: the caller builds them).
 */
export const encodeSafetensors = (
  tensors: Readonly<Record<string, HostTensor>>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array => {
  const names = Object.keys(tensors).sort()
  const header: Record<string, unknown> = Object.keys(metadata).length > 0 ? { __metadata__: metadata } : {}
  let offset = 0
  for (const name of names) {
    const t = tensors[name]!
    const size = t.shape.reduce((a, b) => a * b, 1)
    if (t.data.length !== size) throw new RangeError(`safetensors: ${name} has ${t.data.length} values for shape [${t.shape.join(',')}]`)
    header[name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + 4 * size] }
    offset += 4 * size
  }
  const json = utf8Encode(JSON.stringify(header))
  const headerLength = Math.ceil(json.length / 8) * 8
  const out = new Uint8Array(8 + headerLength + offset)
  const view = new DataView(out.buffer)
  view.setBigUint64(0, BigInt(headerLength), true)
  out.set(json, 8)
  out.fill(0x20, 8 + json.length, 8 + headerLength)
  let at = 8 + headerLength
  for (const name of names) {
    for (const x of tensors[name]!.data) {
      view.setFloat32(at, x, true)
      at += 4
    }
  }
  return out
}

// ─────────────────────────────────────────────────────────────────────────────
// decoding
// ─────────────────────────────────────────────────────────────────────────────

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

const isDtype = (u: unknown): u is Dtype => typeof u === 'string' && Object.hasOwn(DTYPE_SIZES, u)

const isCount = (u: unknown): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0

/** A name as an error message shows it: quoted, at most 60 characters, on one line. */
const quote = (name: string): string => JSON.stringify(name.length > 60 ? `${name.slice(0, 57)}...` : name)

const left = (message: string): E.Either<string, never> => E.left(`safetensors: ${message}`)

/** One header entry, checked on its own (offsets are checked against each other afterwards). */
const decodeEntry = (name: string, u: unknown): E.Either<string, { dtype: Dtype; shape: number[]; begin: number; end: number }> => {
  if (!isRecord(u)) return left(`${quote(name)} is not an object with dtype, shape and data_offsets`)
  const { dtype, shape, data_offsets: offsets } = u
  if (!isDtype(dtype)) {
    return left(
      `${quote(name)} has dtype ${JSON.stringify(dtype)?.slice(0, 20) ?? 'undefined'} (allowed: ${Object.keys(DTYPE_SIZES).join(', ')})`,
    )
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) return left(`${quote(name)}.shape is not an array of non-negative integers`)
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    return left(`${quote(name)}.data_offsets is not [begin, end] with non-negative integers`)
  }
  const [begin, end] = [offsets[0]!, offsets[1]!]
  const bytes = shape.reduce((a, b) => a * b, 1) * DTYPE_SIZES[dtype]
  if (!Number.isSafeInteger(bytes)) return left(`${quote(name)} has shape [${shape.join(',')}], too large`)
  if (end < begin || end - begin !== bytes) {
    return left(`${quote(name)}.data_offsets [${begin}, ${end}] hold ${end - begin} bytes, its dtype and shape need ${bytes}`)
  }
  return E.right({ dtype, shape, begin, end })
}

/** Where a tensor's bytes are in a file's data (after the 8-byte length and the header): `[begin, end)`. */
export interface SafetensorsLayoutEntry {
  readonly dtype: Dtype
  readonly shape: ReadonlyArray<number>
  readonly begin: number
  readonly end: number
}

/** A file's header, decoded and checked against the size of its data: the metadata and where each tensor is. */
export interface SafetensorsLayout {
  readonly metadata: Readonly<Record<string, string>>
  readonly tensors: Readonly<Record<string, SafetensorsLayoutEntry>>
}

/**
 * The header length that a file's first 8 bytes give, checked against the file's size
 * and `MAX_HEADER_BYTES` before anything else is read: a reader allocates the header
 * only once this is `Right`.
 */
export const decodeHeaderLength = (first: Uint8Array, fileSize: number): E.Either<string, number> => {
  if (fileSize < 8 || first.length < 8) return left(`the file has ${fileSize} bytes, fewer than the 8 of the header length`)
  const n = new DataView(first.buffer, first.byteOffset, 8).getBigUint64(0, true)
  if (n > BigInt(MAX_HEADER_BYTES)) return left(`the header length ${n} is more than the ${MAX_HEADER_BYTES} bytes allowed`)
  const headerLength = Number(n)
  if (8 + headerLength > fileSize) return left(`the header length ${headerLength} runs past the end of the ${fileSize}-byte file`)
  return E.right(headerLength)
}

/**
 * The header's bytes decoded into a layout, checked against the size of the data that
 * follows it (`dataBytes`): a JSON object, known dtypes, offsets that tile the data
 * exactly, string metadata. Nothing of the data is needed: a reader can check a file
 * this way, then read each tensor at its offset.
 */
export const decodeSafetensorsHeader = (headerBytes: Uint8Array, dataBytes: number): E.Either<string, SafetensorsLayout> => {
  const text = utf8Decode(headerBytes)
  if (text === undefined) return left('the header is not UTF-8')
  let header: unknown
  try {
    header = JSON.parse(text)
  } catch {
    return left('the header is not JSON')
  }
  if (!isRecord(header)) return left('the header is not a JSON object')
  let metadata: Record<string, string> = {}
  const entries: Array<{ name: string; dtype: Dtype; shape: number[]; begin: number; end: number }> = []
  for (const [name, u] of Object.entries(header)) {
    if (name === '__metadata__') {
      const strings = isRecord(u) ? Object.entries(u).filter((kv): kv is [string, string] => typeof kv[1] === 'string') : []
      if (!isRecord(u) || strings.length !== Object.keys(u).length) return left('__metadata__ is not an object of strings')
      metadata = Object.fromEntries(strings)
      continue
    }
    const entry = decodeEntry(name, u)
    if (E.isLeft(entry)) return entry
    entries.push({ name, ...entry.right })
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end)
  let next = 0
  for (const e of entries) {
    if (e.begin !== next) {
      return left(
        `${quote(e.name)} starts at byte ${e.begin} of the data, expected ${next} (tensors must tile the data without gaps or overlaps)`,
      )
    }
    next = e.end
  }
  if (next !== dataBytes) return left(`the tensors cover ${next} bytes of data, the file holds ${dataBytes}`)
  return E.right({ metadata, tensors: Object.fromEntries(entries.map(({ name, ...e }) => [name, e])) })
}

/**
 * Decodes a safetensors file. Never throws: any bytes give either every tensor as a
 * view of its bytes, or a one-line message starting `safetensors:` (a header length
 * past the file or past `MAX_HEADER_BYTES`, a header that is not a JSON object, an
 * unknown dtype, offsets that do not tile the data exactly, a non-string metadata value).
 */
export const decodeSafetensors = (bytes: Uint8Array): E.Either<string, SafetensorsFile> => {
  const headerLength = decodeHeaderLength(bytes, bytes.length)
  if (E.isLeft(headerLength)) return headerLength
  const n = headerLength.right
  const layout = decodeSafetensorsHeader(bytes.subarray(8, 8 + n), bytes.length - 8 - n)
  if (E.isLeft(layout)) return layout
  const data = bytes.subarray(8 + n)
  const tensors: Record<string, SafetensorsEntry> = {}
  for (const [name, e] of Object.entries(layout.right.tensors)) {
    tensors[name] = { dtype: e.dtype, shape: e.shape, bytes: data.subarray(e.begin, e.end) }
  }
  return E.right({ metadata: layout.right.metadata, tensors })
}

/**
 * Tensor `name` of a decoded file as float32 values (read little-endian, whatever the
 * platform). `Left` if it is missing or not `F32`.
 */
export const float32Tensor =
  (name: string) =>
  (file: SafetensorsFile): E.Either<string, HostTensor> => {
    const entry = file.tensors[name]
    if (entry === undefined) return left(`${name} is missing`)
    if (entry.dtype !== 'F32') return left(`${name} has dtype ${entry.dtype} (allowed: F32; in PyTorch, save it with .float())`)
    const view = new DataView(entry.bytes.buffer, entry.bytes.byteOffset, entry.bytes.byteLength)
    const values = new Float32Array(entry.bytes.byteLength / 4)
    for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(4 * i, true)
    return E.right({ shape: entry.shape, data: values })
  }

// Shared generators for the model's properties: weights files, valid and damaged.
import fc from 'fast-check'
import { type HostParams, type ModelConfig, encodeWeightsFile, paperConfig, paramShapes } from '../src/index.js'

/** Small models, every size at least 2 (so that wrapping or unwrapping an array always changes a length or a depth). */
/** Small shapes: every code path (heads, layers, positions, activations) at a size a float64 reference can check. */
export const tiny = (over: Partial<ModelConfig>): ModelConfig =>
  paperConfig({ dVocab: 7, nOut: 5, dModel: 8, nHeads: 2, dHead: 4, dMlp: 12, ...over })

export const FUZZ_CONFIGS: ReadonlyArray<ModelConfig> = [
  paperConfig({ dVocab: 6, nOut: 5, dModel: 4, nHeads: 2, dHead: 3, dMlp: 5 }), // short names (W_E, W_Q, …)
  // full names
  paperConfig({ dVocab: 5, nOut: 4, dModel: 3, nHeads: 2, dHead: 2, dMlp: 4, nLayers: 2, positionalEmbedding: true, act: 'gelu' }),
]

/** The config fields of the weights file. */
export const CONFIG_FIELDS = [
  'd_vocab',
  'n_out',
  'n_ctx',
  'd_model',
  'n_heads',
  'd_head',
  'd_mlp',
  'n_layers',
  'act',
  'positional_embedding',
  'layer_norm',
  'bias',
] as const

/** Values no weight may hold (some cannot come from JSON.parse, but the decoder takes any value). */
export const BAD_LEAVES: ReadonlyArray<unknown> = [
  NaN,
  Infinity,
  -Infinity,
  1e39,
  -3.5e38,
  1e308,
  -Number.MAX_VALUE,
  '1',
  'NaN',
  '',
  null,
  true,
  false,
  [],
  [1],
  {},
  undefined,
]

/** Config values worth trying: out of range, non-integer, past the bounds, wrongly typed. */
export const ODD_CONFIG_VALUES: ReadonlyArray<unknown> = [
  0,
  -1,
  1,
  2,
  1.5,
  3,
  1e9,
  2 ** 16,
  2 ** 16 + 1,
  2 ** 31,
  2 ** 53,
  NaN,
  Infinity,
  -Infinity,
  '8',
  '',
  null,
  true,
  false,
  [],
  [8],
  {},
  'relu',
  'gelu',
  'tanh',
]

/** A weights document as `JSON.parse` gives it, with a deterministic value in every weight. */
export const documentOf = (
  c: ModelConfig,
  seed = 1,
): { config: Record<string, unknown>; weights: Record<string, unknown>; shapes: Record<string, unknown> } => {
  let s = seed
  const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), Math.fround((s / 2 ** 32) * 2 - 1))
  const host: HostParams = Object.fromEntries(
    paramShapes(c).map(([name, shape]) => [name, { shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, next) }]),
  )
  return JSON.parse(JSON.stringify(encodeWeightsFile(c, host, { p: c.nOut, ops: ['add'] }))) as ReturnType<typeof documentOf>
}

// ─────────────────────────────────────────────────────────────────────────────
// truncation
// ─────────────────────────────────────────────────────────────────────────────

/** The closing brackets that complete a prefix of JSON text, or undefined when it ends inside a string. */
const closers = (prefix: string): string | undefined => {
  const open: string[] = []
  let inString = false
  for (let i = 0; i < prefix.length; i++) {
    const ch = prefix[i]!
    if (inString) {
      if (ch === '\\') i++
      else if (ch === '"') inString = false
    } else if (ch === '"') inString = true
    else if (ch === '{' || ch === '[') open.push(ch === '{' ? '}' : ']')
    else if (ch === '}' || ch === ']') open.pop()
  }
  return inString ? undefined : open.reverse().join('')
}

/**
 * `text` cut after `cut` characters, then backed off until closing its open brackets
 * gives JSON that parses: what a truncated write leaves, made parseable (the caller
 * only hands the decoder what `JSON.parse` accepted). Undefined if no prefix parses.
 */
export const truncatedJson = (text: string, cut: number): { readonly value: unknown } | undefined => {
  for (let end = Math.min(cut, text.length); end > 0; end--) {
    const prefix = text.slice(0, end)
    const close = closers(prefix)
    if (close === undefined) continue
    try {
      return { value: JSON.parse(prefix + close) as unknown }
    } catch {
      // back off one more character
    }
  }
  return undefined
}

/** A valid document's text truncated at a random point and closed. */
export const truncatedDocument: fc.Arbitrary<unknown> = fc
  .constantFrom(...FUZZ_CONFIGS)
  .chain((c) => {
    const text = JSON.stringify(documentOf(c))
    return fc.integer({ min: 1, max: text.length }).map((cut) => truncatedJson(text, cut)?.value ?? null)
  })

// ─────────────────────────────────────────────────────────────────────────────
// damage inside a valid document
// ─────────────────────────────────────────────────────────────────────────────

/** How an array of a weight is damaged; each changes a length or the depth. */
export type ShapeDamage = 'drop' | 'duplicate' | 'wrap' | 'unwrap' | 'empty' | 'scalar'

const damage = (x: unknown, path: ReadonlyArray<number>, how: ShapeDamage): unknown => {
  if (path.length > 0 && Array.isArray(x)) {
    const [i, ...rest] = path
    const j = i! % x.length
    return x.map((y: unknown, k) => (k === j ? damage(y, rest, how) : y))
  }
  const xs = x as unknown[]
  switch (how) {
    case 'drop':
      return xs.slice(1)
    case 'duplicate':
      return [...xs, xs[0]]
    case 'wrap':
      return [x]
    case 'unwrap':
      return xs[0]
    case 'empty':
      return []
    case 'scalar':
      return 0.5
  }
}

const weightKeys = (doc: ReturnType<typeof documentOf>): string[] => Object.keys(doc.weights)

/** A valid document with one array of one weight damaged; the weight's file key comes with it. */
export const wrongShapeDocument: fc.Arbitrary<{ readonly doc: unknown; readonly key: string }> = fc
  .record({
    c: fc.constantFrom(...FUZZ_CONFIGS),
    pick: fc.nat(),
    depth: fc.nat({ max: 2 }),
    path: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
    how: fc.constantFrom<ShapeDamage>('drop', 'duplicate', 'wrap', 'unwrap', 'empty', 'scalar'),
  })
  .map(({ c, pick, depth, path, how }) => {
    const doc = documentOf(c)
    const key = weightKeys(doc)[pick % weightKeys(doc).length]!
    const rank = (doc.shapes[key] as number[]).length
    return { doc: { ...doc, weights: { ...doc.weights, [key]: damage(doc.weights[key], path.slice(0, depth % rank), how) } }, key }
  })

/** A valid document with one entry of one weight replaced by a value no weight may hold. */
export const badNumberDocument: fc.Arbitrary<{ readonly doc: unknown; readonly key: string }> = fc
  .record({
    c: fc.constantFrom(...FUZZ_CONFIGS),
    pick: fc.nat(),
    path: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
    leaf: fc.constantFrom(...BAD_LEAVES),
  })
  .map(({ c, pick, path, leaf }) => {
    const doc = documentOf(c)
    const key = weightKeys(doc)[pick % weightKeys(doc).length]!
    const rank = (doc.shapes[key] as number[]).length
    const replace = (x: unknown, rest: ReadonlyArray<number>): unknown =>
      rest.length === 0 ? leaf : (x as unknown[]).map((y, k) => (k === rest[0]! % (x as unknown[]).length ? replace(y, rest.slice(1)) : y))
    return { doc: { ...doc, weights: { ...doc.weights, [key]: replace(doc.weights[key], path.slice(0, rank)) } }, key }
  })

/** A valid document with config fields deleted or set to odd or random values. */
export const badConfigDocument: fc.Arbitrary<unknown> = fc
  .record({
    c: fc.constantFrom(...FUZZ_CONFIGS),
    edits: fc.array(
      fc.record({
        field: fc.constantFrom(...CONFIG_FIELDS),
        value: fc.oneof(
          fc.constant('delete' as const),
          fc.constantFrom(...ODD_CONFIG_VALUES),
          fc.integer({ min: -3, max: 2 ** 20 }),
          fc.jsonValue(),
        ),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  })
  .map(({ c, edits }) => {
    const doc = documentOf(c)
    const config: Record<string, unknown> = { ...doc.config }
    for (const { field, value } of edits) {
      if (value === 'delete') delete config[field]
      else config[field] = value
    }
    return { ...doc, config }
  })

/** A valid document with `config`, `weights` or one weight replaced by any value. */
export const replacedPartDocument = (value: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc
    .record({ c: fc.constantFrom(...FUZZ_CONFIGS), part: fc.constantFrom('config', 'weights', 'weight'), pick: fc.nat(), value })
    .map(({ c, part, pick, value }) => {
      const doc = documentOf(c)
      if (part !== 'weight') return { ...doc, [part]: value }
      const key = weightKeys(doc)[pick % weightKeys(doc).length]!
      return { ...doc, weights: { ...doc.weights, [key]: value } }
    })

// ─────────────────────────────────────────────────────────────────────────────
// safetensors
// ─────────────────────────────────────────────────────────────────────────────

/** A raw safetensors entry: any dtype, its bytes, and (to damage a file) offsets other than where its bytes land. */
export interface RawEntry {
  readonly name: string
  readonly dtype: string
  readonly shape: ReadonlyArray<number>
  readonly bytes: Uint8Array
  readonly offsets?: ReadonlyArray<number>
}

/** A safetensors file written by hand, as PyTorch would write entries of any dtype; `dataLength` truncates or pads the data. */
export const rawSafetensors = (
  entries: ReadonlyArray<RawEntry>,
  metadata: Readonly<Record<string, string>> = {},
  dataLength?: number,
): Uint8Array => {
  const header: Record<string, unknown> = Object.keys(metadata).length > 0 ? { __metadata__: metadata } : {}
  let offset = 0
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: e.offsets ?? [offset, offset + e.bytes.length] }
    offset += e.bytes.length
  }
  const json = new TextEncoder().encode(JSON.stringify(header).padEnd(Math.ceil(JSON.stringify(header).length / 8) * 8, ' '))
  const data = new Uint8Array(dataLength ?? offset)
  let at = 0
  for (const e of entries) {
    data.set(e.bytes.subarray(0, Math.max(0, Math.min(e.bytes.length, data.length - at))), Math.min(at, data.length))
    at += e.bytes.length
  }
  const out = new Uint8Array(8 + json.length + data.length)
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true)
  out.set(json, 8)
  out.set(data, 8 + json.length)
  return out
}

/**
 * A training state as a JSON document (weights and Adam moments as base64
 * float32), so that an interrupted run resumes exactly where it was saved.
 * Decoding checks the whole document before it makes a tensor: the format, the
 * step, every tensor's shape and byte length, the same weights and shapes in
 * `params`, `m` and `v`, and, given the model's config, its weights and shapes.
 *
 * @example
 * import { decodeTrainState, encodeTrainState } from '@grokscope/train'
 * const text = JSON.stringify(encodeTrainState(state))
 * decodeTrainState(JSON.parse(text), config)  // Right(a state equal to `state`), or Left('params.embed.W_E.shape is [3,16] (expected [7,16])')
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import { firstProblem } from '@grokscope/data'
import * as tf from '@tensorflow/tfjs-core'
import { type ModelConfig, type Params, paramShapes } from '@grokscope/model'
import type { TrainState } from './AdamW.js'
import { base64Length, decodeBase64, encodeBase64 } from './internal/base64.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** The `format` field of a state document. */
export const TRAIN_STATE_FORMAT = 'grokscope-train-state/1'

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0

const Count = new t.Type<number, number, unknown>('an integer ≥ 0', isCount, (u, c) => (isCount(u) ? t.success(u) : t.failure(u, c)), t.identity)

/** A tensor in a state document: its shape and its float32 values as base64 (platform byte order, little-endian in practice). */
export const EncodedTensorCodec = t.type({ shape: t.readonlyArray(Count, 'an array of sizes'), f32: t.string }, '{ shape, f32 }')

/** A tensor in a state document. */
export type EncodedTensor = t.TypeOf<typeof EncodedTensorCodec>

const TensorsCodec = t.record(t.string, EncodedTensorCodec, 'an object of tensors by weight name')

/** The JSON form of a training state: the structure; `decodeTrainState` also checks sizes and shapes. */
export const EncodedTrainStateCodec = t.type({
  format: t.literal(TRAIN_STATE_FORMAT),
  step: Count,
  params: TensorsCodec,
  m: TensorsCodec,
  v: TensorsCodec,
}, `a ${TRAIN_STATE_FORMAT} document`)

/** The JSON form of a training state. */
export type EncodedTrainState = t.TypeOf<typeof EncodedTrainStateCodec>

// ─────────────────────────────────────────────────────────────────────────────
// encoding
// ─────────────────────────────────────────────────────────────────────────────

const encode = (p: Params): Record<string, EncodedTensor> =>
  Object.fromEntries(
    Object.entries(p).map(([k, t]) => {
      const data = t.dataSync()
      return [k, { shape: [...t.shape], f32: encodeBase64(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)) }]
    }),
  )

/** The state as a JSON-ready document. */
export const encodeTrainState = (s: TrainState): EncodedTrainState => ({
  format: TRAIN_STATE_FORMAT,
  step: s.step,
  params: encode(s.params),
  m: encode(s.m),
  v: encode(s.v),
})

// ─────────────────────────────────────────────────────────────────────────────
// decoding
// ─────────────────────────────────────────────────────────────────────────────

/** The weights a document must hold, their shapes, and where those come from (`the config`, `params`). */
interface Expected {
  readonly shapes: ReadonlyArray<readonly [string, ReadonlyArray<number>]>
  readonly from: string
}

interface HostTensor {
  readonly shape: ReadonlyArray<number>
  readonly data: Float32Array
}

/** A weight name in a path: as it is when it looks like one (`blocks.0.attn.W_Q`), else quoted. */
const key = (name: string): string => (/^[\w.]+$/.test(name) ? name : JSON.stringify(name).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`))

const sameShape = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): boolean => a.length === b.length && a.every((x, i) => x === b[i])

const tensorAt = (path: string, u: EncodedTensor | undefined, want: ReadonlyArray<number> | undefined, from: string): E.Either<string, HostTensor> => {
  if (u === undefined) return E.left(`${path} is missing (expected { shape, f32 })`)
  const { shape, f32 } = u
  if (want !== undefined && !sameShape(shape, want)) return E.left(`${path}.shape is [${shape.join(',')}] (expected [${want.join(',')}] from ${from})`)
  const size = shape.reduce((a, b) => a * b, 1)
  const bytes = base64Length(f32)
  if (bytes === null) return E.left(`${path}.f32 is not base64 float32`)
  if (bytes !== 4 * size) return E.left(`${path}.f32 holds ${bytes} bytes (expected ${4 * size}: 4 per float32 of shape [${shape.join(',')}])`)
  const decoded = decodeBase64(f32)
  if (decoded === null) return E.left(`${path}.f32 is not base64 float32`)
  return E.right({ shape, data: new Float32Array(decoded.buffer, decoded.byteOffset, size) })
}

/** One of `params`, `m`, `v`: exactly the expected weights (any, if none are), each of the expected shape. */
const tensorsAt = (path: string, u: Readonly<Record<string, EncodedTensor>>, expected: Expected | null): E.Either<string, ReadonlyArray<readonly [string, HostTensor]>> => {
  const names = expected?.shapes.map(([n]) => n) ?? Object.keys(u)
  const extra = Object.keys(u).find((k) => !names.includes(k))
  if (extra !== undefined) return E.left(`${path}.${key(extra)} is not a weight of this model (expected ${names.map(key).join(', ')})`)
  const out: Array<readonly [string, HostTensor]> = []
  for (const [i, name] of names.entries()) {
    const t = tensorAt(`${path}.${key(name)}`, Object.hasOwn(u, name) ? u[name] : undefined, expected?.shapes[i]?.[1], expected?.from ?? '')
    if (E.isLeft(t)) return t
    out.push([name, t.right])
  }
  return E.right(out)
}

const toParams = (entries: ReadonlyArray<readonly [string, HostTensor]>): Params =>
  Object.fromEntries(entries.map(([name, t]) => [name, tf.tensor(t.data, [...t.shape], 'float32')]))

/** The sizes of a decoded document: the base64 lengths against the shapes, the moments against the weights, the weights against `config`. */
const checked = (doc: EncodedTrainState, config: ModelConfig | undefined): E.Either<string, TrainState> => {
  const params = tensorsAt('params', doc.params, config === undefined ? null : { shapes: paramShapes(config), from: 'the config' })
  if (E.isLeft(params)) return params
  // The moments have the weights' names and shapes.
  const shapes: Expected = { shapes: params.right.map(([name, t]) => [name, t.shape]), from: 'params' }
  const m = tensorsAt('m', doc.m, shapes)
  if (E.isLeft(m)) return m
  const v = tensorsAt('v', doc.v, shapes)
  if (E.isLeft(v)) return v
  return E.right({ step: doc.step, params: toParams(params.right), m: toParams(m.right), v: toParams(v.right) })
}

/**
 * The state back on the backend: decoded with `EncodedTrainStateCodec`, then every
 * size checked before a tensor is made. `Left` names the field
 * (`m.unembed.W_U.f32 holds 12 bytes (expected 448: …)`). Given `config`, the
 * weights and shapes must be the config's.
 */
export const decodeTrainState = (u: unknown, config?: ModelConfig): E.Either<string, TrainState> =>
  pipe(
    EncodedTrainStateCodec.decode(u),
    E.mapLeft(firstProblem),
    E.chain((doc) => checked(doc, config)),
  )

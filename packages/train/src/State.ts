/**
 * A training state as a JSON document (weights and the optimiser chain's state
 * as base64 float32), so that an interrupted run resumes exactly where it was saved.
 * Decoding checks the whole document before it makes a tensor: the format, the
 * step, every tensor's shape and byte length, the same weights and shapes in
 * `params` and in every slot of the optimiser's state, given the model's config
 * its weights and shapes, and given the optimiser its transformations and slots.
 * The first format (`grokscope-train-state/1`: AdamW's `m` and `v`) still decodes.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { initParams, paperConfig } from '@grokscope/model'
 * import { PAPER_ADAMW, decodeTrainState, encodeTrainState, initTrainState } from '@grokscope/train'
 * const config = paperConfig({ dVocab: 8, nOut: 7, dModel: 16 })
 * const state = initTrainState(initParams(config, 0))
 * const text = JSON.stringify(encodeTrainState(state))  // state.json
 * // a state equal to `state`
 * E.map(encodeTrainState)(decodeTrainState(JSON.parse(text), config, PAPER_ADAMW))  // => E.right(encodeTrainState(state))
 * // the state of another model
 * decodeTrainState(JSON.parse(text), paperConfig({ dVocab: 4, nOut: 3, dModel: 16 }), PAPER_ADAMW)  // => E.left('params.embed.W_E.shape is [8,16] (expected [4,16] from the config)')
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import { firstProblem, integerFrom } from '@grokscope/data'
import * as tf from '@tensorflow/tfjs-core'
import { type ModelConfig, type Params, paramShapes } from '@grokscope/model'
import { type OptimizerOptions, type TrainState, optimizerTransforms } from './Optimizer.js'
import type { TransformState } from './Transforms.js'
import { base64Length, decodeBase64, encodeBase64 } from './internal/base64.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** The `format` field of a state document. */
export const TRAIN_STATE_FORMAT = 'grokscope-train-state/2'

/** The first format: AdamW's moments as `m` and `v`. */
export const TRAIN_STATE_FORMAT_1 = 'grokscope-train-state/1'

const Count = integerFrom(0)

/** A tensor in a state document: its shape and its float32 values as base64 (platform byte order, little-endian in practice). */
export const EncodedTensorCodec = t.type({ shape: t.readonlyArray(Count, 'an array of sizes'), f32: t.string }, '{ shape, f32 }')

/** A tensor in a state document. */
export type EncodedTensor = t.TypeOf<typeof EncodedTensorCodec>

const TensorsCodec = t.record(t.string, EncodedTensorCodec, 'an object of tensors by weight name')

/** One transformation's state in a document: its update count and its slots of tensors. */
export const EncodedTransformStateCodec = t.type(
  { count: Count, slots: t.record(t.string, TensorsCodec, 'an object of slots') },
  '{ count, slots }',
)

/** The JSON form of a training state: the structure; `decodeTrainState` also checks sizes and shapes. */
export const EncodedTrainStateCodec = t.type({
  format: t.literal(TRAIN_STATE_FORMAT),
  step: Count,
  params: TensorsCodec,
  opt: t.readonlyArray(EncodedTransformStateCodec, 'an array of transformation states'),
}, `a ${TRAIN_STATE_FORMAT} document`)

/** The first format's document (AdamW only). */
const EncodedTrainState1Codec = t.type({
  format: t.literal(TRAIN_STATE_FORMAT_1),
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

const encodeTensor = (t: tf.Tensor, data: tf.TypedArray): EncodedTensor => ({
  shape: [...t.shape],
  f32: encodeBase64(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)),
})

/** The state's document, each tensor's values given by `read`. */
const encodeState = (s: TrainState, read: (t: tf.Tensor) => tf.TypedArray): EncodedTrainState => {
  const encode = (p: Params): Record<string, EncodedTensor> =>
    Object.fromEntries(Object.entries(p).map(([k, t]) => [k, encodeTensor(t, read(t))]))
  return {
    format: TRAIN_STATE_FORMAT,
    step: s.step,
    params: encode(s.params),
    opt: s.opt.map((x) => ({ count: x.count, slots: Object.fromEntries(Object.entries(x.slots).map(([k, slot]) => [k, encode(slot)])) })),
  }
}

/** The state as a JSON-ready document. */
export const encodeTrainState = (s: TrainState): EncodedTrainState => encodeState(s, (t) => t.dataSync())

/**
 * The state as a JSON-ready document, its tensors read asynchronously (`data()`): the same document as
 * `encodeTrainState`, on any backend (WebGPU cannot be relied on to read synchronously).
 *
 * @since 0.5.0
 */
export const encodeTrainStateAsync = async (s: TrainState): Promise<EncodedTrainState> => {
  const tensors = [...Object.values(s.params), ...s.opt.flatMap((x) => Object.values(x.slots).flatMap((slot) => Object.values(slot)))]
  const data = await Promise.all(tensors.map((t) => t.data()))
  const values = new Map(tensors.map((t, i) => [t, data[i]!]))
  return encodeState(s, (t) => values.get(t)!)
}

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
const key = (name: string): string =>
  /^[\w.]+$/.test(name) ? name : JSON.stringify(name).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`)

const sameShape = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): boolean => a.length === b.length && a.every((x, i) => x === b[i])

const tensorAt = (
  path: string,
  u: EncodedTensor | undefined,
  want: ReadonlyArray<number> | undefined,
  from: string,
): E.Either<string, HostTensor> => {
  if (u === undefined) return E.left(`${path} is missing (expected { shape, f32 })`)
  const { shape, f32 } = u
  if (want !== undefined && !sameShape(shape, want)) {
    return E.left(`${path}.shape is [${shape.join(',')}] (expected [${want.join(',')}] from ${from})`)
  }
  const size = shape.reduce((a, b) => a * b, 1)
  const bytes = base64Length(f32)
  if (bytes === null) return E.left(`${path}.f32 is not base64 float32`)
  if (bytes !== 4 * size) {
    return E.left(`${path}.f32 holds ${bytes} bytes (expected ${4 * size}: 4 per float32 of shape [${shape.join(',')}])`)
  }
  const decoded = decodeBase64(f32)
  if (decoded === null) return E.left(`${path}.f32 is not base64 float32`)
  return E.right({ shape, data: new Float32Array(decoded.buffer, decoded.byteOffset, size) })
}

/** One of `params`, `m`, `v`: exactly the expected weights (any, if none are), each of the expected shape. */
const tensorsAt = (
  path: string,
  u: Readonly<Record<string, EncodedTensor>>,
  expected: Expected | null,
): E.Either<string, ReadonlyArray<readonly [string, HostTensor]>> => {
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

/** A first-format document as the current one: AdamW's moments are the state of the chain's one transformation. */
const upgraded = (d: t.TypeOf<typeof EncodedTrainState1Codec>): EncodedTrainState => ({
  format: TRAIN_STATE_FORMAT,
  step: d.step,
  params: d.params,
  opt: [{ count: d.step, slots: { m: d.m, v: d.v } }],
})

/** The optimiser's transformations against the document's states: as many, each with the slots it holds after its count. */
const chainProblem = (doc: EncodedTrainState, o: OptimizerOptions): string | null => {
  const txs = optimizerTransforms(o)
  if (doc.opt.length !== txs.length) return `opt holds ${doc.opt.length} transformation states (expected ${txs.length} for this optimiser)`
  for (const [i, tx] of txs.entries()) {
    const want = tx.slotNames(doc.opt[i]!.count)
    const got = Object.keys(doc.opt[i]!.slots)
    if (got.length !== want.length || !want.every((k) => got.includes(k))) {
      return `opt.${i}.slots are [${got.join(',')}] (expected [${want.join(',')}] for this optimiser)`
    }
  }
  return null
}

/** The sizes of a decoded document: the base64 lengths against the shapes, the slots against the weights, the weights against `config`. */
const checked = (
  doc: EncodedTrainState,
  config: ModelConfig | undefined,
  o: OptimizerOptions | undefined,
): E.Either<string, TrainState> => {
  const params = tensorsAt('params', doc.params, config === undefined ? null : { shapes: paramShapes(config), from: 'the config' })
  if (E.isLeft(params)) return params
  const problem = o === undefined ? null : chainProblem(doc, o)
  if (problem !== null) return E.left(problem)
  // Every slot has the weights' names and shapes.
  const shapes: Expected = { shapes: params.right.map(([name, t]) => [name, t.shape]), from: 'params' }
  const opt: Array<{ count: number; slots: Array<readonly [string, ReadonlyArray<readonly [string, HostTensor]>]> }> = []
  for (const [i, x] of doc.opt.entries()) {
    const slots: Array<readonly [string, ReadonlyArray<readonly [string, HostTensor]>]> = []
    for (const [k, slot] of Object.entries(x.slots)) {
      const s = tensorsAt(`opt.${i}.slots.${key(k)}`, slot, shapes)
      if (E.isLeft(s)) return s
      slots.push([k, s.right])
    }
    opt.push({ count: x.count, slots })
  }
  const state: ReadonlyArray<TransformState> = opt.map((x) => ({
    count: x.count,
    slots: Object.fromEntries(x.slots.map(([k, s]) => [k, toParams(s)])),
  }))
  return E.right({ step: doc.step, params: toParams(params.right), opt: state })
}

/**
 * The state back on the backend: decoded with `EncodedTrainStateCodec` (or the
 * first format's), then every size checked before a tensor is made. `Left` names
 * the field (`opt.0.slots.m.unembed.W_U.f32 holds 12 bytes (expected 448: …)`).
 * Given `config`, the weights and shapes must be the config's; given the
 * optimiser, the states must be its transformations'.
 */
export const decodeTrainState = (u: unknown, config?: ModelConfig, o?: OptimizerOptions): E.Either<string, TrainState> =>
  pipe(
    EncodedTrainState1Codec.is(u) ? E.right(upgraded(u)) : pipe(EncodedTrainStateCodec.decode(u), E.mapLeft(firstProblem)),
    E.chain((doc) => checked(doc, config, o)),
  )

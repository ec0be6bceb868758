/**
 * A training state as a JSON document (weights and Adam moments as base64
 * float32), so that an interrupted run resumes exactly where it was saved.
 *
 * @since 0.1.0
 */
import * as tf from '@tensorflow/tfjs-core'
import type { Params } from '@grokscope/model'
import type { TrainState } from './AdamW.js'

interface EncodedTensor {
  readonly shape: number[]
  readonly f32: string
}

/** The JSON form of a training state. */
export interface EncodedTrainState {
  readonly format: 'grokscope-train-state/1'
  readonly step: number
  readonly params: Record<string, EncodedTensor>
  readonly m: Record<string, EncodedTensor>
  readonly v: Record<string, EncodedTensor>
}

const encode = (p: Params): Record<string, EncodedTensor> =>
  Object.fromEntries(
    Object.entries(p).map(([k, t]) => {
      const data = t.dataSync() as Float32Array
      return [k, { shape: [...t.shape], f32: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') }]
    }),
  )

const decode = (p: Record<string, EncodedTensor>): Params =>
  Object.fromEntries(
    Object.entries(p).map(([k, e]) => {
      const bytes = Buffer.from(e.f32, 'base64')
      const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
      return [k, tf.tensor(data, e.shape, 'float32')]
    }),
  )

/** The state as a JSON-ready document. */
export const encodeTrainState = (s: TrainState): EncodedTrainState => ({
  format: 'grokscope-train-state/1',
  step: s.step,
  params: encode(s.params),
  m: encode(s.m),
  v: encode(s.v),
})

/** The state back on the backend; throws with a readable message on a malformed document. */
export const decodeTrainState = (u: unknown): TrainState => {
  const d = u as Partial<EncodedTrainState> | null
  if (d === null || typeof d !== 'object' || d.format !== 'grokscope-train-state/1' || typeof d.step !== 'number' || !d.params || !d.m || !d.v) {
    throw new Error('train state: not a grokscope-train-state/1 document')
  }
  return { step: d.step, params: decode(d.params), m: decode(d.m), v: decode(d.v) }
}

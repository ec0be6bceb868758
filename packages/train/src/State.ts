/**
 * A training state as a JSON document (weights and Adam moments as base64
 * float32), so that an interrupted run resumes exactly where it was saved.
 *
 * @since 0.1.0
 */
import * as tf from '@tensorflow/tfjs-core'
import type { Params } from '@grokscope/model'
import type { TrainState } from './AdamW.js'
import { decodeBase64, encodeBase64 } from './internal/base64.js'

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
      return [k, { shape: [...t.shape], f32: encodeBase64(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)) }]
    }),
  )

const decode = (p: Record<string, EncodedTensor>): Params =>
  Object.fromEntries(
    Object.entries(p).map(([k, e]) => {
      const bytes = decodeBase64(e.f32)
      if (bytes === null || bytes.length % 4 !== 0) throw new Error(`train state: ${k} is not base64 float32`)
      const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)
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

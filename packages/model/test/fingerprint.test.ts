// A run's fingerprint: its fields are the task's and the model's, and its hash tells apart runs that differ in any one of them.
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FingerprintCodec, fingerprintOf, paperConfig } from '../src/index.js'

const task = { ops: ['add'], p: 11, frac: 0.5, seed: 0 }
const model = paperConfig({ dVocab: 12, nOut: 11, dModel: 16, nHeads: 2, dHead: 8, dMlp: 32 })

describe('fingerprintOf', () => {
  it('records the task and the model shape under TransformerLens names, with a 16-hex-digit hash, and decodes with its codec', () => {
    const f = fingerprintOf(task, model)
    expect(f).toEqual({
      hash: expect.stringMatching(/^[0-9a-f]{16}$/) as unknown as string,
      ...task,
      d_vocab: 12,
      n_out: 11,
      d_model: 16,
      n_heads: 2,
      d_head: 8,
      d_mlp: 32,
      n_layers: 1,
      act: 'relu',
      positional_embedding: false,
    })
    expect(FingerprintCodec.decode(JSON.parse(JSON.stringify(f)))).toEqual(E.right(f))
    expect(fingerprintOf({ ...task, ops: [...task.ops] }, { ...model })).toEqual(f)
  })

  it('gives another hash when any one field changes', () => {
    const base = fingerprintOf(task, model).hash
    const changed = fc.oneof(
      fc.constantFrom(['sub'], ['add', 'mul'], ['a^2+b']).map((ops) => fingerprintOf({ ...task, ops }, model)),
      fc.constantFrom(13, 97, 997).map((p) => fingerprintOf({ ...task, p }, model)),
      fc.double({ min: 0.01, max: 0.99, noNaN: true }).filter((x) => x !== 0.5).map((frac) => fingerprintOf({ ...task, frac }, model)),
      fc.integer({ min: 1, max: 2 ** 31 }).map((seed) => fingerprintOf({ ...task, seed }, model)),
      fc.integer({ min: 17, max: 512 }).map((dModel) => fingerprintOf(task, { ...model, dModel })),
      fc.integer({ min: 1, max: 8 }).filter((n) => n !== 2).map((nHeads) => fingerprintOf(task, { ...model, nHeads })),
      fc.integer({ min: 2, max: 6 }).map((nLayers) => fingerprintOf(task, { ...model, nLayers })),
      fc.constant(fingerprintOf(task, { ...model, act: 'gelu' })),
      fc.constant(fingerprintOf(task, { ...model, positionalEmbedding: true })),
    )
    fc.assert(fc.property(changed, (f) => f.hash !== base), { numRuns: 500 })
  })
})

import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type HostParams,
  type ModelConfig,
  PARTS,
  type Part,
  paperConfig,
  paramShapes,
  partNames,
  partOf,
  parseParts,
  transferParams,
} from '../src/index.js'

/** Host weights of a config whose every value is distinct and tagged by `tag`. */
const hostOf = (c: ModelConfig, tag: number): HostParams =>
  Object.fromEntries(
    paramShapes(c).map(([name, shape], i) => [
      name,
      { shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, k) => tag * 1e6 + i * 1e4 + k) },
    ]),
  )

const OPS = ['add', 'sub', 'mul', 'div']
const setup = fc.record({
  p: fc.integer({ min: 3, max: 7 }),
  dModel: fc.integer({ min: 1, max: 4 }),
  targetOps: fc.shuffledSubarray(OPS, { minLength: 1, maxLength: 3 }),
  sourceOps: fc.shuffledSubarray(OPS, { minLength: 1, maxLength: 3 }),
  parts: fc.subarray([...PARTS]),
  layers: fc.integer({ min: 1, max: 2 }),
})

const config = (p: number, dModel: number, nOps: number, layers: number): ModelConfig =>
  paperConfig({ dVocab: p + nOps, nOut: p, dModel, nHeads: 1, dHead: 2, dMlp: 3, nLayers: layers })

describe('transfer', () => {
  it('copies the loaded parts: residue rows of W_E, the op rows both models have, whole other weights; keeps the rest', () => {
    fc.assert(
      fc.property(setup, ({ p, dModel, targetOps, sourceOps, parts, layers }) => {
        const tc = config(p, dModel, targetOps.length, layers)
        const sc = config(p, dModel, sourceOps.length, layers)
        const target = hostOf(tc, 1)
        const source = hostOf(sc, 2)
        const out = transferParams({ config: tc, ops: targetOps, host: target }, { config: sc, ops: sourceOps, host: source }, parts)
        if (E.isLeft(out)) throw new Error(out.left)
        for (const [name] of paramShapes(tc)) {
          const got = out.right[name]!.data
          if (!parts.includes(partOf(name))) {
            expect(got).toEqual(target[name]!.data)
          } else if (name !== 'embed.W_E') {
            expect(got).toEqual(source[name]!.data)
          } else {
            const row = (data: Float32Array, r: number) => Array.from(data.subarray(r * dModel, (r + 1) * dModel))
            for (let r = 0; r < p; r++) expect(row(got, r)).toEqual(row(source[name]!.data, r))
            targetOps.forEach((op, i) => {
              const j = sourceOps.indexOf(op)
              expect(row(got, p + i)).toEqual(j >= 0 ? row(source[name]!.data, p + j) : row(target[name]!.data, p + i))
            })
          }
        }
        // The inputs are not changed.
        expect(target['embed.W_E']!.data).toEqual(hostOf(tc, 1)['embed.W_E']!.data)
      }),
    )
  })

  it('a different p or d_model is an error naming both values', () => {
    const a = config(5, 4, 1, 1)
    const wrongP = config(7, 4, 1, 1)
    const wrongD = config(5, 3, 1, 1)
    const t = { config: a, ops: ['add'], host: hostOf(a, 1) }
    expect(transferParams(t, { config: wrongP, ops: ['add'], host: hostOf(wrongP, 2) }, ['embed'])).toEqual(
      E.left(expect.stringContaining('p = 7, this run p = 5')),
    )
    expect(transferParams(t, { config: wrongD, ops: ['add'], host: hostOf(wrongD, 2) }, ['unembed'])).toEqual(
      E.left(expect.stringContaining('d_model = 3')),
    )
    const twoLayers = config(5, 4, 1, 2)
    expect(
      transferParams(
        { config: twoLayers, ops: ['add'], host: hostOf(twoLayers, 1) },
        { config: a, ops: ['add'], host: hostOf(a, 2) },
        ['transformer'],
      ),
    ).toEqual(E.left(expect.stringContaining('no blocks.1.attn.W_Q')))
  })

  it('every weight belongs to exactly one part; parts parse from lists and full', () => {
    const c = config(5, 4, 2, 2)
    const all = PARTS.flatMap((part: Part) => partNames(c, [part]))
    expect([...all].sort()).toEqual(paramShapes(c).map(([n]) => n).sort())
    expect(partNames(c, ['embed'])).toEqual(['embed.W_E'])
    expect(parseParts('unembed,embed')).toEqual(E.right(['embed', 'unembed']))
    expect(parseParts('full')).toEqual(E.right(PARTS))
    expect(E.isLeft(parseParts('embed,head'))).toBe(true)
  })
})

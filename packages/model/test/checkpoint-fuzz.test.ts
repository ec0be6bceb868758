// Fuzzing the weights-file decoder: whatever it is given, it returns a lawful answer and never throws.
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_PARAMETERS, MAX_SIZE, type WeightsFile, decodeWeightsFile, paramShapes } from '../src/index.js'
import {
  FUZZ_CONFIGS,
  badConfigDocument,
  badNumberDocument,
  documentOf,
  replacedPartDocument,
  truncatedDocument,
  truncatedJson,
  wrongShapeDocument,
} from './arbitraries.js'

/** Cases tried per property (fast-check's `numRuns`). */
const RUNS = {
  truncated: 1000,
  wrongShape: 500,
  badNumber: 500,
  badConfig: 1000,
  replacedPart: 500,
  jsonValue: 1000,
  anything: 1000,
} as const

/** The decoder's law: a one-line `weights file:` message, or every weight with the config's shape and float32-finite values. */
const lawful = (r: E.Either<string, WeightsFile>): boolean => {
  if (E.isLeft(r)) return typeof r.left === 'string' && r.left.startsWith('weights file: ') && !/[\r\n]/.test(r.left)
  const { config, host } = r.right
  return paramShapes(config).every(([name, shape]) => {
    const w = host[name]
    const size = shape.reduce((a, b) => a * b, 1)
    return w !== undefined && w.shape.join(',') === shape.join(',') && w.data.length === size && w.data.every(Number.isFinite)
  })
}

describe('decodeWeightsFile, fuzzed', () => {
  it('every valid document of the fuzzed configs decodes (the generators start from files the decoder accepts)', () => {
    for (const c of FUZZ_CONFIGS) expect(E.isRight(decodeWeightsFile(documentOf(c)))).toBe(true)
  })

  it('a truncated file that still parses gives a lawful answer, Right or Left', () => {
    const seen = { right: 0, left: 0 }
    fc.assert(
      fc.property(truncatedDocument, (doc) => {
        const r = decodeWeightsFile(doc)
        seen[E.isRight(r) ? 'right' : 'left']++
        return lawful(r)
      }),
      { numRuns: RUNS.truncated },
    )
    // Cuts inside `shapes` (written after the weights) leave a usable file; cuts before do not.
    expect(seen.right).toBeGreaterThan(0)
    expect(seen.left).toBeGreaterThan(0)
  })

  it('a weight with a wrong length or depth anywhere is a Left that names it', () => {
    fc.assert(
      fc.property(wrongShapeDocument, ({ doc, key }) => {
        const r = decodeWeightsFile(doc)
        return lawful(r) && E.isLeft(r) && r.left.includes(`weights.${key}`)
      }),
      { numRuns: RUNS.wrongShape },
    )
  })

  it('NaN, ±Infinity, numbers past float32 and non-numbers in a weight are a Left that names it', () => {
    fc.assert(
      fc.property(badNumberDocument, ({ doc, key }) => {
        const r = decodeWeightsFile(doc)
        return lawful(r) && E.isLeft(r) && r.left.startsWith(`weights file: weights.${key}: `)
      }),
      { numRuns: RUNS.badNumber },
    )
  })

  it('missing, out-of-range or wrongly typed config fields give a lawful answer', () => {
    fc.assert(fc.property(badConfigDocument, (doc) => lawful(decodeWeightsFile(doc))), { numRuns: RUNS.badConfig })
  })

  it('config, weights or one weight replaced by any value gives a lawful answer', () => {
    fc.assert(fc.property(replacedPartDocument(fc.anything()), (doc) => lawful(decodeWeightsFile(doc))), { numRuns: RUNS.replacedPart })
  })

  it('any JSON value gives a lawful answer', () => {
    fc.assert(fc.property(fc.jsonValue(), (u) => lawful(decodeWeightsFile(u))), { numRuns: RUNS.jsonValue })
  })

  it('any JavaScript value gives a lawful answer', () => {
    fc.assert(fc.property(fc.anything(), (u) => lawful(decodeWeightsFile(u))), { numRuns: RUNS.anything })
  })
})

describe('decodeWeightsFile, regressions', () => {
  const small = documentOf(FUZZ_CONFIGS[0]!)
  // The smallest of the weight arrays these configs would need is 65536 × 4 float32 (1 MiB); a Left
  // before any allocation grows the process's array buffers by far less. Memory, not time: a clock
  // bound fails on a loaded machine.
  const ALLOCATION_BOUND = 256 * 1024

  it.each([
    ['d_model 1e9', { d_model: 1e9 }, 'dModel must be at most 65536, got 1000000000'],
    ['n_layers 1e9', { n_layers: 1e9 }, 'nLayers must be at most 65536'],
    [
      'd_vocab and d_model at the size bound (2^32 weights)',
      { d_vocab: MAX_SIZE, d_model: MAX_SIZE },
      `more than the ${MAX_PARAMETERS} allowed`,
    ],
  ])('a config with %s is a Left at once, not an allocation', (_, over, message) => {
    const before = process.memoryUsage().arrayBuffers
    const r = decodeWeightsFile({ ...small, config: { ...small.config, ...over } })
    expect(E.isLeft(r) && r.left).toContain(message)
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(ALLOCATION_BOUND)
  })

  it('a config within the bounds but far larger than its weights is a Left before any weight is allocated', () => {
    const before = process.memoryUsage().arrayBuffers
    const r = decodeWeightsFile({ ...small, config: { ...small.config, d_vocab: MAX_SIZE, d_mlp: MAX_SIZE } })
    expect(E.isLeft(r) && r.left).toBe('weights file: weights.W_E: expected 65536 entries at depth 0 for shape [65536,4]')
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(ALLOCATION_BOUND)
  })

  it('the largest float32 is a weight; 1e39, finite in float64 but not in float32, is not', () => {
    const withLeaf = (x: number) => ({
      ...small,
      weights: { ...small.weights, W_U: (small.weights.W_U as number[][]).map((row, i) => (i === 0 ? [x, ...row.slice(1)] : row)) },
    })
    const max = decodeWeightsFile(withLeaf(3.4028234663852886e38))
    expect(E.isRight(max) && max.right.host['unembed.W_U']!.data[0]).toBe(3.4028234663852886e38)
    expect(decodeWeightsFile(withLeaf(1e39))).toEqual(E.left('weights file: weights.W_U: 1e+39 is not a finite float32 number'))
  })

  it('truncatedJson closes a cut document so that it parses, or gives nothing', () => {
    expect(truncatedJson('{"a":[1,2,{"b":"x', 17)).toEqual({ value: { a: [1, 2, {}] } })
    expect(truncatedJson('[12', 3)).toEqual({ value: [12] })
    expect(truncatedJson('"abc', 4)).toBeUndefined()
  })
})

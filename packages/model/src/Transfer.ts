/**
 * Pre-grokked transfer and frozen parts (docs/SCIENCE.md §3 variants; the paper's `load` /
 * `frozen`): which weights make up the embedding, the Transformer and the
 * unembedding, and copying parts of a finished model into fresh weights.
 *
 * @example
 * import { initParams, paperConfig, partNames, toHost, transferParams } from '@grokscope/model'
 * const config = paperConfig({ dVocab: 32, nOut: 31 })
 * const pregrokked = toHost(initParams(config, 0))  // a model trained on a+b, in practice
 * const fresh = toHost(initParams(config, 1))
 * // rows 0..p-1 of W_E (and the op tokens both models have) from the source (the second), the rest from the target
 * const host = transferParams(
 *   { config, ops: ['sub'], host: fresh },
 *   { config, ops: ['add'], host: pregrokked },
 *   ['embed'],
 * )  // Right(HostParams)
 * host._tag  // => 'Right'
 * // give these to AdamW's `frozen`
 * partNames(config, ['embed'])  // => ['embed.W_E']
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import type { ModelConfig } from './Config.js'
import { type HostParams, type HostTensor, paramShapes } from './Params.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** The parts of the model that can be loaded or frozen, in the model's order. */
export const PARTS = ['embed', 'transformer', 'unembed'] as const

/** A part: the embedding (`W_E`, and `W_pos` if any), the blocks, or the unembedding (`W_U`). */
export type Part = (typeof PARTS)[number]

/** A model's weights with the operation of each operation token (token `p + i` is `ops[i]`). */
export interface ModelWeights {
  readonly config: ModelConfig
  readonly ops: ReadonlyArray<string>
  readonly host: HostParams
}

// ─────────────────────────────────────────────────────────────────────────────
// utils
// ─────────────────────────────────────────────────────────────────────────────

/** Whether a string names a part. */
export const isPart = (s: string): s is Part => PARTS.some((p) => p === s)

/** The part a weight belongs to. */
export const partOf = (name: string): Part =>
  name === 'embed.W_E' || name === 'pos_embed.W_pos' ? 'embed' : name === 'unembed.W_U' ? 'unembed' : 'transformer'

/** The names of the weights of these parts, in `paramShapes` order. */
export const partNames = (c: ModelConfig, parts: ReadonlyArray<Part>): ReadonlyArray<string> =>
  paramShapes(c)
    .map(([name]) => name)
    .filter((name) => parts.includes(partOf(name)))

/** A part as files hold it: its name. */
export const PartCodec = new t.Type<Part, string, unknown>(
  `one of ${PARTS.join(', ')}`,
  (u): u is Part => typeof u === 'string' && isPart(u),
  (u, c) => (typeof u === 'string' && isPart(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
)

/** Parts in the model's order, each once. */
export const normaliseParts = (parts: ReadonlyArray<Part>): ReadonlyArray<Part> => PARTS.filter((p) => parts.includes(p))

/** A comma-separated list of parts (`embed,unembed`, or `full` for all three); `Left` names what is allowed. */
export const parseParts = (s: string): E.Either<string, ReadonlyArray<Part>> => {
  const items = s.split(',').map((x) => x.trim())
  if (items.length === 1 && items[0] === 'full') return E.right(PARTS)
  const bad = items.find((x) => !isPart(x))
  if (bad !== undefined) return E.left(`${JSON.stringify(bad)} is not a part (allowed: ${PARTS.join(', ')}, comma-separated, or full)`)
  return E.right(normaliseParts(items.filter(isPart)))
}

const shapeText = (shape: ReadonlyArray<number>): string => `[${shape.join(',')}]`

/**
 * Why these parts of `source` cannot be copied into a model of config `target`
 * (the residues `p` and `d_model` must agree; the Transformer's and unembedding's
 * shapes too), or `null` when they can. Uses configs only: nothing is copied.
 */
export const transferProblem = (target: ModelConfig, source: ModelConfig, parts: ReadonlyArray<Part>): string | null => {
  if (source.nOut !== target.nOut) return `the source model has p = ${source.nOut}, this run p = ${target.nOut} (they must be equal)`
  if (source.dModel !== target.dModel) {
    return `the source model has d_model = ${source.dModel}, this run ${target.dModel} (they must be equal)`
  }
  const sourceShapes = new Map(paramShapes(source).map(([n, s]) => [n, s]))
  for (const [name, shape] of paramShapes(target)) {
    if (!parts.includes(partOf(name)) || name === 'embed.W_E') continue
    const s = sourceShapes.get(name)
    if (s === undefined) return `the source model has no ${name} (loading ${partOf(name)} needs it)`
    if (shapeText(s) !== shapeText(shape)) return `the source model's ${name} is ${shapeText(s)}, this run needs ${shapeText(shape)}`
  }
  return null
}

/**
 * `target`'s weights with these parts copied from `source`. Of `W_E`, the residue
 * rows `0..p−1` are copied, and each operation token's row is copied from the
 * source's token of the same operation; an operation the source did not have keeps
 * its fresh row. The target's other weights are kept as they are (not copied).
 */
export const transferParams = (target: ModelWeights, source: ModelWeights, parts: ReadonlyArray<Part>): E.Either<string, HostParams> => {
  const problem = transferProblem(target.config, source.config, parts)
  if (problem !== null) return E.left(problem)
  const p = target.config.nOut
  const d = target.config.dModel
  const out: Record<string, HostTensor> = { ...target.host }
  for (const name of partNames(target.config, parts)) {
    const from = source.host[name]
    const to = target.host[name]
    if (from === undefined || to === undefined) return E.left(`${from === undefined ? 'the source' : 'this run'} has no ${name}`)
    if (name !== 'embed.W_E') {
      out[name] = { shape: to.shape, data: Float32Array.from(from.data) }
      continue
    }
    const data = Float32Array.from(to.data)
    data.set(from.data.subarray(0, p * d), 0)
    target.ops.forEach((op, i) => {
      const j = source.ops.indexOf(op)
      if (j >= 0 && p + j < source.config.dVocab) data.set(from.data.subarray((p + j) * d, (p + j + 1) * d), (p + i) * d)
    })
    out[name] = { shape: to.shape, data }
  }
  return E.right(out)
}

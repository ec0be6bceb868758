// The analyze --json document is a library call (the CLI prints it: packages/cli/test/analyze-document.test.ts).
import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { type WeightsFile, decodeWeightsFile } from '@grokscope/model'
import { type AnalysisDocument, analyzeWeights } from '../src/index.js'
import { FIXTURES, fixturePath } from '../../../test-support/fixtures.js'

/** A fixture's weights file, decoded (a test fails at once when it does not decode). */
const fixtureWeights = (name: string): WeightsFile => {
  const decoded = decodeWeightsFile(JSON.parse(readFileSync(fixturePath(name), 'utf8')))
  if (E.isLeft(decoded)) throw new Error(decoded.left)
  return decoded.right
}

/** The analysis document of a weights file (a test fails at once on a Left). */
const analyzed = (weights: WeightsFile, o: Parameters<typeof analyzeWeights>[1]): AnalysisDocument => {
  const doc = analyzeWeights(weights, o)
  if (E.isLeft(doc)) throw new Error(doc.left)
  return doc.right
}

describe.each(FIXTURES)('%s', (name) => {
  const file = fixturePath(name)
  const library = analyzed(fixtureWeights(name), { now: () => performance.now(), file })

  it('the document reproduces the PyTorch fixture’s spectra, FFD and FCR', () => {
    const fixture = JSON.parse(readFileSync(file, 'utf8')) as Record<
      'embedding' | 'neuron_logit_map',
      { ffd_eta_0_5: number; fcr: number; cos_norms: number[]; sin_norms: number[] }
    >
    for (const key of ['embedding', 'neuron_logit_map'] as const) {
      expect(library[key].ffd).toBeCloseTo(fixture[key].ffd_eta_0_5, 6)
      expect(library[key].fcr).toBeCloseTo(fixture[key].fcr, 6)
      library[key].cos_norms.forEach((x, i) => expect(Math.abs(x - fixture[key].cos_norms[i]!)).toBeLessThan(1e-6 * Math.max(1, x)))
      library[key].sin_norms.forEach((x, i) => expect(Math.abs(x - fixture[key].sin_norms[i]!)).toBeLessThan(1e-6 * Math.max(1, x)))
    }
  })
})

it('the add fixture’s key frequencies are 1, 5 and 14 (its three W_E peaks), by the auto rule as by the old energy rule, ' +
  'and its restricted loss is below its full loss', () => {
  const weights = fixtureWeights('add-p31-s0.json')
  const doc = analyzed(weights, { now: () => 0 })
  const kf = doc.per_op[0]!.key_frequencies!
  expect(kf.rule).toBe('auto:2')
  expect(kf.key).toEqual([1, 5, 14])
  const norms = doc.embedding.cos_norms.map((c, i) => Math.hypot(c, doc.embedding.sin_norms[i]!))
  expect(
    norms.map((x, i) => [x, i + 1] as const).sort((x, y) => y[0] - x[0]).slice(0, 3).map(([, k]) => k).sort((x, y) => x - y),
  ).toEqual(kf.key)
  expect(kf.losses.key_only).toBeLessThan(kf.losses.all)
  expect(kf.warning).toBeNull()
  // The greedy path: the constant, then 1, 5 and 14 by energy; only the last prefix is within 2× the full loss.
  expect(kf.prefix_losses).toHaveLength(4)
  expect(kf.prefix_losses.slice(0, 3).every((l) => l > 2 * kf.losses.all)).toBe(true)
  const energy = analyzed(weights, { now: () => 0, keyRule: { kind: 'energy', threshold: 0.1 } })
  expect(energy.per_op[0]!.key_frequencies).toMatchObject({ rule: 'energy:0.1', key: [1, 5, 14], prefix_losses: [], warning: null })
  expect(doc.ops).toEqual(['add'])
  expect(Object.values(doc.timings_ms).every((t) => t === 0)).toBe(true)
}, 60_000)

it('the mul fixture: no prefix of the additive frequencies carries multiplication, ' +
  'so the key set is the best prefix and the document warns', () => {
  const kf = analyzed(fixtureWeights('mul-p31-s0.json'), { now: () => 0 }).per_op[0]!.key_frequencies!
  expect(kf.prefix_losses).toHaveLength(16)
  expect(kf.losses.key_only).toBe(Math.min(...kf.prefix_losses))
  expect(kf.losses.key_only).toBeGreaterThan(2 * kf.losses.all)
  expect(kf.warning).toContain('(more than 2×)')
}, 60_000)

it('a listed key frequency that p does not have is a Left that says so', () => {
  expect(analyzeWeights(fixtureWeights('add-p31-s0.json'), { now: () => 0, keyRule: { kind: 'list', frequencies: [5, 16] } })).toEqual(
    E.left('key frequencies 16: p = 31 has frequencies 1 to 15'),
  )
})

it('a file whose n_out disagrees with its p is a Left that says so', () => {
  const weights = fixtureWeights('add-p31-s0.json')
  const doc = analyzeWeights({ ...weights, meta: { ...weights.meta, p: 29 } }, { now: () => 0 })
  expect(doc).toEqual(E.left('n_out is 31 but p is 29'))
})

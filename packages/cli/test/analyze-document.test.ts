// The analyze --json document is a library call: the CLI prints exactly what analyzeWeights of @grokscope/analysis returns.
import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { type AnalysisDocument, analyzeWeights } from '@grokscope/analysis'
import { decodeWeightsFile } from '@grokscope/model'
import { FIXTURES, fixturePath } from '../../../test-support/fixtures.js'
import { cli } from './run-cli.js'

const withoutTimings = (d: AnalysisDocument): Omit<AnalysisDocument, 'timings_ms'> => {
  const { timings_ms: _, ...rest } = d
  return rest
}

describe.each(FIXTURES)('%s', (name) => {
  const file = fixturePath(name)
  const weights = decodeWeightsFile(JSON.parse(readFileSync(file, 'utf8')))
  if (E.isLeft(weights)) throw new Error(weights.left)
  const doc = analyzeWeights(weights.right, { now: () => performance.now(), file })
  if (E.isLeft(doc)) throw new Error(doc.left)
  const library = doc.right

  it('grokscope analyze --json prints the document analyzeWeights returns', async () => {
    const r = await cli(['analyze', file, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const printed = JSON.parse(r.stdout) as AnalysisDocument
    // JSON has no -0 and prints numbers shortest-round-trip: compare through JSON.
    expect(withoutTimings(printed)).toEqual(JSON.parse(JSON.stringify(withoutTimings(library))))
    expect(Object.keys(printed.timings_ms).sort()).toEqual(Object.keys(library.timings_ms).sort())
  }, 60_000)

})

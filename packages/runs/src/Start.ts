/**
 * A run's start marker (`START_FILE`, `.start.json`): the first file a run's start writes into
 * an absent or empty folder, with the run's fingerprint, removed once config.json (written last)
 * makes the folder a run. It is what proves that a folder without config.json is grokscope's own
 * interrupted start, which a new start may replace, and not a user's files.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { PAPER_SETTINGS, decodeStartDocument, makeRunConfig, startDocument } from '@grokscope/runs'
 * const config = makeRunConfig({ ...PAPER_SETTINGS, ops: ['add'], p: 23, frac: 0.5, seed: 0, steps: 200 })
 * if (E.isRight(config)) {
 *   const marker = decodeStartDocument(JSON.parse(JSON.stringify(startDocument(config.right))))
 *   E.isRight(marker) && marker.right.p // => 23
 * }
 * decodeStartDocument({ my: 'weights' })._tag // => 'Left'
 *
 * @since 0.3.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { firstProblem } from '@grokscope/data'
import { type Fingerprint, FingerprintCodec } from '@grokscope/model'
import { type RunConfig, VERSION, runFingerprint } from './Config.js'

/** What the marker holds: the version that wrote it, what it is, and the fingerprint of the run being started. */
const StartCodec = t.type({ grokscope: t.string, start: t.literal('a run starting: config.json comes last'), fingerprint: FingerprintCodec })

/** The start marker's document for the run of `config`. */
export const startDocument = (config: RunConfig): t.OutputOf<typeof StartCodec> => ({
  grokscope: VERSION,
  start: 'a run starting: config.json comes last',
  fingerprint: runFingerprint(config),
})

/** A parsed start marker: the fingerprint of the run it started; `Left` (the first problem) when it is not a marker. */
export const decodeStartDocument = (doc: unknown): E.Either<string, Fingerprint> => {
  const r = StartCodec.decode(doc)
  return E.isLeft(r) ? E.left(firstProblem(r.left)) : E.right(r.right.fingerprint)
}

// Issue 24: the runs library knows every file a run has (its documents, start marker, weights history, lock files and
// the temporary files of its writes) and tells them from a user's files by name; a start marker is its own document.
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runFileName } from '../../../test-support/run-files.js'
import { SMALL_RUN, configOf } from '../../../test-support/runs.js'
import {
  CHECKPOINT_FILES,
  LOCK_FILE,
  REPORT_FILE,
  RESULT_FILES,
  RUN_FILES,
  START_FILE,
  SWEEP_FILES,
  decodeStartDocument,
  failureFileName,
  isStartLeftover,
  ownFileOf,
  runFingerprint,
  startDocument,
  temporaryName,
} from '../src/index.js'

describe('ownFileOf', () => {
  it('names every file of a run as grokscope’s own', () => {
    fc.assert(fc.property(runFileName, (name) => {
      expect(ownFileOf(name)).not.toBeNull()
    }), { numRuns: 500 })
  })

  it('names a sweep’s plan and failure records and a checkpoint’s weights as grokscope’s own', () => {
    for (const name of [SWEEP_FILES.plan, failureFileName('add-p11-r0.5-s0'), CHECKPOINT_FILES.weights]) {
      expect(ownFileOf(name), name).not.toBeNull()
    }
  })

  it('leaves a user’s names and the outputs commands regenerate (reports, results) to the user', () => {
    const user = fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}\.(svg|html|png|txt|md)$/)
    fc.assert(fc.property(user, (name) => {
      expect(ownFileOf(name)).toBeNull()
    }), { numRuns: 300 })
    for (const name of [REPORT_FILE, ...Object.values(RESULT_FILES), 'history', 'step.safetensors', 'lock', 'x.tmp']) {
      expect(ownFileOf(name), name).toBeNull()
    }
  })
})

describe('a run’s start', () => {
  it('leaves only names isStartLeftover allows, the start marker first among them', () => {
    for (const name of [START_FILE, temporaryName(START_FILE, 7), RUN_FILES.metrics, RUN_FILES.state, RUN_FILES.weights, LOCK_FILE]) {
      expect(isStartLeftover(name), name).toBe(true)
    }
    for (const name of [RUN_FILES.config, RUN_FILES.summary, RUN_FILES.curves, 'notes.txt']) expect(isStartLeftover(name), name).toBe(false)
  })

  it('writes a marker that decodes to the run’s fingerprint; anything else is not a marker', () => {
    const config = configOf(SMALL_RUN)
    expect(decodeStartDocument(JSON.parse(JSON.stringify(startDocument(config))))).toEqual(E.right(runFingerprint(config)))
    fc.assert(fc.property(fc.jsonValue(), (doc) => {
      expect(E.isLeft(decodeStartDocument(doc))).toBe(true)
    }), { numRuns: 300 })
  })
})

// The names of a run folder's files, made by @grokscope/runs' own constructors: its documents, its start marker, its
// weights history, its lock files, and the temporary file of a write of any of them.
import fc from 'fast-check'
import { LOCK_FILE, RUN_FILES, START_FILE, historyFileName, temporaryName } from '@grokscope/runs'

/** The largest step a history file's name is made for, and the largest pid a temporary file's name holds (Linux's). */
const MAX_STEP = 10_000_000
const MAX_PID = 4_194_304

/** A lock's token (`.lock.<token>.new`, `.lock.<token>.takeover`). */
const token = fc.stringMatching(/^[0-9a-f]{1,16}$/)

/** A name a run folder's file has (or, for history files, its history folder's). */
export const runFileName: fc.Arbitrary<string> = (() => {
  const named = fc.oneof(
    fc.constantFrom(...Object.values(RUN_FILES), START_FILE, LOCK_FILE),
    fc.nat({ max: MAX_STEP }).map(historyFileName),
    token.map((t) => `${LOCK_FILE}.${t}.new`),
    token.map((t) => `${LOCK_FILE}.${t}.takeover`),
  )
  return fc.oneof(named, fc.tuple(named, fc.nat({ max: MAX_PID })).map(([name, pid]) => temporaryName(name, pid)))
})()

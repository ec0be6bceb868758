/**
 * Where commands may write: an output folder is absent, empty, or what the command itself
 * writes there (a run, a sweep, an interrupted start with its marker); an output file is an
 * absent path or a regular file, never one of grokscope's own files.
 *
 * @since 0.2.0
 */
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import {
  HISTORY_DIR,
  REPRODUCE_FILES,
  RUN_FILES,
  START_FILE,
  SWEEP_FILES,
  decodeStartDocument,
  isHistoryEntry,
  isLockFile,
  isStartLeftover,
  isTemporaryOf,
  ownFileOf,
} from '@grokscope/runs'
import { UsageError } from './Errors.js'
import { notWritable, readJson, writeAtomic } from './Files.js'

/** The names in a folder, sorted; the first few as a message shows them. */
const listed = (names: ReadonlyArray<string>): string =>
  `${names.slice(0, 3).join(', ')}${names.length > 3 ? `, … (${names.length} entries)` : ''}`

/** A folder's entries, or null when it does not exist; a file is a `UsageError` naming the flag. */
const entriesOf = (flag: string, dir: string): ReadonlyArray<string> | null => {
  if (!existsSync(dir)) return null
  if (!statSync(dir).isDirectory()) throw new UsageError(`${flag}: ${dir} exists and is not a folder`)
  return readdirSync(dir).sort()
}

// ─────────────────────────────────────────────────────────────────────────────
// run and sweep folders
// ─────────────────────────────────────────────────────────────────────────────

/** Whether the folder holds a start marker a run's start wrote (a regular file that decodes as one). */
const holdsStartMarker = (dir: string): boolean => {
  const file = path.join(dir, START_FILE)
  if (notWritable(file) !== null || !existsSync(file)) return false
  try {
    return E.isRight(decodeStartDocument(readJson(file)))
  } catch (e) {
    if (e instanceof UsageError) return false
    throw e
  }
}

/**
 * Whether an entry of a new run's folder is what an interrupted start left: the names `isStartLeftover` allows, an
 * empty metrics.jsonl, a history folder of history files.
 */
const leftFromStart = (dir: string, name: string): boolean => {
  if (!isStartLeftover(name)) return false
  const entry = path.join(dir, name)
  if (name === HISTORY_DIR) return statSync(entry).isDirectory() && readdirSync(entry).every(isHistoryEntry)
  return name !== RUN_FILES.metrics || statSync(entry).size === 0
}

/**
 * `train --out` for a new run (the folder holds no config.json): absent, empty, lock files only (the lock judges them),
 * or what an interrupted start left there, proved by its start marker (written first). Anything else is refused: a
 * user's files, and a start interrupted before 0.3.0, which wrote no marker (the message says to remove the folder).
 */
export const checkNewRunFolder = (dir: string): void => {
  const names = entriesOf('--out', dir)
  if (names === null || names.every(isLockFile)) return
  const leftovers = names.every((n) => leftFromStart(dir, n))
  if (leftovers && holdsStartMarker(dir)) return
  const allowed =
    `allowed: an absent or empty folder, a run folder with ${RUN_FILES.config} to --resume, ` +
    `or a start grokscope interrupted, with its ${START_FILE}`
  throw new UsageError(
    `--out: ${dir} is not empty and holds no run (it has ${listed(names)}; ${allowed})` +
      (leftovers ? `; if a start before 0.3.0 was interrupted there, it left no ${START_FILE}: remove the folder to start again` : ''),
  )
}

/**
 * `sweep --out`: absent, empty, or a sweep folder (with sweep.json); anything else is refused.
 * A temporary sweep.json alone counts as empty: another share of the sweep is writing its plan.
 */
export const checkSweepFolder = (dir: string): void => {
  const planFile = SWEEP_FILES.plan
  const names = entriesOf('--out', dir)
  if (names === null || names.includes(planFile) || names.every((n) => isTemporaryOf(n, planFile))) return
  const what = names.includes(RUN_FILES.config)
    ? `a run folder (${RUN_FILES.config}), not a sweep`
    : `not empty and holds no sweep (it has ${listed(names)})`
  throw new UsageError(`--out: ${dir} is ${what}; allowed: an absent or empty folder, or a sweep folder with ${planFile} to continue`)
}

/**
 * `reproduce --out`: absent, empty, or a reproduction folder (with reproduce.json); anything else is refused. A temporary
 * reproduce.json alone counts as empty: another share of the reproduction is writing its plan.
 *
 * @since 0.4.0
 */
export const checkReproduceFolder = (dir: string): void => {
  const planFile = REPRODUCE_FILES.plan
  const names = entriesOf('--out', dir)
  if (names === null || names.includes(planFile) || names.every((n) => isTemporaryOf(n, planFile))) return
  throw new UsageError(
    `--out: ${dir} is not empty and holds no reproduction (it has ${listed(names)}); ` +
      `allowed: an absent or empty folder, or a reproduction folder with ${planFile} to continue`,
  )
}

// ─────────────────────────────────────────────────────────────────────────────
// output files
// ─────────────────────────────────────────────────────────────────────────────

/** An output file, as messages name it, and the names of grokscope's own files the command itself writes there. */
export interface OutputFile {
  /** The flag that gave the path (`--out`), or null for a command's default path. */
  readonly flag: string | null
  /** What is written (`report`, `plot`) and an example of a name for it (`report.html`). */
  readonly noun: string
  readonly example: string
  /** grokscope's own names that this command writes (plot: curves.svg; export: model.safetensors, config.json). */
  readonly own?: ReadonlyArray<string>
}

/**
 * An output file may be written: nothing is at its path, or a regular file that is none of grokscope's own files by
 * name (`ownFileOf` of `@grokscope/runs`: a run's documents, start marker, history files, lock files, temporary files, a
 * sweep's plan and failure records, a checkpoint's weights), wherever it is, but for the names the command itself
 * writes. A folder, a symbolic link, a device, a named pipe or a socket (`lstat`: which the write would replace) and
 * grokscope's own files are a `UsageError`. Any other name inside a run folder (`notes.svg`, `history/foo.svg`) is the
 * user's: nothing of grokscope reads or removes it.
 *
 * @since 0.3.0
 */
export const checkOutputFile = (file: string, what: OutputFile): void => {
  const prefix = what.flag === null ? '' : `${what.flag}: `
  const kind = notWritable(file)
  if (kind === 'a folder') throw new UsageError(`${prefix}${file} is a folder (give the ${what.noun}'s file name, e.g. ${what.example})`)
  if (kind !== null) {
    throw new UsageError(
      `${prefix}${file} is ${kind}, which is never replaced (allowed: an absent path or a regular file, e.g. ${what.example})`,
    )
  }
  const name = path.basename(file)
  const own = ownFileOf(name)
  if (own !== null && !(what.own ?? []).includes(name)) {
    throw new UsageError(
      `${prefix}${file} is named as ${own}, which grokscope writes itself (allowed: any other file name, e.g. ${what.example})`,
    )
  }
}

/** Writes an output file (atomic) after `checkOutputFile`'s checks. */
export const writeOutput = (file: string, text: string | Uint8Array, what: OutputFile): void => {
  checkOutputFile(file, what)
  writeAtomic(file, text)
}

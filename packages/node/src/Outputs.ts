/**
 * Where commands may write: an output folder is absent, empty, or what the command itself
 * writes there (a run, a sweep); an output file is never one of a run's own files.
 *
 * @since 0.2.0
 */
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { HISTORY_DIR, PROTECTED_FILES, RUN_FILES, SWEEP_FILES, isHistoryEntry, isStartLeftover, isTemporaryOf } from '@grokscope/runs'
import { UsageError } from './Errors.js'

/** The names in a folder, sorted; the first few as a message shows them. */
const listed = (names: ReadonlyArray<string>): string =>
  `${names.slice(0, 3).join(', ')}${names.length > 3 ? `, … (${names.length} entries)` : ''}`

/** A folder's entries, or null when it does not exist; a file is a `UsageError` naming the flag. */
const entriesOf = (flag: string, dir: string): ReadonlyArray<string> | null => {
  if (!existsSync(dir)) return null
  if (!statSync(dir).isDirectory()) throw new UsageError(`${flag}: ${dir} exists and is not a folder`)
  return readdirSync(dir).sort()
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
 * `train --out` for a new run (the folder holds no config.json): absent, empty, or what
 * an interrupted start left there; anything else (a user's files) is refused.
 */
export const checkNewRunFolder = (dir: string): void => {
  const names = entriesOf('--out', dir)
  if (names === null) return
  const foreign = names.filter((n) => !leftFromStart(dir, n))
  if (foreign.length > 0) {
    throw new UsageError(
      `--out: ${dir} is not empty and holds no run (it has ${listed(names)}; allowed: an absent or empty folder, ` +
        `or a run folder with ${RUN_FILES.config} to --resume)`,
    )
  }
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
 * An output file (`report --out`, `plot --out`; `what` names it in a message): not a folder, and not one of a run's,
 * a sweep's or a checkpoint's own files (`PROTECTED_FILES`), which it would overwrite.
 */
export const checkOutputFile = (flag: string, file: string, what: { readonly noun: string; readonly example: string }): void => {
  if (existsSync(file) && statSync(file).isDirectory()) {
    throw new UsageError(`${flag}: ${file} is a folder (give the ${what.noun}'s file name, e.g. ${what.example})`)
  }
  const name = path.basename(file)
  if (PROTECTED_FILES.includes(name)) {
    throw new UsageError(
      `${flag}: ${file} would overwrite a run's own ${name} (allowed: any other file name, e.g. report.html or curves.svg; ` +
        `not ${PROTECTED_FILES.join(', ')})`,
    )
  }
}

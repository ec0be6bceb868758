// Where commands may write: an output folder is absent, empty, or what the command itself
// writes there (a run, a sweep); an output file is never one of a run's own files.
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { TEMP_FILE, UsageError } from './files.js'
import { HISTORY_DIR, HISTORY_FILE } from './history.js'
import { FILES } from './run-folder.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/**
 * The files no command writes over from outside: a run's config.json, metrics.jsonl,
 * state.json, weights.json and summary.json, a sweep's sweep.json and an exported
 * checkpoint's model.safetensors (each command writes its own, in its own folder).
 */
export const PROTECTED_FILES: ReadonlyArray<string> = [FILES.config, FILES.metrics, FILES.state, FILES.weights, FILES.summary, 'sweep.json', 'model.safetensors']

/**
 * What a run's start leaves in its folder before config.json (written last) makes it a
 * run: an empty metrics.jsonl, state.json, weights.json, the step-0 weights history
 * (`history/`, with --save-every) and their temporary files. A
 * folder holding only these is a start that was interrupted: `train` starts it again.
 */
const START_FILES: ReadonlySet<string> = new Set([FILES.metrics, FILES.state, FILES.weights])

/** The run-folder lock a writer holds while it starts a run (`.lock`) and its takeover markers (`.lock.<token>.takeover`). */
const LOCK_NAME = /^\.lock(\..+)?$/

// ─────────────────────────────────────────────────────────────────────────────
// utils
// ─────────────────────────────────────────────────────────────────────────────

/** The names in a folder, sorted; the first few as a message shows them. */
const listed = (names: ReadonlyArray<string>): string => `${names.slice(0, 3).join(', ')}${names.length > 3 ? `, … (${names.length} entries)` : ''}`

/** A folder's entries, or null when it does not exist; a file is a `UsageError` naming the flag. */
const entriesOf = (flag: string, dir: string): ReadonlyArray<string> | null => {
  if (!existsSync(dir)) return null
  if (!statSync(dir).isDirectory()) throw new UsageError(`${flag}: ${dir} exists and is not a folder`)
  return readdirSync(dir).sort()
}

const isStartLeftover = (dir: string, name: string): boolean => {
  if (LOCK_NAME.test(name)) return true
  if (name === HISTORY_DIR) {
    const entry = path.join(dir, name)
    return statSync(entry).isDirectory() && readdirSync(entry).every((n) => HISTORY_FILE.test(n.replace(TEMP_FILE, '')))
  }
  const base = name.replace(TEMP_FILE, '')
  if (!START_FILES.has(base)) return false
  return name !== FILES.metrics || statSync(path.join(dir, name)).size === 0
}

// ─────────────────────────────────────────────────────────────────────────────
// checks
// ─────────────────────────────────────────────────────────────────────────────

/**
 * `train --out` for a new run (the folder holds no config.json): absent, empty, or what
 * an interrupted start left there; anything else (a user's files) is refused.
 */
export const checkNewRunFolder = (dir: string): void => {
  const names = entriesOf('--out', dir)
  if (names === null) return
  const foreign = names.filter((n) => !isStartLeftover(dir, n))
  if (foreign.length > 0) {
    throw new UsageError(
      `--out: ${dir} is not empty and holds no run (it has ${listed(names)}; allowed: an absent or empty folder, or a run folder with ${FILES.config} to --resume)`,
    )
  }
}

/**
 * `sweep --out`: absent, empty, or a sweep folder (with sweep.json); anything else is refused.
 * A temporary sweep.json alone counts as empty: another share of the sweep is writing its plan.
 */
export const checkSweepFolder = (dir: string, planFile: string): void => {
  const names = entriesOf('--out', dir)
  if (names === null || names.includes(planFile) || names.every((n) => TEMP_FILE.test(n) && n.replace(TEMP_FILE, '') === planFile)) return
  const what = names.includes(FILES.config) ? `a run folder (${FILES.config}), not a sweep` : `not empty and holds no sweep (it has ${listed(names)})`
  throw new UsageError(`--out: ${dir} is ${what}; allowed: an absent or empty folder, or a sweep folder with ${planFile} to continue`)
}

/**
 * An output file (`report --out`, `plot --out`; `what` names it in a message): not a folder, and not one of a run's,
 * a sweep's or a checkpoint's own files (`PROTECTED_FILES`), which it would overwrite.
 */
export const checkOutputFile = (flag: string, file: string, what: { readonly noun: string; readonly example: string }): void => {
  if (existsSync(file) && statSync(file).isDirectory()) throw new UsageError(`${flag}: ${file} is a folder (give the ${what.noun}'s file name, e.g. ${what.example})`)
  const name = path.basename(file)
  if (PROTECTED_FILES.includes(name)) {
    throw new UsageError(`${flag}: ${file} would overwrite a run's own ${name} (allowed: any other file name, e.g. report.html or curves.svg; not ${PROTECTED_FILES.join(', ')})`)
  }
}

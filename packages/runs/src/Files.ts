/**
 * The names of every file grokscope writes: a run folder's documents, its start marker,
 * its weights history, its lock, the temporary files of atomic writes, a sweep folder's
 * plan, logs and failure records, the results and the exported checkpoint; and which of
 * them are grokscope's own (`ownFileOf`), that no output given by a user may replace. Paths are the
 * caller's business (Node joins them, the page zips them); names live here, once.
 *
 * @example
 * import { RUN_FILES, historyFileName, historyStep, isTemporaryOf } from '@grokscope/runs'
 * RUN_FILES.summary // => 'summary.json'
 * historyFileName(300) // => 'step-000300.safetensors'
 * historyStep('step-000300.safetensors') // => 300
 * isTemporaryOf('state.json.1234.tmp', 'state.json') // => true
 *
 * @since 0.2.0
 */

/** The documents of a run folder. */
export const RUN_FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  weights: 'weights.json',
  state: 'state.json',
  summary: 'summary.json',
  curves: 'curves.svg',
} as const

/** A document of a run folder, by its key in `RUN_FILES`. */
export type RunFile = keyof typeof RUN_FILES

/** The report `grokscope report` writes inside a run or a folder of runs. */
export const REPORT_FILE = 'report.html'

/** The folder of a run's weights history (`train --save-every`). */
export const HISTORY_DIR = 'history'

const HISTORY_NAME = /^step-(\d+)\.safetensors$/

/** A history file's name: `step-000300.safetensors`. */
export const historyFileName = (step: number): string => `step-${String(step).padStart(6, '0')}.safetensors`

/** The step a history file's name holds, or null for any other name. */
export const historyStep = (name: string): number | null => {
  const m = HISTORY_NAME.exec(name)
  return m === null ? null : Number(m[1])
}

/** The lock of a run folder, held by the one process that writes it. */
export const LOCK_FILE = '.lock'

/** The lock and the files made beside it while it is taken, handed over or released (`.lock.<token>.new`, `.lock.<token>.takeover`). */
export const isLockFile = (name: string): boolean => name === LOCK_FILE || name.startsWith(`${LOCK_FILE}.`)

/** The temporary file an atomic write makes beside its target: `<name>.<pid>.tmp`. */
export const temporaryName = (name: string, pid: number): string => `${name}.${pid}.tmp`

const TEMPORARY = /^(.*)\.\d+\.tmp$/

/** The file a temporary file is being written for (`state.json.1234.tmp` → `state.json`), or null. */
export const temporaryTarget = (name: string): string | null => TEMPORARY.exec(name)?.[1] ?? null

/** Whether `name` is a temporary file written for `target`. */
export const isTemporaryOf = (name: string, target: string): boolean => temporaryTarget(name) === target

/** The files of a sweep folder besides its run folders. */
export const SWEEP_FILES = { plan: 'sweep.json', logs: 'logs' } as const

/** A run's log in a sweep's logs folder. */
export const logFileName = (run: string): string => `${run}.log`

/** A run's failure record in a sweep's logs folder (its training failed; a rerun continues it). */
export const failureFileName = (run: string): string => `${run}.failed.json`

/** The files `results` writes into a sweep folder or a folder of runs. */
export const RESULT_FILES = { csv: 'results.csv', table: 'table.md', accuracy: 'accuracy.svg', measures: 'measures.svg' } as const

/** The files of an exported TransformerLens checkpoint (`grokscope export`). */
export const CHECKPOINT_FILES = { weights: 'model.safetensors', config: 'config.json' } as const

/** Whether a name is a sweep's failure record (`<run>.failed.json`). */
const isFailureRecord = (name: string): boolean => name.endsWith(failureFileName(''))

/**
 * The marker a run's start writes first, into an absent or empty folder (`startDocument`: the run's fingerprint), and
 * removes once config.json makes the folder a run: a folder without config.json is an interrupted start only when it
 * holds this marker (or nothing but lock files).
 *
 * @since 0.3.0
 */
export const START_FILE = '.start.json'

/** grokscope's own files by name, each with what it is, as `ownFileOf` tells them. */
const OWN_FILES: ReadonlyArray<readonly [(name: string) => boolean, string]> = [
  [(name) => (Object.values(RUN_FILES) as ReadonlyArray<string>).includes(name), "a run's document"],
  [(name) => name === START_FILE, "a run's start marker"],
  [(name) => historyStep(name) !== null, "a run's weights history file"],
  [isLockFile, "a run folder's lock"],
  [(name) => temporaryTarget(name) !== null, 'the temporary file of a write in progress'],
  [(name) => name === SWEEP_FILES.plan, "a sweep's plan"],
  [isFailureRecord, "a sweep's failure record"],
  [(name) => name === CHECKPOINT_FILES.weights, "an exported checkpoint's weights"],
]

/**
 * What a file name is when it is one of grokscope's own, that no output given by a user (`report --out`, `plot --out`,
 * …) may replace, wherever it is: a run's document (config.json, metrics.jsonl, state.json, weights.json, summary.json,
 * curves.svg), its start marker, a weights history file (`step-000300.safetensors`), a lock file (`.lock`,
 * `.lock.<token>.new`, `.lock.<token>.takeover`), the temporary file of an atomic write (`<name>.<pid>.tmp`), a sweep's
 * plan or failure record (`<run>.failed.json`), an exported checkpoint's weights; null for any other name (a report,
 * a plot, results, a user's file).
 *
 * @example
 * import { ownFileOf } from '@grokscope/runs'
 * ownFileOf('step-000050.safetensors') // => "a run's weights history file"
 * ownFileOf('state.json.1234.tmp') // => 'the temporary file of a write in progress'
 * ownFileOf('notes.svg') // => null
 *
 * @since 0.3.0
 */
export const ownFileOf = (name: string): string | null => OWN_FILES.find(([is]) => is(name))?.[1] ?? null

/**
 * What a run's start writes before config.json (written last) makes the folder a run, by name: the lock, the start
 * marker (first), the step-0 weights history, an empty metrics.jsonl, state.json and weights.json, and their temporary
 * files. A folder without config.json holding only these is a start that was interrupted when it also holds the start
 * marker (the caller decodes it, checks that metrics.jsonl is empty and that the history folder holds only history
 * files), or when it holds only lock files.
 */
export const isStartLeftover = (name: string): boolean => {
  if (isLockFile(name) || name === HISTORY_DIR) return true
  const base = temporaryTarget(name) ?? name
  return base === START_FILE || base === RUN_FILES.metrics || base === RUN_FILES.state || base === RUN_FILES.weights
}

/** Whether an entry of a history folder is a history file or one being written. */
export const isHistoryEntry = (name: string): boolean => historyStep(temporaryTarget(name) ?? name) !== null

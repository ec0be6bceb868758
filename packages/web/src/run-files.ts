/**
 * The run folder of a run trained in the page, as the CLI writes it: the documents of
 * `@grokscope/runs` (config.json, weights.json, metrics.jsonl, state.json that
 * `grokscope train --resume` continues, summary.json), zipped under the run's name.
 * Pure: the caller gives the final weights and state, read back from the backend, and the summary.
 *
 * @example
 * import { type RunInput, runZip } from './run-files.js'
 * declare const run: RunInput  // a run trained in the page: its config, records, final weights and state (read back), summary
 * const { name, zip } = runZip(run, Date.now())
 * // name 'add-p23-r0.5-s0', zip: a .zip holding add-p23-r0.5-s0/config.json, …
 *
 * @since 0.1.0
 */
import { strToU8, zipSync } from 'fflate'
import type { HostParams } from '@grokscope/model'
import {
  type MetricsRecord,
  RUN_FILES,
  type RunConfig,
  type Summary,
  encodeRunConfig,
  encodedStateDocument,
  metricsLine,
  metricsText,
  runName,
  weightsDocument,
} from '@grokscope/runs'
import type { EncodedTrainState } from '@grokscope/train'

/** Everything a run folder is written from. */
export interface RunInput {
  readonly config: RunConfig
  readonly records: ReadonlyArray<MetricsRecord>
  /** The final weights (`readHost`) and training state (`encodeTrainStateAsync`), read back from the backend. */
  readonly host: HostParams
  readonly state: EncodedTrainState
  readonly summary: Summary
}

/** The documents of a run folder, by file name, as text (a run's curves are drawn by the CLI when it reads the folder). */
export type RunFiles = Readonly<Record<(typeof RUN_FILES)[Exclude<keyof typeof RUN_FILES, 'curves'>], string>>

/** The run folder's files. */
export const runFiles = (r: RunInput): RunFiles => ({
  [RUN_FILES.config]: `${JSON.stringify(encodeRunConfig(r.config), null, 2)}\n`,
  [RUN_FILES.weights]: JSON.stringify(weightsDocument(r.config, r.host, r.state.step)),
  [RUN_FILES.metrics]: metricsText(r.records.map(metricsLine)),
  [RUN_FILES.state]: JSON.stringify(encodedStateDocument(r.config, r.state)),
  [RUN_FILES.summary]: `${JSON.stringify(r.summary, null, 2)}\n`,
})

/**
 * The run folder as a .zip (deflated) holding one folder, named as the CLI names it; `endedAtMs` (ms since the epoch)
 * is the files' time.
 */
export const runZip = (r: RunInput, endedAtMs: number): { readonly name: string; readonly zip: Uint8Array } => {
  const name = runName(r.config)
  const files = runFiles(r)
  return {
    name,
    zip: zipSync({ [name]: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)])) }, { level: 6, mtime: endedAtMs }),
  }
}

/**
 * @grokscope/cli — the command line; `main.ts` is the executable. Exposed for
 * tools that want the same backend, model loading and run-folder layout.
 *
 * @since 0.1.0
 */
export { initBackend } from './backend.js'
export { loadModel } from './model-file.js'
export { type RunConfig, RunConfigCodec, decodeRunConfig, encodeRunConfig } from './run-config.js'
export { FILES, type MetricsLog, type RunFolder, type RunSummary, decodeMetricsLog, readConfig, readMetrics, runFolder } from './run-folder.js'

/**
 * @grokscope/cli — the command line; `main.ts` is the executable. Exposed for
 * tools that want the same run-folder layout.
 *
 * @since 0.1.0
 */
export { initBackend } from './backend.js'
export { loadModel } from './model-file.js'

/**
 * @grokscope/analysis — the analyses of a model and the per-evaluation record of
 * a run, as pure library calls: the whole `grokscope analyze --json` document from a
 * decoded weights file, FFD/FCR of `W_E` and `W_L` in both bases, weight norms, the
 * all-pairs logit analyses, and the typed `metrics.jsonl` record. No file system,
 * console or clock: the caller passes the clock.
 *
 * @since 0.1.0
 */
export * from './AllPairs.js'
export * from './Outcome.js'
export * from './Analysis.js'
export * from './KeyRule.js'
export * from './Record.js'
export * from './Task.js'
export * from './Weights.js'

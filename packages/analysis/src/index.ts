/**
 * @grokscope/analysis — the analyses of a model, as pure library calls: the whole
 * `grokscope analyze --json` document from a decoded weights file, FFD/FCR of `W_E`
 * and `W_L` in both bases, weight norms, and the all-pairs logit analyses. No file
 * system, console or clock: the caller passes the clock. (A run's per-evaluation
 * record, built from these, is `@grokscope/runs`'.)
 *
 * @since 0.1.0
 */
export * from './AllPairs.js'
export * from './Analysis.js'
export * from './KeyRule.js'
export * from './Logits.js'
export * from './Task.js'
export * from './Weights.js'

/**
 * @grokscope/runs — every document grokscope writes, with one owner each: a run's
 * config.json, state.json, metrics.jsonl, summary.json, the metadata of its weights and
 * weights history, its name and fingerprint; a sweep's plan, shards and results table;
 * and the training session that writes a run through the caller's sinks. Versioned:
 * documents written since 0.1.0 are read. No file system, console or clock: the CLI
 * (through `@grokscope/node`) and the page are adapters around it.
 *
 * @since 0.2.0
 */
export * from './Claims.js'
export * from './Config.js'
export * from './Evidence.js'
export * from './Files.js'
export * from './Fingerprint.js'
export * from './Metrics.js'
export * from './Outcome.js'
export * from './Plan.js'
export * from './Record.js'
export * from './Reproduce.js'
export * from './Results.js'
export * from './Session.js'
export * from './Settings.js'
export * from './Shard.js'
export * from './Stability.js'
export * from './Start.js'
export * from './State.js'
export * from './Status.js'
export * from './Summary.js'
export * from './Weights.js'

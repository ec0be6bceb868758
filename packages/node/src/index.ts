/**
 * @grokscope/node — grokscope's adapters for Node, shared by the CLI and any Node program: the
 * WASM backend, crash-safe files and the run lock, run folders on disk, models from any file
 * grokscope or TransformerLens writes, training over worker threads within a memory budget
 * (`runTraining`), sweeps trained in worker threads (`claimSweepFolder`, `runSweep`), and
 * reports and results written into folders. The formats are `@grokscope/runs`'; this package
 * only reads and writes them.
 *
 * @since 0.2.0
 */
export * from './Analyze.js'
export * from './Backend.js'
export * from './Bench.js'
export * from './Errors.js'
export * from './Files.js'
export * from './Lock.js'
export * from './Memory.js'
export * from './ModelFile.js'
export * from './Outputs.js'
export * from './Pool.js'
export * from './Predict.js'
export * from './Report.js'
export * from './Reproduce.js'
export * from './Roofline.js'
export * from './RunFolder.js'
export * from './Sweep.js'
export * from './ToGrok.js'
export * from './Training.js'

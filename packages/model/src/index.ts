/**
 * @grokscope/model — the paper's Transformer on tfjs-core: config, weights
 * under TransformerLens names, forward and backward passes, and the fixture
 * JSON weights format. The caller chooses and initialises the tfjs backend.
 *
 * @since 0.1.0
 */
export * from './Checkpoint.js'
export * from './Config.js'
export * from './Params.js'
export * from './Transformer.js'

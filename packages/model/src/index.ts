/**
 * @grokscope/model — the paper's Transformer on tfjs-core: config, weights
 * under TransformerLens names, token inputs, the training passes (forward and a
 * written-out backward), a readable every-position pass with TransformerLens's
 * activation cache, and the fixture JSON weights format. The caller chooses and
 * initialises the tfjs backend. `./internal/*` is not exported.
 *
 * @since 0.1.0
 */
export * from './ActivationCache.js'
export * from './Checkpoint.js'
export * from './Config.js'
export * from './Fingerprint.js'
export * from './Inputs.js'
// The loss's gradient (`crossEntropyGrad`) stays inside the package: `lossAndGrads` applies it.
export { crossEntropy, crossEntropyPerExample } from './Loss.js'
export * from './Params.js'
export * from './Transformer.js'
export * from './Safetensors.js'
export * from './TransformerLens.js'
export * from './Transfer.js'

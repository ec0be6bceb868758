/**
 * @grokscope/measures — the Fourier basis of ℤ_p, spectra, and the paper's
 * progress measures (FFD/FFS, FCR) on plain float64 matrices. No tfjs.
 *
 * @since 0.1.0
 */
export * from './Fourier.js'
export * from './Matrix.js'
export * from './Progress.js'
export * from './Weights.js'
export * from './Multiplicative.js'
export * from './Logits.js'
export * from './Norms.js'
export * from './Neurons.js'
export * from './KeyFrequencies.js'
export * from './Excluded.js'
export * from './Phases.js'
export * from './Planted.js'
export * from './PairSpectra.js'

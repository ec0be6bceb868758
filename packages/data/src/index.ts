/**
 * @grokscope/data — modular-arithmetic tasks for grokking experiments: the
 * paper's operations and user expressions, the vocabulary, all `p²` examples,
 * the seeded split, config decoding and the number theory of ℤ_p. No tfjs.
 *
 * @since 0.1.0
 */
export * from './Config.js'
export * from './Dataset.js'
export * from './Expr.js'
export * from './Modular.js'
export * from './Numbers.js'
export * from './Operation.js'

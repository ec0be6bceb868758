/**
 * @grokscope/train — full-batch AdamW, a pure training step, evaluation, and a
 * callback-driven loop with the paper's stop rules. No I/O, console or clock.
 *
 * @since 0.1.0
 */
export * from './Optimizer.js'
export * from './Data.js'
export * from './Loop.js'
export * from './State.js'
export * from './Step.js'
export * from './Transforms.js'

// Small runs for tests of the training session and of what trains through it: the paper's options on a+b mod 7
// with a model small enough to train in milliseconds a step.
import * as E from 'fp-ts/lib/Either.js'
import { PAPER_SETTINGS, type RunConfig, type RunSettings, makeRunConfig } from '@grokscope/runs'

/** a+b mod 7 on 60 % of the pairs, d_model 16, 2 heads of 8, d_mlp 32, 40 steps evaluated every 10. */
export const SMALL_RUN: RunSettings = {
  ...PAPER_SETTINGS,
  ops: ['add'],
  p: 7,
  frac: 0.6,
  seed: 1,
  dModel: 16,
  heads: 2,
  dHead: 8,
  dMlp: 32,
  steps: 40,
  evalEvery: 10,
}

/** The config of these settings (a test fails at once when they are refused). */
export const configOf = (s: RunSettings): RunConfig => {
  const c = makeRunConfig(s)
  if (E.isLeft(c)) throw new Error(c.left)
  return c.right
}

/**
 * AdamW with decoupled weight decay, exactly as PyTorch's `torch.optim.AdamW`.
 *
 * @example
 * import { PAPER_ADAMW, initTrainState, adamw } from '@grokscope/train'
 * const next = adamw(PAPER_ADAMW, state, grads)  // a new state; `state` is untouched
 *
 * @since 0.1.0
 */
import * as tf from '@tensorflow/tfjs-core'
import { type Params, disposeParams, mapParams } from '@grokscope/model'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

export interface AdamWOptions {
  readonly lr: number
  readonly weightDecay: number
  readonly beta1: number
  readonly beta2: number
  readonly eps: number
  /** Weights that are not updated (the paper's frozen-embedding variants). */
  readonly frozen: ReadonlyArray<string>
}

/** The paper's optimiser: lr 1e-3, weight decay 1.0, betas (0.9, 0.98), eps 1e-8. */
export const PAPER_ADAMW: AdamWOptions = { lr: 1e-3, weightDecay: 1.0, beta1: 0.9, beta2: 0.98, eps: 1e-8, frozen: [] }

/** Weights, Adam moments and the number of steps taken. */
export interface TrainState {
  readonly step: number
  readonly params: Params
  readonly m: Params
  readonly v: Params
}

// ─────────────────────────────────────────────────────────────────────────────
// constructors
// ─────────────────────────────────────────────────────────────────────────────

/** Step 0: these weights (kept, not copied) with zero moments. */
export const initTrainState = (params: Params): TrainState => ({
  step: 0,
  params,
  m: mapParams(params, (t) => tf.zerosLike(t)),
  v: mapParams(params, (t) => tf.zerosLike(t)),
})

/** Frees every tensor of a state. */
export const disposeTrainState = (s: TrainState): void => {
  disposeParams(s.params)
  disposeParams(s.m)
  disposeParams(s.v)
}

// ─────────────────────────────────────────────────────────────────────────────
// update
// ─────────────────────────────────────────────────────────────────────────────

/**
 * One AdamW step: `θ ← θ(1 − lr·λ)`, then `θ ← θ − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)`.
 * Returns new tensors; the input state and gradients are left as they are.
 * A frozen weight is carried over as a copy, with its moments.
 */
export const adamw = (o: AdamWOptions, s: TrainState, grads: Params): TrainState =>
  tf.tidy(() => {
    const t = s.step + 1
    const stepSize = o.lr / (1 - o.beta1 ** t)
    const sqrtBc2 = Math.sqrt(1 - o.beta2 ** t)
    const frozen = new Set(o.frozen)
    const params: Record<string, tf.Tensor> = {}
    const m: Record<string, tf.Tensor> = {}
    const v: Record<string, tf.Tensor> = {}
    for (const [name, p] of Object.entries(s.params)) {
      const g = grads[name]
      if (frozen.has(name) || g === undefined) {
        params[name] = tf.clone(p)
        m[name] = tf.clone(s.m[name]!)
        v[name] = tf.clone(s.v[name]!)
        continue
      }
      const m1 = tf.add(tf.mul(s.m[name]!, o.beta1), tf.mul(g, 1 - o.beta1))
      const v1 = tf.add(tf.mul(s.v[name]!, o.beta2), tf.mul(tf.square(g), 1 - o.beta2))
      const denom = tf.add(tf.div(tf.sqrt(v1), sqrtBc2), o.eps)
      params[name] = tf.sub(tf.mul(p, 1 - o.lr * o.weightDecay), tf.mul(tf.div(m1, denom), stepSize))
      m[name] = m1
      v[name] = v1
    }
    return { step: t, params, m, v }
  })

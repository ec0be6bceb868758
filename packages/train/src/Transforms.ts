/**
 * Gradient transformations in the spirit of optax: each is a pure
 * `init(params) → state` and `update(grads, state, params) → { updates, state }`
 * over tfjs tensors, and `chain(…)` runs several in order. `updates` are
 * descent directions in the units of the weights: a step is
 * `θ ← θ·(1 − lr·λ) − updates` (`applyUpdates`; `λ` is the decoupled weight decay,
 * 0 for everything but AdamW). Every function returns new tensors and leaves its
 * inputs as they are. A weight missing from `grads` (frozen) keeps its state.
 *
 * @example
 * import type { Params } from '@grokscope/model'
 * import { chain, constantLr, grokfastEma, scaleByAdam } from '@grokscope/train'
 * declare const params: Params, grads: Params  // a model's weights and their gradients
 * const tx = chain(grokfastEma({ alpha: 0.98, lambda: 2 }), scaleByAdam({ beta1: 0.9, beta2: 0.98, eps: 1e-8, lr: constantLr(1e-3) }))
 * const s0 = tx.init(params)
 * const { updates, state: s1 } = tx.update(grads, s0, params)
 *
 * @since 0.1.0
 */
import * as tf from '@tensorflow/tfjs-core'
import type { Params } from '@grokscope/model'
import { tidy } from './internal/tidy.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** A transformation's state: the number of updates it has made and its tensors, by slot; every slot holds every weight. */
export interface TransformState {
  readonly count: number
  readonly slots: Readonly<Record<string, Params>>
}

/** What `update` gives: the transformed gradients (descent directions) and the next state. */
export interface TransformResult<S> {
  readonly updates: Params
  readonly state: S
}

/** A pure gradient transformation. */
export interface GradientTransformation<S = TransformState> {
  /** The state before the first update. */
  readonly init: (params: Params) => S
  /** The transformed gradients and the next state; the inputs are left as they are. */
  readonly update: (grads: Params, state: S, params: Params) => TransformResult<S>
}

/** A transformation that also says which slots its state holds after `count` updates (to check a decoded state). */
export interface Transform extends GradientTransformation {
  readonly slotNames: (count: number) => ReadonlyArray<string>
}

/** The learning rate at step `t` (1-based). */
export type Schedule = (t: number) => number

// ─────────────────────────────────────────────────────────────────────────────
// schedules
// ─────────────────────────────────────────────────────────────────────────────

/** The same learning rate at every step. */
export const constantLr =
  (lr: number): Schedule =>
  () =>
    lr

/** Linear warm-up: `lr · t/w` for steps `t < w`, then `lr` (exactly `lr`; `w = 0` is no warm-up). */
export const warmupLr =
  (lr: number, w: number): Schedule =>
  (t) =>
    t >= w ? lr : (lr * t) / w

// ─────────────────────────────────────────────────────────────────────────────
// utils
// ─────────────────────────────────────────────────────────────────────────────

const perWeight = (params: Params, f: (name: string, p: tf.Tensor) => tf.Tensor): Params =>
  Object.fromEntries(Object.entries(params).map(([name, p]) => [name, f(name, p)]))

/** A slot's next tensors: `f` for the weights with a gradient, a copy (of the same data) for the others. */
const nextSlot = (slot: Params, grads: Params, f: (name: string, g: tf.Tensor, old: tf.Tensor) => tf.Tensor): Params =>
  perWeight(slot, (name, old) => {
    const g = grads[name]
    return g === undefined ? tf.clone(old) : f(name, g, old)
  })

const zeros = (params: Params): Params => perWeight(params, (_, p) => tf.zerosLike(p))

// ─────────────────────────────────────────────────────────────────────────────
// transformations
// ─────────────────────────────────────────────────────────────────────────────

/**
 * Adam's scaling with bias correction, as `torch.optim.Adam`/`AdamW` compute it:
 * `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, update `lr_t/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)`.
 */
export const scaleByAdam = (o: {
  readonly beta1: number
  readonly beta2: number
  readonly eps: number
  readonly lr: Schedule
}): Transform => ({
  slotNames: () => ['m', 'v'],
  init: (params) => ({ count: 0, slots: { m: zeros(params), v: zeros(params) } }),
  update: (grads, s, _params) =>
    tidy(() => {
      const t = s.count + 1
      const stepSize = o.lr(t) / (1 - o.beta1 ** t)
      const sqrtBc2 = Math.sqrt(1 - o.beta2 ** t)
      const m = nextSlot(s.slots.m!, grads, (_, g, m0) => tf.add(tf.mul(m0, o.beta1), tf.mul(g, 1 - o.beta1)))
      const v = nextSlot(s.slots.v!, grads, (_, g, v0) => tf.add(tf.mul(v0, o.beta2), tf.mul(tf.square(g), 1 - o.beta2)))
      const updates: Record<string, tf.Tensor> = {}
      for (const name of Object.keys(grads)) {
        const denom = tf.add(tf.div(tf.sqrt(v[name]!), sqrtBc2), o.eps)
        updates[name] = tf.mul(tf.div(m[name]!, denom), stepSize)
      }
      return { updates, state: { count: t, slots: { m, v } } }
    }),
})

/**
 * SGD with momentum as `torch.optim.SGD` (no dampening, not Nesterov): the buffer
 * is the first gradient, then `b ← μb + g`; update `lr_t · b` (`lr_t · g` when `μ = 0`, with no buffer).
 */
export const sgdMomentum = (o: { readonly momentum: number; readonly lr: Schedule }): Transform => ({
  slotNames: () => (o.momentum === 0 ? [] : ['momentum']),
  init: (params) => ({ count: 0, slots: o.momentum === 0 ? {} : { momentum: zeros(params) } }),
  update: (grads, s, _params) =>
    tidy(() => {
      const t = s.count + 1
      const lr = o.lr(t)
      if (o.momentum === 0) return { updates: perWeight(grads, (_, g) => tf.mul(g, lr)), state: { count: t, slots: {} } }
      const b = nextSlot(s.slots.momentum!, grads, (_, g, b0) => (s.count === 0 ? tf.clone(g) : tf.add(tf.mul(b0, o.momentum), g)))
      return { updates: perWeight(grads, (name) => tf.mul(b[name]!, lr)), state: { count: t, slots: { momentum: b } } }
    }),
})

/** Coupled L2 weight decay (`torch.optim.Adam`'s and `SGD`'s `weight_decay`): `g + λθ`, except for the weights in `exclude`. */
export const addL2 = (o: { readonly rate: number; readonly exclude: ReadonlyArray<string> }): Transform => ({
  slotNames: () => [],
  init: () => ({ count: 0, slots: {} }),
  update: (grads, s, params) =>
    tidy(() => ({
      updates: perWeight(grads, (name, g) => (o.exclude.includes(name) ? tf.clone(g) : tf.add(g, tf.mul(params[name]!, o.rate)))),
      state: { count: s.count + 1, slots: {} },
    })),
})

/**
 * Grokfast-EMA (Lee et al. 2024, `gradfilter_ema`): `e ← αe + (1−α)g`, whose first
 * value is the first gradient; update `g + λe`.
 */
export const grokfastEma = (o: { readonly alpha: number; readonly lambda: number }): Transform => ({
  slotNames: () => ['ema'],
  init: (params) => ({ count: 0, slots: { ema: zeros(params) } }),
  update: (grads, s, _params) =>
    tidy(() => {
      const ema = nextSlot(s.slots.ema!, grads, (_, g, e0) => tf.add(tf.mul(s.count === 0 ? g : e0, o.alpha), tf.mul(g, 1 - o.alpha)))
      return {
        updates: perWeight(grads, (name, g) => tf.add(g, tf.mul(ema[name]!, o.lambda))),
        state: { count: s.count + 1, slots: { ema } },
      }
    }),
})

/** The MA filter's ring slot that the update after `count` updates writes. */
const ringSlot = (count: number, w: number): string => String(count % w)

/**
 * Grokfast-MA (`gradfilter_ma`, mean, with warm-up): the last `w` gradients are
 * kept; once there are `w`, update `g + λ·mean(last w)` (summed oldest first),
 * before that `g` unchanged. The state holds the gradients in ring slots `0…w−1`.
 */
export const grokfastMa = (o: { readonly window: number; readonly lambda: number }): Transform => ({
  slotNames: (count) => Array.from({ length: Math.min(count, o.window) }, (_, i) => String(i)),
  init: () => ({ count: 0, slots: {} }),
  update: (grads, s, params) =>
    tidy(() => {
      const w = o.window
      const at = ringSlot(s.count, w)
      const slots: Record<string, Params> = {}
      for (const [k, slot] of Object.entries(s.slots)) if (k !== at) slots[k] = perWeight(slot, (_, x) => tf.clone(x))
      slots[at] = perWeight(params, (name, p) => (grads[name] === undefined ? tf.zerosLike(p) : tf.clone(grads[name])))
      const count = s.count + 1
      if (count < w) return { updates: perWeight(grads, (_, g) => tf.clone(g)), state: { count, slots } }
      const order = Array.from({ length: w }, (_, i) => String((s.count + 1 + i) % w))
      const updates = perWeight(grads, (name, g) => {
        const sum = order.slice(1).reduce((acc, k) => tf.add(acc, slots[k]![name]!), slots[order[0]!]![name]!)
        return tf.add(g, tf.mul(tf.div(sum, w), o.lambda))
      })
      return { updates, state: { count, slots } }
    }),
})

// ─────────────────────────────────────────────────────────────────────────────
// composition and application
// ─────────────────────────────────────────────────────────────────────────────

/** The state of a chain: one state per transformation, in order. */
export type ChainState = ReadonlyArray<TransformState>

/** Runs transformations one after the other: each one's updates are the next one's gradients. */
export const chain = (...txs: ReadonlyArray<GradientTransformation>): GradientTransformation<ChainState> => ({
  init: (params) => txs.map((tx) => tx.init(params)),
  update: (grads, states, params) =>
    tidy(() => {
      let updates = grads
      const next: TransformState[] = []
      for (const [i, tx] of txs.entries()) {
        const r = tx.update(updates, states[i]!, params)
        updates = r.updates
        next.push(r.state)
      }
      // The last transformation's updates are new tensors, even for an empty chain.
      return { updates: txs.length === 0 ? perWeight(grads, (_, g) => tf.clone(g)) : updates, state: next }
    }),
})

/**
 * One step on the weights: `θ·keep(name) − u` for the weights with an update
 * (`keep` is `1 − lr_t·λ` for decoupled weight decay, 1 without), a copy for the others.
 */
export const applyUpdates = (params: Params, updates: Params, keep: (name: string) => number): Params =>
  tidy(() => perWeight(params, (name, p) => (updates[name] === undefined ? tf.clone(p) : tf.sub(tf.mul(p, keep(name)), updates[name]))))

/** Frees every tensor of a chain's state. */
export const disposeChainState = (s: ChainState): void => {
  for (const t of s) for (const slot of Object.values(t.slots)) tf.dispose(Object.values(slot))
}

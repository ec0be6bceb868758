/**
 * The optimiser of a run as a configuration (what config.json records) and the
 * chain of gradient transformations it stands for: optional Grokfast filters,
 * then AdamW (PyTorch-exact, the default), Adam with coupled L2 or SGD with
 * momentum, a linear learning-rate warm-up, weight decay that can leave chosen
 * weights out, and frozen weights (no update, no weight decay).
 *
 * @example
 * import type { Params } from '@grokscope/model'
 * import { type OptimizerOptions, PAPER_ADAMW, initTrainState, optimizerStep } from '@grokscope/train'
 * declare const params: Params, grads: Params  // a model's weights and their gradients
 * const o: OptimizerOptions = { ...PAPER_ADAMW, filters: [{ kind: 'grokfast-ema', alpha: 0.98, lambda: 2 }] }
 * const s0 = initTrainState(params, o)
 * const s1 = optimizerStep(o, s0, grads)  // a new state; `s0` is untouched
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import { NonNegativeNumber, PositiveNumber, UnitInterval, integerFrom } from '@grokscope/data'
import { type Params, disposeParams } from '@grokscope/model'
import {
  type ChainState,
  type Transform,
  addL2,
  applyUpdates,
  chain,
  disposeChainState,
  grokfastEma,
  grokfastMa,
  scaleByAdam,
  sgdMomentum,
  warmupLr,
} from './Transforms.js'
import { tidy } from './internal/tidy.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** The optimisers: AdamW (decoupled weight decay), Adam (coupled L2), SGD with momentum (coupled L2). */
export type OptimizerKind = 'adamw' | 'adam' | 'sgd'

/** A Grokfast gradient filter (Lee et al. 2024), applied to the gradients before the optimiser. */
export type FilterConfig =
  | { readonly kind: 'grokfast-ema'; readonly alpha: number; readonly lambda: number }
  | { readonly kind: 'grokfast-ma'; readonly window: number; readonly lambda: number }

/** The paper's AdamW settings; the fields every optimiser configuration has. */
export interface AdamWOptions {
  readonly lr: number
  /** AdamW: decoupled (`θ·(1 − lr·λ)`); Adam and SGD: coupled L2 (`g + λθ`). */
  readonly weightDecay: number
  readonly beta1: number
  readonly beta2: number
  readonly eps: number
  /** Weights that get no update and no weight decay (the paper's frozen-embedding variants). */
  readonly frozen: ReadonlyArray<string>
}

/** An optimiser: the paper's AdamW fields, and what changes it (each field missing means the paper's choice). */
export interface OptimizerOptions extends AdamWOptions {
  /** Default `adamw`. */
  readonly kind?: OptimizerKind
  /** SGD's momentum μ (default 0). */
  readonly momentum?: number
  /** Linear learning-rate warm-up over this many steps (default 0: none). */
  readonly warmup?: number
  /** Weights without weight decay (they are still updated). */
  readonly noDecay?: ReadonlyArray<string>
  /** Gradient filters, applied in order before the optimiser. */
  readonly filters?: ReadonlyArray<FilterConfig>
}

/** The paper's optimiser: AdamW, lr 1e-3, weight decay 1.0, betas (0.9, 0.98), eps 1e-8. */
export const PAPER_ADAMW: AdamWOptions = { lr: 1e-3, weightDecay: 1.0, beta1: 0.9, beta2: 0.98, eps: 1e-8, frozen: [] }

/** Grokfast-EMA's defaults (the paper's): α 0.98, λ 2. */
export const GROKFAST_EMA_DEFAULTS = { alpha: 0.98, lambda: 2 } as const

/** Grokfast-MA's defaults (the paper's): window 100, λ 5. */
export const GROKFAST_MA_DEFAULTS = { window: 100, lambda: 5 } as const

/** A Grokfast filter as config.json holds it. */
export const FilterConfigCodec = t.union(
  [
    t.type({ kind: t.literal('grokfast-ema'), alpha: UnitInterval, lambda: NonNegativeNumber }),
    t.type({ kind: t.literal('grokfast-ma'), window: integerFrom(1), lambda: NonNegativeNumber }),
  ],
  'a filter { kind: grokfast-ema, alpha, lambda } or { kind: grokfast-ma, window, lambda }',
)

/**
 * An optimiser as config.json holds it: the paper's AdamW fields (all a run of 0.1.0
 * wrote), and the chain's other settings (each missing: the paper's choice).
 */
export const OptimizerOptionsCodec: t.Type<OptimizerOptions, unknown, unknown> = t.intersection([
  t.type({
    lr: PositiveNumber,
    weightDecay: NonNegativeNumber,
    beta1: UnitInterval,
    beta2: UnitInterval,
    eps: PositiveNumber,
    frozen: t.readonlyArray(t.string),
  }),
  t.partial({
    kind: t.keyof({ adamw: null, adam: null, sgd: null }, 'adamw, adam or sgd'),
    momentum: UnitInterval,
    warmup: integerFrom(0),
    noDecay: t.readonlyArray(t.string),
    filters: t.readonlyArray(FilterConfigCodec),
  }),
])

/** Weights, the optimiser chain's state and the number of steps taken. */
export interface TrainState {
  readonly step: number
  readonly params: Params
  readonly opt: ChainState
}

// ─────────────────────────────────────────────────────────────────────────────
// the chain
// ─────────────────────────────────────────────────────────────────────────────

/** The optimiser's transformations, in order: the filters, coupled L2 (Adam, SGD), then Adam's or SGD's scaling. */
export const optimizerTransforms = (o: OptimizerOptions): ReadonlyArray<Transform> => {
  const lr = warmupLr(o.lr, o.warmup ?? 0)
  const kind = o.kind ?? 'adamw'
  const filters = (o.filters ?? []).map((f) => (f.kind === 'grokfast-ema' ? grokfastEma(f) : grokfastMa(f)))
  const l2 = kind === 'adamw' || o.weightDecay === 0 ? [] : [addL2({ rate: o.weightDecay, exclude: o.noDecay ?? [] })]
  const scale =
    kind === 'sgd' ? sgdMomentum({ momentum: o.momentum ?? 0, lr }) : scaleByAdam({ beta1: o.beta1, beta2: o.beta2, eps: o.eps, lr })
  return [...filters, ...l2, scale]
}

/** The factor a weight keeps at step `t` before its update: `1 − lr_t·λ` under AdamW (1 for weights in `noDecay`), else 1. */
const keepFactor = (o: OptimizerOptions, t: number): ((name: string) => number) => {
  if ((o.kind ?? 'adamw') !== 'adamw') return () => 1
  const keep = 1 - warmupLr(o.lr, o.warmup ?? 0)(t) * o.weightDecay
  const noDecay = new Set(o.noDecay ?? [])
  return (name) => (noDecay.has(name) ? 1 : keep)
}

// ─────────────────────────────────────────────────────────────────────────────
// constructors
// ─────────────────────────────────────────────────────────────────────────────

/** Step 0: these weights (kept, not copied) and the optimiser's initial state (zero moments for AdamW). */
export const initTrainState = (params: Params, o: OptimizerOptions = PAPER_ADAMW): TrainState => ({
  step: 0,
  params,
  opt: chain(...optimizerTransforms(o)).init(params),
})

/** Frees every tensor of a state. */
export const disposeTrainState = (s: TrainState): void => {
  disposeParams(s.params)
  disposeChainState(s.opt)
}

// ─────────────────────────────────────────────────────────────────────────────
// update
// ─────────────────────────────────────────────────────────────────────────────

/**
 * One optimiser step: the gradients (without the frozen weights) through the
 * chain, then `θ ← θ·(1 − lr_t·λ) − update`. For the paper's AdamW this is
 * `θ ← θ(1 − lr·λ)`, then `θ ← θ − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)`, as `torch.optim.AdamW`.
 * Returns new tensors; the input state and gradients are left as they are.
 */
export const optimizerStep = (o: OptimizerOptions, s: TrainState, grads: Params): TrainState =>
  tidy(() => {
    const t = s.step + 1
    const frozen = new Set(o.frozen)
    const live = Object.fromEntries(Object.entries(grads).filter(([name]) => !frozen.has(name) && s.params[name] !== undefined))
    const { updates, state } = chain(...optimizerTransforms(o)).update(live, s.opt, s.params)
    return { step: t, params: applyUpdates(s.params, updates, keepFactor(o, t)), opt: state }
  })

/**
 * The settings of a run as a person chooses them (the task, the budget and stop rule,
 * the model's sizes, the optimiser chain, transfer), their defaults (the paper's), the
 * named recipes found by measurement, and the one function that turns settings into a
 * run's config, checking them. The CLI's flags and the page's controls are settings by
 * these names; an error names a setting through the caller's `nameOf` (`--wd-exclude`
 * on the command line).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { PAPER_SETTINGS, RECIPES, makeRunConfig } from '@grokscope/runs'
 * const config = makeRunConfig({ ...PAPER_SETTINGS, ...RECIPES.fast.settings, ops: ['add'], p: 97, frac: 0.3, seed: 0 })
 * E.isRight(config) && config.right.optimizer.lr // => 0.02
 * E.isLeft(makeRunConfig({ ...PAPER_SETTINGS, momentum: 0.9, ops: ['add'], p: 97, frac: 0.3, seed: 0 })) // => true
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { datasetProblem, decodeTask, formatErrors, makeDataset } from '@grokscope/data'
import {
  type Activation,
  MAX_SIZE,
  type ModelConfig,
  PARTS,
  type Part,
  configProblems,
  paperConfig,
  paramShapes,
  partNames,
} from '@grokscope/model'
import {
  GROKFAST_EMA_DEFAULTS,
  GROKFAST_MA_DEFAULTS,
  GROK_THRESHOLD,
  type FilterConfig,
  type OptimizerKind,
  type OptimizerOptions,
  PAPER_ADAMW,
  PAPER_EVAL_EVERY,
  PAPER_MAX_STEPS,
  PAPER_STOP_AFTER_GROK,
  optimizerTransforms,
} from '@grokscope/train'
import { type RunConfig, type Transfer, VERSION } from './Config.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** What makes a run besides its task: budget and stop rule, model, optimiser, transfer. */
export interface RunOptions {
  /** The step budget (full-batch steps). */
  readonly steps: number
  readonly evalEvery: number
  /** Stop this many steps after test accuracy first reaches the threshold; null: never. */
  readonly stopAfterGrok: number | null
  readonly checkpointEvery: number
  /** Measure all `p²` pairs at the evaluations whose step is a multiple of this (0: never). */
  readonly measureEvery: number
  /** Keep the weights every this many steps (and at the grok step and the end); absent: no history. */
  readonly saveEvery?: number | undefined
  readonly dModel: number
  readonly heads: number
  readonly dHead: number
  readonly dMlp: number
  readonly layers: number
  readonly act: Activation
  readonly posEmbed: boolean
  readonly optimizer: OptimizerKind
  readonly lr: number
  /** Weight decay: decoupled for AdamW, coupled L2 for Adam and SGD. */
  readonly wd: number
  readonly momentum?: number | undefined
  /** Adam's β₁ (absent: the paper's 0.9). @since 0.5.0 */
  readonly beta1?: number | undefined
  /** Adam's β₂ (absent: the paper's 0.98). @since 0.5.0 */
  readonly beta2?: number | undefined
  /** Adam's ε (absent: the paper's 1e-8). @since 0.5.0 */
  readonly eps?: number | undefined
  readonly grokfast?: 'ema' | 'ma' | undefined
  readonly grokfastAlpha?: number | undefined
  readonly grokfastLambda?: number | undefined
  readonly grokfastWindow?: number | undefined
  readonly warmup: number
  /** Weights without weight decay (still updated), e.g. `embed.W_E`. */
  readonly wdExclude: ReadonlyArray<string>
  /** Every initial weight times this (Omnigrok). */
  readonly initScale: number
  /** The finished model (its weights file, an absolute path) whose `load` parts start the run. */
  readonly initFrom?: string | undefined
  /** Parts copied from `initFrom` (default: all). */
  readonly load?: ReadonlyArray<Part> | undefined
  /** Parts kept fixed. */
  readonly freeze?: ReadonlyArray<Part> | undefined
  /** The named recipe these settings came from (recorded in config.json). */
  readonly recipe?: string | undefined
}

/** A run's settings: its task (operation ids or expressions, p, training fraction, seed) and its options. */
export interface RunSettings extends RunOptions {
  readonly ops: ReadonlyArray<string>
  readonly p: number
  readonly frac: number
  readonly seed: number
}

/** How an adapter names a setting in a message (`--wd-exclude` on the command line); default: its key. */
export type NameOf = (setting: keyof RunSettings) => string

const PAPER_MODEL = paperConfig({ dVocab: 1, nOut: 1 })

/** The paper's options: its model, AdamW, the 3·10⁵-step budget, an evaluation every 100 steps, a stop 2,000 steps after grokking. */
export const PAPER_SETTINGS: RunOptions = {
  steps: PAPER_MAX_STEPS,
  evalEvery: PAPER_EVAL_EVERY,
  stopAfterGrok: PAPER_STOP_AFTER_GROK,
  checkpointEvery: 1000,
  measureEvery: 0,
  dModel: PAPER_MODEL.dModel,
  heads: PAPER_MODEL.nHeads,
  dHead: PAPER_MODEL.dHead,
  dMlp: PAPER_MODEL.dMlp,
  layers: PAPER_MODEL.nLayers,
  act: PAPER_MODEL.act,
  posEmbed: PAPER_MODEL.positionalEmbedding,
  optimizer: 'adamw',
  lr: PAPER_ADAMW.lr,
  wd: PAPER_ADAMW.weightDecay,
  warmup: 0,
  wdExclude: [],
  initScale: 1,
}

/** A named set of options found by measurement (docs/PERFORMANCE.md, "Time to grok"); options given explicitly win over it. */
export interface Recipe {
  /** What it sets, for help texts and tables. */
  readonly summary: string
  readonly settings: Partial<RunOptions>
}

export const RECIPES = {
  // The paper's AdamW with 20× its learning rate and twice its weight decay.
  fast: { summary: 'AdamW, lr 2e-2, wd 2', settings: { lr: 2e-2, wd: 2 } },
} as const satisfies Readonly<Record<string, Recipe>>

export type RecipeId = keyof typeof RECIPES

export const RECIPE_IDS = Object.keys(RECIPES) as ReadonlyArray<RecipeId>

// ─────────────────────────────────────────────────────────────────────────────
// limits
// ─────────────────────────────────────────────────────────────────────────────

/**
 * The most steps a setting counts (`steps`, `evalEvery`, `checkpointEvery`, `measureEvery`, `saveEvery`, `warmup`,
 * `stopAfterGrok`): 10⁹, over 3,000 times the paper's budget (at a millisecond a step, eleven days).
 *
 * @since 0.3.0
 */
export const MAX_STEPS = 1_000_000_000

/**
 * The most Transformer blocks: 256. The backward pass holds every block's tensors: 1,000 blocks of width 8 took 1.5 GB.
 *
 * @since 0.3.0
 */
export const MAX_LAYERS = 256

/**
 * The largest width (`dModel`, `heads`, `dHead`, `dMlp`): the model's `MAX_SIZE`, 2^16; the weights' count bounds them together.
 *
 * @since 0.3.0
 */
export const MAX_WIDTH = MAX_SIZE

/**
 * The longest text a run's document may be, in characters: 2^29 − 24, V8's longest string (state.json and
 * weights.json are made whole as one JSON text; metrics.jsonl is read back whole).
 *
 * @since 0.3.0
 */
export const MAX_DOCUMENT_CHARS = 2 ** 29 - 24

/**
 * The most weights a run may have: 2^24. weights.json writes each weight as a decimal of up to 24 characters
 * (`-1.2345678901234567e-10,`): 2^24 of them stay within `MAX_DOCUMENT_CHARS`.
 *
 * @since 0.3.0
 */
export const MAX_RUN_WEIGHTS = 2 ** 24

/** state.json's characters per float32 (base64: 4 bytes in 16/3 characters). */
const STATE_CHARS = 16 / 3

/**
 * The most bytes a metrics.jsonl line may take, as an upper estimate: the losses, accuracies, measures and all-pairs
 * measures (the key frequencies list at most p/2 numbers), and a norm per weight (seven per block, 40 bytes each).
 */
const metricsLineBytes = (p: number, layers: number): number => 4096 + 8 * p + 7 * 40 * layers

/** Whether an optional setting is absent or an integer in `[min, max]`. */
const integerIn = (min: number, max: number) => (x: number | undefined | null): boolean =>
  x === undefined || x === null || (Number.isSafeInteger(x) && x >= min && x <= max)

/** The integer settings and their ranges: steps, intervals and sizes. */
const INTEGER_LIMITS: ReadonlyArray<readonly [keyof RunOptions, number, number]> = [
  ['steps', 1, MAX_STEPS],
  ['evalEvery', 1, MAX_STEPS],
  ['checkpointEvery', 1, MAX_STEPS],
  ['measureEvery', 0, MAX_STEPS],
  ['saveEvery', 1, MAX_STEPS],
  ['warmup', 0, MAX_STEPS],
  ['stopAfterGrok', 0, MAX_STEPS],
  ['dModel', 1, MAX_WIDTH],
  ['heads', 1, MAX_WIDTH],
  ['dHead', 1, MAX_WIDTH],
  ['dMlp', 1, MAX_WIDTH],
  ['layers', 1, MAX_LAYERS],
]

/**
 * The number of weights of a model (every entry of every weight).
 *
 * @since 0.3.0
 */
export const weightCount = (model: ModelConfig): number =>
  paramShapes(model).reduce((n, [, shape]) => n + shape.reduce((a, b) => a * b, 1), 0)

/** The first integer setting outside its range, as one line naming it and what is allowed; null if none. */
const integerProblem = (s: RunOptions, n: NameOf): string | null => {
  for (const [k, min, max] of INTEGER_LIMITS) {
    const v = s[k] as number | null | undefined
    if (!integerIn(min, max)(v)) return `${n(k)}: ${String(v)} is not allowed (an integer from ${min} to ${max})`
  }
  return null
}

/**
 * What a run's files could not hold, as one line naming the settings and what is allowed; null if they fit: at most
 * `MAX_RUN_WEIGHTS` weights (weights.json), the weights and the optimiser's slots within `MAX_DOCUMENT_CHARS`
 * (state.json), and a metrics.jsonl line per evaluation within it too.
 */
const documentProblem = (s: RunSettings, model: ModelConfig, optimizer: OptimizerOptions, n: NameOf): string | null => {
  const weights = weightCount(model)
  const sizes = `${n('dModel')}, ${n('heads')}, ${n('dHead')}, ${n('dMlp')}, ${n('layers')}`
  if (weights > MAX_RUN_WEIGHTS) {
    return (
      `the model would have ${weights} weights, more than the ${MAX_RUN_WEIGHTS} a run can save in weights.json ` +
      `(allowed: smaller ${sizes})`
    )
  }
  const slots = optimizerTransforms(optimizer).reduce((k, t) => k + t.slotNames(Number.MAX_SAFE_INTEGER).length, 0)
  if (weights * (1 + slots) * STATE_CHARS > MAX_DOCUMENT_CHARS) {
    return (
      `the weights and the optimiser's ${slots} copies of them (${weights} weights each) would not fit in state.json ` +
      `(allowed: at most ${Math.floor(MAX_DOCUMENT_CHARS / STATE_CHARS)} numbers in all; a smaller ${n('grokfastWindow')} or ${sizes})`
    )
  }
  const evaluations = Math.floor(s.steps / s.evalEvery) + 2
  const line = metricsLineBytes(s.p, s.layers)
  if (evaluations * line > MAX_DOCUMENT_CHARS) {
    return (
      `${n('steps')} ${s.steps} with ${n('evalEvery')} ${s.evalEvery} makes ${evaluations} evaluations, more than metrics.jsonl ` +
      `can hold (allowed: at most ${Math.floor(MAX_DOCUMENT_CHARS / line)} with this p and ${n('layers')}; a larger ${n('evalEvery')})`
    )
  }
  return null
}

// ─────────────────────────────────────────────────────────────────────────────
// settings → config
// ─────────────────────────────────────────────────────────────────────────────

const GROKFAST_SETTINGS = ['grokfastAlpha', 'grokfastLambda', 'grokfastWindow'] as const

const filtersOf = (s: RunOptions, n: NameOf): E.Either<string, ReadonlyArray<FilterConfig>> => {
  if (s.grokfast === undefined) {
    const stray = GROKFAST_SETTINGS.find((k) => s[k] !== undefined)
    return stray === undefined ? E.right([]) : E.left(`${n(stray)} needs ${n('grokfast')} ema or ma`)
  }
  if (s.grokfast === 'ema') {
    if (s.grokfastWindow !== undefined) {
      return E.left(`${n('grokfastWindow')} is for ${n('grokfast')} ma (the EMA filter has ${n('grokfastAlpha')})`)
    }
    return E.right([
      {
        kind: 'grokfast-ema',
        alpha: s.grokfastAlpha ?? GROKFAST_EMA_DEFAULTS.alpha,
        lambda: s.grokfastLambda ?? GROKFAST_EMA_DEFAULTS.lambda,
      },
    ])
  }
  if (s.grokfastAlpha !== undefined) {
    return E.left(`${n('grokfastAlpha')} is for ${n('grokfast')} ema (the MA filter has ${n('grokfastWindow')})`)
  }
  return E.right([
    {
      kind: 'grokfast-ma',
      window: s.grokfastWindow ?? GROKFAST_MA_DEFAULTS.window,
      lambda: s.grokfastLambda ?? GROKFAST_MA_DEFAULTS.lambda,
    },
  ])
}

/**
 * The optimiser chain of these options (every field written out, so config.json records the
 * whole chain), with these frozen weights; `Left` is one line naming the setting. Weight names
 * are checked against the model by `makeRunConfig`.
 */
export const optimizerOf = (
  s: RunOptions,
  frozen: ReadonlyArray<string> = [],
  nameOf: NameOf = (k) => k,
): E.Either<string, OptimizerOptions> => {
  const n = nameOf
  if (s.momentum !== undefined && s.optimizer !== 'sgd') {
    return E.left(`${n('momentum')} is for ${n('optimizer')} sgd (got ${n('optimizer')} ${s.optimizer})`)
  }
  if (s.wdExclude.some((w) => w.trim() === '')) {
    return E.left(`${n('wdExclude')}: an empty weight name (give names such as embed.W_E,unembed.W_U)`)
  }
  return E.map((filters: ReadonlyArray<FilterConfig>) => ({
    ...PAPER_ADAMW,
    kind: s.optimizer,
    lr: s.lr,
    weightDecay: s.wd,
    beta1: s.beta1 ?? PAPER_ADAMW.beta1,
    beta2: s.beta2 ?? PAPER_ADAMW.beta2,
    eps: s.eps ?? PAPER_ADAMW.eps,
    momentum: s.momentum ?? 0,
    warmup: s.warmup,
    noDecay: s.wdExclude.map((w) => w.trim()),
    frozen: [...frozen],
    filters,
  }))(filtersOf(s, n))
}

/** The task's error, its field named as the adapter names the setting (`--p: 91 is not allowed (…)`). */
const taskProblem = (message: string, n: NameOf): string =>
  message.replace(/^ops(\.\d+)?:/, `${n('ops')}:`).replace(/^(p|frac|seed):/, (_, k: 'p' | 'frac' | 'seed') => `${n(k)}:`)

/**
 * A run's config from its settings (nothing is read or written); `Left` is one line naming
 * the setting through `nameOf`. The task must give a dataset to train and test on (every
 * operation with defined pairs on both sides of the split); loaded parts need `initFrom`; every count of steps within
 * `MAX_STEPS`, every width within `MAX_WIDTH`, at most `MAX_LAYERS` blocks; the run's files must be ones it can write
 * and read back (at most `MAX_RUN_WEIGHTS` weights; state.json and metrics.jsonl within `MAX_DOCUMENT_CHARS`);
 * excluded weights must exist.
 */
export const makeRunConfig = (s: RunSettings, nameOf: NameOf = (k) => k): E.Either<string, RunConfig> => {
  const n = nameOf
  if (s.load !== undefined && s.initFrom === undefined) {
    return E.left(`${n('load')} needs ${n('initFrom')} (the run or weights file to load the parts from)`)
  }
  const task = decodeTask({ p: s.p, ops: s.ops, frac: s.frac, seed: s.seed })
  if (E.isLeft(task)) return E.left(taskProblem(formatErrors(task.left)[0] ?? 'invalid task', n))
  const outOfRange = integerProblem(s, n)
  if (outOfRange !== null) return E.left(outOfRange)
  const unusable = datasetProblem(makeDataset(task.right))
  if (unusable !== null) return E.left(`${n('ops')}: ${unusable}`)
  const model = paperConfig({
    dVocab: task.right.p + task.right.ops.length,
    nOut: task.right.p,
    dModel: s.dModel,
    nHeads: s.heads,
    dHead: s.dHead,
    dMlp: s.dMlp,
    nLayers: s.layers,
    act: s.act,
    positionalEmbedding: s.posEmbed,
  })
  const problems = configProblems(model)
  if (problems.length > 0) return E.left(problems[0]!)
  const optimizer = optimizerOf(s, partNames(model, s.freeze ?? []), n)
  if (E.isLeft(optimizer)) return optimizer
  const unsaveable = documentProblem(s, model, optimizer.right, n)
  if (unsaveable !== null) return E.left(unsaveable)
  const names = paramShapes(model).map(([w]) => w)
  const unknown = s.wdExclude.map((w) => w.trim()).find((w) => !names.includes(w))
  if (unknown !== undefined) {
    return E.left(`${n('wdExclude')}: ${JSON.stringify(unknown)} is not a weight of the model (allowed: ${names.join(', ')})`)
  }
  const transfer: Transfer | null =
    s.initFrom === undefined && s.freeze === undefined
      ? null
      : { source: s.initFrom ?? null, loaded: s.initFrom === undefined ? [] : [...(s.load ?? PARTS)], frozen: [...(s.freeze ?? [])] }
  return E.right({
    grokscope: VERSION,
    task: task.right,
    model,
    optimizer: optimizer.right,
    loop: {
      max_steps: s.steps,
      eval_every: s.evalEvery,
      stop_after_grok: s.stopAfterGrok,
      grok_threshold: GROK_THRESHOLD,
      checkpoint_every: s.checkpointEvery,
      measure_every: s.measureEvery,
      ...(s.saveEvery === undefined ? {} : { save_every: s.saveEvery }),
    },
    init_scale: s.initScale,
    ...(transfer === null ? {} : { transfer }),
    ...(s.recipe === undefined ? {} : { recipe: s.recipe }),
  })
}

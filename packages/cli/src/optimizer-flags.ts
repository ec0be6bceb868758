// The optimiser's flags (shared by `train` and any command that trains: `sweep`): their commander options,
// and the map from parsed flags to the optimiser chain's configuration that config.json records.
import { InvalidArgumentError, Option } from '@commander-js/extra-typings'
import * as E from 'fp-ts/lib/Either.js'
import { GROKFAST_EMA_DEFAULTS, GROKFAST_MA_DEFAULTS, type FilterConfig, type OptimizerKind, type OptimizerOptions, PAPER_ADAMW } from '@grokscope/train'
import { decimal, integer, nonNegative, positive } from './flags.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** The optimiser's flags as commander gives them (`lr` and `wd` are the `--lr` and `--wd` of the command). */
export interface OptimizerFlags {
  readonly lr: number
  readonly wd: number
  readonly optimizer: OptimizerKind
  readonly momentum?: number | undefined
  readonly grokfast?: 'ema' | 'ma' | undefined
  readonly grokfastAlpha?: number | undefined
  readonly grokfastLambda?: number | undefined
  readonly grokfastWindow?: number | undefined
  readonly warmup: number
  readonly wdExclude?: string | undefined
  readonly initScale: number
}

/** What the flags configure: the optimiser (config.json's `optimizer`) and the scale of the initial weights. */
export interface Training {
  readonly optimizer: OptimizerOptions
  readonly initScale: number
}

// ─────────────────────────────────────────────────────────────────────────────
// parsers
// ─────────────────────────────────────────────────────────────────────────────

/** `--grokfast-alpha`, `--momentum`: 0 ≤ x < 1. */
const unitInterval = (v: string): number => {
  const n = decimal(v)
  if (n >= 0 && n < 1) return n
  throw new InvalidArgumentError(`${JSON.stringify(v)} is not allowed (a number with 0 ≤ x < 1)`)
}

// ─────────────────────────────────────────────────────────────────────────────
// options
// ─────────────────────────────────────────────────────────────────────────────

/** The commander options, to add one by one with `.addOption(…)` (so that their types reach the action). */
export const OPTIMIZER_OPTIONS = {
  optimizer: new Option('--optimizer <name>', 'adamw (decoupled weight decay, the paper’s), adam (coupled L2 weight decay) or sgd (momentum, coupled L2)')
    .choices(['adamw', 'adam', 'sgd'] as const)
    .default('adamw' as const),
  momentum: new Option('--momentum <μ>', 'SGD momentum, 0 ≤ μ < 1 (default 0; only with --optimizer sgd)').argParser(unitInterval),
  grokfast: new Option('--grokfast <filter>', 'Grokfast gradient filter before the optimiser: ema (g + λ·EMA_α(g)) or ma (g + λ·mean of the last w gradients)').choices([
    'ema',
    'ma',
  ] as const),
  grokfastAlpha: new Option('--grokfast-alpha <α>', `EMA filter's α, 0 ≤ α < 1 (default ${GROKFAST_EMA_DEFAULTS.alpha})`).argParser(unitInterval),
  grokfastLambda: new Option('--grokfast-lambda <λ>', `the filter's amplification λ ≥ 0 (default ${GROKFAST_EMA_DEFAULTS.lambda} for ema, ${GROKFAST_MA_DEFAULTS.lambda} for ma)`).argParser(nonNegative),
  grokfastWindow: new Option('--grokfast-window <w>', `MA filter's window, an integer ≥ 1 (default ${GROKFAST_MA_DEFAULTS.window})`).argParser(integer(1, 100_000)),
  warmup: new Option('--warmup <steps>', 'linear learning-rate warm-up: lr·t/w for the first w steps (0: none)').argParser(integer(0)).default(0),
  wdExclude: new Option('--wd-exclude <names>', 'comma-separated weights without weight decay (e.g. embed.W_E,unembed.W_U)'),
  initScale: new Option('--init-scale <α>', 'multiply every initial weight by α > 0 (Omnigrok)').argParser(positive).default(1),
} as const

// ─────────────────────────────────────────────────────────────────────────────
// flags → configuration
// ─────────────────────────────────────────────────────────────────────────────

const filterFromFlags = (f: OptimizerFlags): E.Either<string, ReadonlyArray<FilterConfig>> => {
  if (f.grokfast === undefined) {
    const stray = (['grokfastAlpha', 'grokfastLambda', 'grokfastWindow'] as const).find((k) => f[k] !== undefined)
    return stray === undefined ? E.right([]) : E.left(`--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --grokfast ema or ma`)
  }
  if (f.grokfast === 'ema') {
    if (f.grokfastWindow !== undefined) return E.left('--grokfast-window is for --grokfast ma (the EMA filter has --grokfast-alpha)')
    return E.right([{ kind: 'grokfast-ema', alpha: f.grokfastAlpha ?? GROKFAST_EMA_DEFAULTS.alpha, lambda: f.grokfastLambda ?? GROKFAST_EMA_DEFAULTS.lambda }])
  }
  if (f.grokfastAlpha !== undefined) return E.left('--grokfast-alpha is for --grokfast ema (the MA filter has --grokfast-window)')
  return E.right([{ kind: 'grokfast-ma', window: f.grokfastWindow ?? GROKFAST_MA_DEFAULTS.window, lambda: f.grokfastLambda ?? GROKFAST_MA_DEFAULTS.lambda }])
}

/**
 * The optimiser chain's configuration from the flags (every field written out, so
 * config.json records the whole chain), with these frozen weights; `Left` is a
 * one-line error naming the flag. Weight names are checked against the model later.
 */
export const trainingFromFlags = (f: OptimizerFlags, frozen: ReadonlyArray<string> = PAPER_ADAMW.frozen): E.Either<string, Training> => {
  if (f.momentum !== undefined && f.optimizer !== 'sgd') return E.left(`--momentum is for --optimizer sgd (got --optimizer ${f.optimizer})`)
  const noDecay = f.wdExclude === undefined ? [] : f.wdExclude.split(',').map((s) => s.trim())
  if (noDecay.some((n) => n === '')) return E.left('--wd-exclude: an empty weight name (give comma-separated names such as embed.W_E,unembed.W_U)')
  return E.map((filters: ReadonlyArray<FilterConfig>) => ({
    optimizer: {
      ...PAPER_ADAMW,
      kind: f.optimizer,
      lr: f.lr,
      weightDecay: f.wd,
      momentum: f.momentum ?? 0,
      warmup: f.warmup,
      noDecay,
      frozen: [...frozen],
      filters,
    },
    initScale: f.initScale,
  }))(filterFromFlags(f))
}

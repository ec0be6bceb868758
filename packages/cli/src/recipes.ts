// Named training recipes (`--recipe`): values of the optimiser's flags found by measurement
// (docs/PERFORMANCE.md, "Time to grok": the tasks each was checked on). A flag given on the command line wins over its recipe.
import { type CommandUnknownOpts, Option } from '@commander-js/extra-typings'
import * as E from 'fp-ts/lib/Either.js'
import { GROKFAST_EMA_DEFAULTS, PAPER_ADAMW } from '@grokscope/train'
import { type OptimizerFlags, type Training, trainingFromFlags } from './optimizer-flags.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** The flags a recipe may set. */
export type RecipeFlags = Partial<Pick<OptimizerFlags, 'lr' | 'wd' | 'grokfast' | 'grokfastAlpha' | 'grokfastLambda' | 'grokfastWindow' | 'warmup' | 'initScale'>>

export interface Recipe {
  /** What it sets, for help texts and tables. */
  readonly summary: string
  readonly flags: RecipeFlags
}

export const RECIPES = {
  // The paper's AdamW with 20× its learning rate and twice its weight decay.
  fast: { summary: 'AdamW, lr 2e-2, wd 2', flags: { lr: 2e-2, wd: 2 } },
} as const satisfies Readonly<Record<string, Recipe>>

export type RecipeId = keyof typeof RECIPES

export const RECIPE_IDS = Object.keys(RECIPES) as ReadonlyArray<RecipeId>

// ─────────────────────────────────────────────────────────────────────────────
// options
// ─────────────────────────────────────────────────────────────────────────────

export const RECIPE_OPTION = new Option(
  '--recipe <name>',
  `a named set of optimiser flags; flags given explicitly win (${RECIPE_IDS.map((id) => `${id}: ${RECIPES[id].summary}`).join('; ')})`,
).choices(RECIPE_IDS)

/**
 * A commander `preAction` hook: sets the flags of the command's `--recipe` that were
 * not given on the command line (their defaults give way to the recipe's values).
 */
export const applyRecipe = (_: CommandUnknownOpts, action: CommandUnknownOpts): void => {
  const id = action.getOptionValue('recipe') as RecipeId | undefined
  if (id === undefined) return
  for (const [key, value] of Object.entries(RECIPES[id].flags)) {
    if (action.getOptionValueSource(key) !== 'cli') action.setOptionValueWithSource(key, value, 'implied')
  }
}

// ─────────────────────────────────────────────────────────────────────────────
// configuration
// ─────────────────────────────────────────────────────────────────────────────

/** The optimiser flags' defaults (the paper's AdamW, no filter, no warm-up, scale 1). */
const DEFAULT_FLAGS: OptimizerFlags = { lr: PAPER_ADAMW.lr, wd: PAPER_ADAMW.weightDecay, optimizer: 'adamw', warmup: 0, initScale: 1 }

/** The optimiser and initial scale these flags give on top of the defaults (a recipe's, or a `bench --to-grok` variant's). */
export const trainingOf = (flags: RecipeFlags): Training => {
  const t = trainingFromFlags({ ...DEFAULT_FLAGS, ...flags })
  if (E.isLeft(t)) throw new Error(`${JSON.stringify(flags)}: ${t.left}`)
  return t.right
}

/**
 * The PyTorch comparison program's flags for the same training: AdamW's `--lr` and `--wd`
 * and the Grokfast-EMA filter (`--grokfast alpha,lamb`); `null` for anything else (the MA
 * filter, which it has as `--grokfast-ma` but is not given here; warm-up; the initial scale).
 */
export const torchArgsOf = (flags: RecipeFlags): ReadonlyArray<string> | null => {
  const { lr, wd, grokfast, grokfastAlpha, grokfastLambda, ...rest } = flags
  if (grokfast === 'ma' || Object.values(rest).some((v) => v !== undefined)) return null
  return [
    ...(lr === undefined ? [] : ['--lr', String(lr)]),
    ...(wd === undefined ? [] : ['--wd', String(wd)]),
    ...(grokfast === 'ema' ? ['--grokfast', `${grokfastAlpha ?? GROKFAST_EMA_DEFAULTS.alpha},${grokfastLambda ?? GROKFAST_EMA_DEFAULTS.lambda}`] : []),
  ]
}

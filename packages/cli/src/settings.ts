// The flags that set up one run besides its task (budget, stop rule, model, optimiser, threads, memory),
// defined once and added to `train` and `sweep`; their values are `@grokscope/runs`' run options by the
// same names (`--wd-exclude` is `wdExclude`), whose defaults (the paper's) and checks are the library's.
import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings'
import * as E from 'fp-ts/lib/Either.js'
import { type CommandUnknownOpts } from '@commander-js/extra-typings'
import { type Part, parseParts } from '@grokscope/model'
import { DEFAULT_MEMORY_MIB, UsageError } from '@grokscope/node'
import {
  MAX_LAYERS,
  MAX_RUN_WEIGHTS,
  MAX_STEPS,
  MAX_WIDTH,
  type NameOf,
  PAPER_SETTINGS,
  RECIPES,
  RECIPE_IDS,
  type RecipeId,
  type RunOptions,
  type RunSettings,
  type Shard,
  parseShard,
  shardFromEnv,
} from '@grokscope/runs'
import { GROKFAST_EMA_DEFAULTS, GROKFAST_MA_DEFAULTS, GROK_THRESHOLD, PAPER_ADAMW } from '@grokscope/train'
import { MAX_THREADS, integer, memory, nonNegative, positive, steps, stopAfter, threads, unitInterval } from './flags.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/**
 * The run-setting flags as commander gives them: the run options by the same names, but the budget (absent: the
 * paper's), the stop rule (`never`), `--pos-embed` (absent: off) and `--wd-exclude` (one comma-separated value) as
 * typed; and the threads and the memory budget, which are not part of a run's config.
 */
export interface RunFlags extends Omit<RunOptions, 'steps' | 'stopAfterGrok' | 'posEmbed' | 'wdExclude' | 'initFrom' | 'load' | 'freeze'> {
  readonly steps?: number | undefined
  readonly stopAfterGrok: number | 'never'
  readonly posEmbed?: boolean | undefined
  readonly wdExclude?: string | undefined
  readonly threads: number
  /** The memory budget in MiB; it changes nothing but float32 summation order. */
  readonly memory: number
}

// ─────────────────────────────────────────────────────────────────────────────
// options
// ─────────────────────────────────────────────────────────────────────────────

/** `--load` / `--freeze`: parts of the model, comma-separated (`embed,transformer,unembed`, or `full`). */
export const parts = (v: string): ReadonlyArray<Part> => {
  const r = parseParts(v)
  if (E.isLeft(r)) throw new InvalidArgumentError(r.left)
  return r.right
}

const RECIPE_OPTION = new Option(
  '--recipe <name>',
  `a named set of optimiser flags; flags given explicitly win (${RECIPE_IDS.map((id) => `${id}: ${RECIPES[id].summary}`).join('; ')})`,
).choices(RECIPE_IDS)

/**
 * A commander `preAction` hook: sets the options of the command's `--recipe` that were not given on
 * the command line (their defaults give way to the recipe's values). A recipe's settings are flags by
 * the same names.
 */
const applyRecipe = (_: CommandUnknownOpts, action: CommandUnknownOpts): void => {
  const id = action.getOptionValue('recipe') as RecipeId | undefined
  if (id === undefined) return
  for (const [key, value] of Object.entries(RECIPES[id].settings)) {
    if (action.getOptionValueSource(key) !== 'cli') action.setOptionValueWithSource(key, value, 'implied')
  }
}

/**
 * Adds the run-setting flags (every flag of `train` except the task, `--out`, `--resume`,
 * `--no-progress` and transfer) to a new command, and the hook that applies `--recipe`. (It takes a
 * command without options: a generic over commander's option types makes the type checker crawl.)
 */
export const withRunOptions = (c: Command, defaultThreads: number) =>
  c
    .option(
      '--steps <n>',
      `step budget, 1 to ${MAX_STEPS} full-batch steps (default ${PAPER_SETTINGS.steps}, the paper’s)`,
      steps(1),
    )
    .option('--eval-every <n>', 'evaluate (and record metrics, FFD/FCR) every n steps', steps(1), PAPER_SETTINGS.evalEvery)
    .option(
      '--stop-after-grok <n|never>',
      `stop n steps after test accuracy first reaches ${GROK_THRESHOLD}`,
      stopAfter,
      PAPER_SETTINGS.stopAfterGrok ?? 'never',
    )
    .option(
      '--checkpoint-every <n>',
      'save weights and a resumable state every n steps (whatever --eval-every is)',
      steps(1),
      PAPER_SETTINGS.checkpointEvery,
    )
    .option(
      '--measure-every <n>',
      'at evaluations whose step is a multiple of n, also evaluate all p² pairs: logits-map asymmetry, key frequencies, ' +
        'restricted and full loss (0: never)',
      steps(0),
      PAPER_SETTINGS.measureEvery,
    )
    .option(
      '--save-every <n>',
      'keep a weights history: the weights at every n steps, at the grok step and at the end, in ' +
        'the run folder’s history/step-NNNNNN.safetensors (default: none)',
      steps(1),
    )
    .option('--d-model <n>', `residual width, 1 to ${MAX_WIDTH}`, integer(1, MAX_WIDTH), PAPER_SETTINGS.dModel)
    .option('--heads <n>', `attention heads, 1 to ${MAX_WIDTH}`, integer(1, MAX_WIDTH), PAPER_SETTINGS.heads)
    .option('--d-head <n>', `width of each head, 1 to ${MAX_WIDTH}`, integer(1, MAX_WIDTH), PAPER_SETTINGS.dHead)
    .option(
      '--d-mlp <n>',
      `MLP width, 1 to ${MAX_WIDTH}; all sizes together at most ${MAX_RUN_WEIGHTS} (2^24) weights, what weights.json can hold`,
      integer(1, MAX_WIDTH),
      PAPER_SETTINGS.dMlp,
    )
    .option(
      '--layers <n>',
      `Transformer blocks, 1 to ${MAX_LAYERS} (the backward pass holds every block's tensors)`,
      integer(1, MAX_LAYERS),
      PAPER_SETTINGS.layers,
    )
    .addOption(new Option('--act <name>', 'MLP activation').choices(['relu', 'gelu'] as const).default(PAPER_SETTINGS.act))
    .option('--pos-embed', 'add a learned positional embedding (the paper has none)')
    .option(
      '--threads <n>',
      `threads for the training step and the evaluations, 1 to ${MAX_THREADS}: ` +
        `the batch and the evaluated sets are split between the main thread and workers`,
      threads,
      defaultThreads,
    )
    .option('--lr <x>', 'learning rate', positive, PAPER_SETTINGS.lr)
    .option('--wd <x>', 'weight decay (AdamW: decoupled; adam and sgd: coupled L2)', nonNegative, PAPER_SETTINGS.wd)
    .addOption(
      new Option(
        '--optimizer <name>',
        'adamw (decoupled weight decay, the paper’s), adam (coupled L2 weight decay) or sgd (momentum, coupled L2)',
      )
        .choices(['adamw', 'adam', 'sgd'] as const)
        .default(PAPER_SETTINGS.optimizer),
    )
    .addOption(new Option('--beta1 <β₁>', `Adam's β₁, 0 ≤ β₁ < 1 (default ${PAPER_ADAMW.beta1}, the paper’s)`).argParser(unitInterval))
    .addOption(new Option('--beta2 <β₂>', `Adam's β₂, 0 ≤ β₂ < 1 (default ${PAPER_ADAMW.beta2}, the paper’s)`).argParser(unitInterval))
    .addOption(new Option('--eps <ε>', `Adam's ε > 0 (default ${PAPER_ADAMW.eps}, the paper’s)`).argParser(positive))
    .addOption(new Option('--momentum <μ>', 'SGD momentum, 0 ≤ μ < 1 (default 0; only with --optimizer sgd)').argParser(unitInterval))
    .addOption(
      new Option(
        '--grokfast <filter>',
        'Grokfast gradient filter before the optimiser: ema (g + λ·EMA_α(g)) or ma (g + λ·mean of the last w gradients)',
      ).choices(['ema', 'ma'] as const),
    )
    .addOption(
      new Option('--grokfast-alpha <α>', `EMA filter's α, 0 ≤ α < 1 (default ${GROKFAST_EMA_DEFAULTS.alpha})`).argParser(unitInterval),
    )
    .addOption(
      new Option(
        '--grokfast-lambda <λ>',
        `the filter's amplification λ ≥ 0 (default ${GROKFAST_EMA_DEFAULTS.lambda} for ema, ${GROKFAST_MA_DEFAULTS.lambda} for ma)`,
      ).argParser(nonNegative),
    )
    .addOption(
      new Option('--grokfast-window <w>', `MA filter's window, an integer ≥ 1 (default ${GROKFAST_MA_DEFAULTS.window})`).argParser(
        integer(1, 100_000),
      ),
    )
    .addOption(
      new Option('--warmup <steps>', 'linear learning-rate warm-up: lr·t/w for the first w steps (0: none)')
        .argParser(steps(0))
        .default(PAPER_SETTINGS.warmup),
    )
    .addOption(new Option('--wd-exclude <names>', 'comma-separated weights without weight decay (e.g. embed.W_E,unembed.W_U)'))
    .addOption(
      new Option('--init-scale <α>', 'multiply every initial weight by α > 0 (Omnigrok)')
        .argParser(positive)
        .default(PAPER_SETTINGS.initScale),
    )
    .addOption(RECIPE_OPTION)
    .option(
      '--memory <MiB>',
      'memory budget of the whole process: the training set is computed in chunks that fit it (same results up to float32 summation order)',
      memory,
      DEFAULT_MEMORY_MIB,
    )
    .hook('preAction', applyRecipe)

/** The long flags `withRunOptions` adds, in order. */
const RUN_OPTIONS: ReadonlyArray<Option> = withRunOptions(new Command(), 1).options

// ─────────────────────────────────────────────────────────────────────────────
// flags → settings
// ─────────────────────────────────────────────────────────────────────────────

/** A setting's flag: `wdExclude` → `--wd-exclude`; the operations are `--op` or `--ops`, as given. */
export const flagOf =
  (ops: '--op' | '--ops' = '--op'): NameOf =>
  (setting) => {
    if (setting === 'ops') return ops
    if (setting === 'posEmbed') return '--pos-embed'
    return `--${setting.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
  }

/** The run options these flags give (the transfer source and parts are the caller's: `train`'s flags or a sweep's variant). */
export const runOptionsOf = (f: RunFlags): RunOptions => ({
  steps: f.steps ?? PAPER_SETTINGS.steps,
  evalEvery: f.evalEvery,
  stopAfterGrok: f.stopAfterGrok === 'never' ? null : f.stopAfterGrok,
  checkpointEvery: f.checkpointEvery,
  measureEvery: f.measureEvery,
  saveEvery: f.saveEvery,
  dModel: f.dModel,
  heads: f.heads,
  dHead: f.dHead,
  dMlp: f.dMlp,
  layers: f.layers,
  act: f.act,
  posEmbed: f.posEmbed === true,
  optimizer: f.optimizer,
  lr: f.lr,
  wd: f.wd,
  momentum: f.momentum,
  beta1: f.beta1,
  beta2: f.beta2,
  eps: f.eps,
  grokfast: f.grokfast,
  grokfastAlpha: f.grokfastAlpha,
  grokfastLambda: f.grokfastLambda,
  grokfastWindow: f.grokfastWindow,
  warmup: f.warmup,
  wdExclude: f.wdExclude === undefined ? [] : f.wdExclude.split(','),
  initScale: f.initScale,
  recipe: f.recipe,
})

/** A run's settings: its task's flags and the run options. */
export const runSettingsOf = (task: Pick<RunSettings, 'ops' | 'p' | 'frac' | 'seed'>, options: RunOptions): RunSettings => ({
  ...options,
  ...task,
})

/**
 * Train arguments that give these values of the run-setting flags (`--steps 6000`, `--pos-embed`, …),
 * in the flags' order; an unset flag without a default is left out. A sweep of 0.1.0 stored its
 * settings this way: a rerun compares them to continue it.
 */
export const runArgs = (values: object): ReadonlyArray<string> => {
  const byName = new Map<string, unknown>(Object.entries(values))
  return RUN_OPTIONS.flatMap((o) => {
    const v = byName.get(o.attributeName())
    const flag = o.long
    if (v === undefined || flag === undefined) return []
    if (o.negate) return v === false ? [flag] : []
    if (o.isBoolean()) return v === true ? [flag] : []
    return typeof v === 'number' || typeof v === 'string' ? [flag, String(v)] : []
  })
}

// ─────────────────────────────────────────────────────────────────────────────
// sweeps
// ─────────────────────────────────────────────────────────────────────────────

/** A library's `Either` as a flag's value: its `Left` a `UsageError` naming the flag (`''`: the message names it). */
export const orFlag =
  (flag: string) =>
  <A>(r: E.Either<string, A>): A => {
    if (E.isLeft(r)) throw new UsageError(flag === '' ? r.left : `${flag}: ${r.left}`)
    return r.right
  }

/** A flag parser (which throws its one-line message) as one that gives an `Either`. */
export const either =
  <A>(parse: (v: string) => A) =>
  (v: string): E.Either<string, A> => {
    try {
      return E.right(parse(v))
    } catch (e) {
      return E.left(e instanceof Error ? e.message : String(e))
    }
  }

/**
 * The share of this process (`sweep` and `reproduce`): `--shard i/n`, else `--shards n` with the index a Kubernetes
 * Indexed Job gives, else a Slurm array's, else the whole plan; the error names where the share was read from.
 */
export const shardOf = (shard: string | undefined, shards: number | undefined): Shard => {
  if (shard !== undefined) {
    if (shards !== undefined) throw new UsageError('--shard and --shards exclude each other (--shard i/n gives both)')
    return orFlag('--shard')(parseShard(shard))
  }
  return orFlag('')(shardFromEnv(process.env, shards))
}

// The flags that set up one run besides its task (budget, stop rule, model, optimiser, threads):
// defined once, added to `train` and to `sweep` (which applies them to every run), and turned
// back into train arguments for the runs a sweep starts.
import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings'
import * as E from 'fp-ts/lib/Either.js'
import { type Part, paperConfig, parseParts } from '@grokscope/model'
import { GROK_THRESHOLD, PAPER_ADAMW, PAPER_EVAL_EVERY, PAPER_MAX_STEPS, PAPER_STOP_AFTER_GROK } from '@grokscope/train'
import { MAX_THREADS, integer, memory, nonNegative, positive, stopAfter, threads } from './flags.js'
import { DEFAULT_MEMORY_MIB } from './memory.js'
import { OPTIMIZER_OPTIONS } from './optimizer-flags.js'
import { RECIPE_OPTION, applyRecipe } from './recipes.js'

/** The paper's model sizes, the defaults of the size flags. */
const PAPER_MODEL = paperConfig({ dVocab: 1, nOut: 1 })

/**
 * Adds the run-setting flags (every flag of `train` except the task, `--out`, `--resume`,
 * `--no-progress` and transfer) to a new command, and the hook that applies `--recipe`. (It takes a command without options:
 * a generic over commander's option types makes the type checker crawl.)
 */
export const withRunOptions = (c: Command, defaultThreads: number) =>
  c
    .option('--steps <n>', `step budget (full-batch steps; default ${PAPER_MAX_STEPS}, the paper’s); with --resume, a new budget`, integer(1))
    .option('--eval-every <n>', 'evaluate (and record metrics, FFD/FCR) every n steps', integer(1), PAPER_EVAL_EVERY)
    .option('--stop-after-grok <n|never>', `stop n steps after test accuracy first reaches ${GROK_THRESHOLD}`, stopAfter, PAPER_STOP_AFTER_GROK)
    .option('--checkpoint-every <n>', 'save weights and a resumable state every n steps (whatever --eval-every is)', integer(1), 1000)
    .option('--measure-every <n>', 'at evaluations whose step is a multiple of n, also evaluate all p² pairs: logits-map asymmetry, key frequencies, restricted and full loss (0: never)', integer(0), 0)
    .option('--save-every <n>', 'keep a weights history: the weights at every n steps, at the grok step and at the end, in <out>/history/step-NNNNNN.safetensors (default: none)', integer(1))
    .option('--d-model <n>', 'residual width', integer(1), PAPER_MODEL.dModel)
    .option('--heads <n>', 'attention heads', integer(1), PAPER_MODEL.nHeads)
    .option('--d-head <n>', 'width of each head', integer(1), PAPER_MODEL.dHead)
    .option('--d-mlp <n>', 'MLP width', integer(1), PAPER_MODEL.dMlp)
    .option('--layers <n>', 'Transformer blocks', integer(1), PAPER_MODEL.nLayers)
    .addOption(new Option('--act <name>', 'MLP activation').choices(['relu', 'gelu'] as const).default(PAPER_MODEL.act))
    .option('--pos-embed', 'add a learned positional embedding (the paper has none)')
    .option('--threads <n>', `threads for the training step and the evaluations, 1 to ${MAX_THREADS}: the batch and the evaluated sets are split between the main thread and workers`, threads, defaultThreads)
    .option('--lr <x>', 'learning rate', positive, PAPER_ADAMW.lr)
    .option('--wd <x>', 'weight decay (AdamW: decoupled; adam and sgd: coupled L2)', nonNegative, PAPER_ADAMW.weightDecay)
    .addOption(OPTIMIZER_OPTIONS.optimizer)
    .addOption(OPTIMIZER_OPTIONS.momentum)
    .addOption(OPTIMIZER_OPTIONS.grokfast)
    .addOption(OPTIMIZER_OPTIONS.grokfastAlpha)
    .addOption(OPTIMIZER_OPTIONS.grokfastLambda)
    .addOption(OPTIMIZER_OPTIONS.grokfastWindow)
    .addOption(OPTIMIZER_OPTIONS.warmup)
    .addOption(OPTIMIZER_OPTIONS.wdExclude)
    .addOption(OPTIMIZER_OPTIONS.initScale)
    .addOption(RECIPE_OPTION)
    .option('--memory <MiB>', 'memory budget of the whole process: the training set is computed in chunks that fit it (same results up to float32 summation order)', memory, DEFAULT_MEMORY_MIB)
    .hook('preAction', applyRecipe)

/** `--load` / `--freeze`: parts of the model, comma-separated (`embed,transformer,unembed`, or `full`). */
export const parts = (v: string): ReadonlyArray<Part> => {
  const r = parseParts(v)
  if (E.isLeft(r)) throw new InvalidArgumentError(r.left)
  return r.right
}

/** The long flags `withRunOptions` adds, in order. */
export const RUN_OPTIONS: ReadonlyArray<Option> = withRunOptions(new Command(), 1).options

/**
 * Train arguments that give these values of the run-setting flags (`--steps 6000`,
 * `--pos-embed`, …), in the flags' order; an unset flag without a default is left out.
 */
export const runArgs = (options: ReadonlyArray<Option>, values: object): ReadonlyArray<string> => {
  const byName = new Map<string, unknown>(Object.entries(values))
  return options.flatMap((o) => {
    const v = byName.get(o.attributeName())
    const flag = o.long
    if (v === undefined || flag === undefined) return []
    if (o.negate) return v === false ? [flag] : []
    if (o.isBoolean()) return v === true ? [flag] : []
    return typeof v === 'number' || typeof v === 'string' ? [flag, String(v)] : []
  })
}

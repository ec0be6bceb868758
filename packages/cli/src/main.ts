#!/usr/bin/env node
// grokscope: train Transformers on modular arithmetic, watch them grok, measure their Fourier structure.
import { availableParallelism } from 'node:os'
import { Command, Option } from '@commander-js/extra-typings'
import { MAX_P, MIN_P } from '@grokscope/data'
import { DEFAULT_ETA, DEFAULT_KEY_RULE } from '@grokscope/measures'
import { PAPER_EVAL_EVERY } from '@grokscope/train'
import { analyzeCommand } from './commands/analyze.js'
import { benchProductsCommand } from './commands/bench-products.js'
import { benchToGrokCommand, parseBenchSeeds, parseVariants } from './commands/bench-to-grok.js'
import { benchCommand } from './commands/bench.js'
import { exportCommand } from './commands/export.js'
import { opsCommand } from './commands/ops.js'
import { plotCommand } from './commands/plot.js'
import { predictCommand } from './commands/predict.js'
import { reportCommand } from './commands/report.js'
import { reproduceCommand } from './commands/reproduce.js'
import { resultsCommand } from './commands/results.js'
import { sweepCommand } from './commands/sweep.js'
import { trainCommand } from './commands/train.js'
import { DEFAULT_MEMORY_MIB, UsageError, VARIANT_IDS } from '@grokscope/node'
import { MAX_PLAN_RUNS, RECIPES, RECIPE_IDS, SHARDS_ENV, TIERS, TIER_IDS, VERSION } from '@grokscope/runs'
import { CommandLineError, HELP, failureOf } from './format.js'
import { MAX_THREADS, eta, fraction, integer, keyRule, memory, pathValue, prime, primes, seed, steps, threads } from './flags.js'
import { parts, withRunOptions } from './settings.js'
import { TORCH_PROGRAM } from './torch-program.js'

const defaultThreads = (): number => Math.min(availableParallelism(), MAX_THREADS)

/** `--key-freqs` of analyze and report (a new Option each: commander keeps state in it). */
const keyFreqsOption = () =>
  new Option(
    '--key-freqs <rule>',
    'how the key frequencies are chosen: auto (the fewest, by energy, ' +
      'whose restricted loss is within 2× the lower of the full loss and the loss of all frequencies together; ' +
      'auto:<factor> for another factor ≥ 1), energy:<threshold> (energy above that fraction of the largest; ' +
      'energy = energy:0.1, the old rule) or a list such as 6,29,42',
  )
    .argParser(keyRule)
    .default(DEFAULT_KEY_RULE, 'auto')

// ─────────────────────────────────────────────────────────────────────────────
// program
// ─────────────────────────────────────────────────────────────────────────────

const program = new Command()
  .name('grokscope')
  .description('Train Transformers on a∘b mod p on the CPU, watch them grok, and measure their Fourier structure (FFD/FFS, FCR).')
  .version(VERSION)
  .showSuggestionAfterError(true)
  // commander's own errors are printed by `failureOf`, in the words of every other error.
  .configureOutput({ outputError: () => undefined })
  .configureHelp(HELP)
  .exitOverride()
  .addHelpText(
    'after',
    `
Training in the browser, with live curves and the Fourier measures: pnpm web (in the repository),
then open http://127.0.0.1:8023/. Each command's flags: grokscope <command> --help.`,
  )

program
  .command('ops')
  .description('list the operations: id, formula, and whether the paper reports that they grok at r = 0.3')
  .option('--json', 'print JSON')
  .action((o) => opsCommand(o))

withRunOptions(program.command('train'), defaultThreads())
  .description('train a model on one operation or a mixture; writes a run folder')
  .option('--op <id|expr>', 'operation id (see `grokscope ops`) or an expression in a and b, e.g. "a^3 + 2ab - b" (default: add)')
  .option('--ops <list>', 'a mixture: comma-separated ids or expressions sharing one split, e.g. add,mul')
  .option('--p <prime>', `the modulus, a prime from ${MIN_P} to ${MAX_P}`, prime, prime('97'))
  .option('--frac <r>', 'fraction of the p² pairs used for training, 0 < r < 1', fraction, fraction('0.3'))
  .option('--seed <n>', 'seed of the split, the initial weights and the rand table', seed, seed('0'))
  .option('--init-from <run|weights.json>', 'start from a finished model’s weights (the parts given by --load)', pathValue)
  .option('--load <parts>', 'parts copied from --init-from: embed, transformer, unembed, comma-separated, or full (default: full)', parts)
  .option(
    '--freeze <parts>',
    'parts kept fixed (no gradient step, no weight decay): embed, transformer, unembed, comma-separated, or full',
    parts,
  )
  .option('--out <dir>', 'run folder (default: runs/<ops>-p<p>-r<frac>-s<seed>)', pathValue)
  .option('--resume', 'continue the run in --out from its last checkpoint (with --steps: a new budget)')
  .option('--no-progress', 'no progress bar or progress lines (on stderr)')
  .addHelpText(
    'after',
    `
Writes <out>/config.json, metrics.jsonl (one line per evaluation: losses, accuracies,
FFD and FCR of W_E and W_L), weights.json (the fixtures' format), state.json (to resume)
and summary.json. FFD (Fourier Frequency Density) is called FFS in the paper's arXiv v2.
One process writes a run folder at a time (<out>/.lock): a second one is refused, exit 2.

Examples:
  grokscope train --op add --p 31 --frac 0.5 --seed 0
  grokscope train --op add --p 31 --frac 0.5 --grokfast ema --grokfast-lambda 2
  grokscope train --op "a^2 + b^2" --steps 20000 --out runs/sq
  grokscope train --ops add,mul --p 59 --frac 0.4
  grokscope train --resume --out runs/sq`,
  )
  .action((o) => trainCommand(o))

withRunOptions(program.command('sweep'), 1)
  .description(
    'a grid of training runs (operations × p × fractions × transfer variants × seeds), ' +
      'locally with --jobs or as a share of a Slurm array / Kubernetes Indexed Job; rerun to continue',
  )
  .requiredOption(
    '--ops <list>',
    'comma-separated grid points: ids or expressions, a mixture as ids joined by + (add+sub), or paper (every operation of Table A.5)',
  )
  .option('--p <list>', 'moduli, comma-separated primes', '97')
  .option('--fracs <list>', 'training fractions, comma-separated', '0.3')
  .option('--seeds <list>', `seeds, comma-separated, ranges like 0..4 allowed (the whole grid: at most ${MAX_PLAN_RUNS} runs)`, '0')
  .option(
    '--transfer <variants>',
    'transfer variants, ;-separated: scratch, or load=<parts> and/or freeze=<parts> ' +
      '(e.g. "scratch; freeze=embed; load=embed freeze=embed")',
  )
  .option('--init-from <run|weights.json>', 'the finished model that load=… variants copy parts from', pathValue)
  .requiredOption('--out <dir>', 'the sweep folder: sweep.json, one run folder per grid point, logs/', pathValue)
  .option(
    '--jobs <n>',
    `runs trained at once, 1 to ${MAX_THREADS}, each in a worker thread of its own (each worker runs its part of this process’s share, one after the other)`,
    integer(1, MAX_THREADS),
    1,
  )
  .option(
    '--shard <i/n>',
    'run only shard i of n (0 ≤ i < n); default: from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX, else the whole grid',
  )
  .option('--shards <n>', `the number of shards of a Kubernetes Indexed Job (default: $${SHARDS_ENV})`, integer(1))
  .option('--no-progress', 'no progress line (on stderr); the runs’ starts and ends are still printed')
  .addHelpText(
    'after',
    `
Every run-setting flag of train (--steps, --stop-after-grok, the model, the optimiser, --threads)
applies to every run; --threads defaults to 1 so that results do not depend on the machine.
Each run is trained in a worker thread of this process, in its folder <out>/<run>; its progress
lines go to <out>/logs/<run>.log. On stderr, one line shows each running run's step, accuracies
and time left: redrawn in place on a terminal, printed every 30 s elsewhere.
Run k of the plan belongs to shard k mod n. Rerunning the same command skips finished runs and
resumes the others; a different plan for the same --out is an error. Then: grokscope results <out>.
A run another process is training (its folder's .lock) is skipped.

Examples:
  grokscope sweep --ops add,sub,mul,a2+b2 --p 31 --fracs 0.5 --seeds 0..1 --steps 6000 --jobs 2 --out sweeps/s1
  grokscope sweep --ops sub,a2+ab+b2 --p 31 --fracs 0.5 --transfer "scratch; freeze=embed; load=embed freeze=embed" --init-from sweeps/s1/add-p31-r0.5-s0 --out sweeps/t1
  sbatch --array=0-3 --wrap "grokscope sweep --ops paper --p 97 --seeds 0..2 --out /shared/paper"   # see docs/CLUSTER.md`,
  )
  .action((o) => sweepCommand(o))

program
  .command('reproduce')
  .description(
    'the paper’s claims, run and judged: every operation of a tier from scratch, then the transfer variants, as sweeps ' +
      '(sharded, resumable); then claims.md, claims.json and claims.html with each claim’s evidence and verdict',
  )
  .addOption(
    new Option('--tier <tier>', `the experiments: ${TIER_IDS.map((id) => `${id}: ${TIERS[id].summary}`).join('; ')}`)
      .choices(TIER_IDS)
      .default('quick' as const),
  )
  .requiredOption('--out <dir>', 'the reproduction folder: reproduce.json, ops/, source/ and transfer/ (sweep folders), the claims', pathValue)
  .option('--seeds <list>', 'seeds instead of the tier’s, comma-separated, ranges like 0..2 allowed')
  .option('--steps <n>', 'the step budget of every run instead of the tier’s', steps(1))
  .addOption(
    new Option(
      '--recipe <name>',
      `a named recipe instead of the tier’s optimiser (${RECIPE_IDS.map((id) => `${id}: ${RECIPES[id].summary}`).join('; ')}); ` +
        'with the paper tier, a one-machine budget too',
    ).choices(RECIPE_IDS),
  )
  .option('--ops <list>', 'the operations instead of the tier’s, comma-separated ids or expressions (see grokscope ops)')
  .option('--p <prime>', 'the modulus instead of the tier’s', prime)
  .option('--frac <r>', 'the training fraction instead of the tier’s', fraction)
  .option('--jobs <n>', `runs trained at once, 1 to ${MAX_THREADS}, each in a worker thread of its own`, integer(1, MAX_THREADS), 1)
  .option('--threads <n>', `threads of each run’s training step, 1 to ${MAX_THREADS}`, threads, 1)
  .option('--memory <MiB>', 'memory budget of each run, and of the analyses of the weights', memory, DEFAULT_MEMORY_MIB)
  .option(
    '--shard <i/n>',
    'run only shard i of n of each stage (0 ≤ i < n); default: from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX, else all of it',
  )
  .option('--shards <n>', `the number of shards of a Kubernetes Indexed Job (default: $${SHARDS_ENV})`, integer(1))
  .option('--no-progress', 'no status line (on stderr); the runs’ starts and ends are still printed')
  .addHelpText(
    'after',
    `
Before it starts, it prints the plan and its cost (runs × step budget × ms/step measured here). Each
stage is a sweep in <out>/ops, <out>/source (each seed's add, stopped at its grok step) and
<out>/transfer; a transfer run loads from the same seed's source run, and waits (not run now) until
that run has finished. On stderr, runs done / running / left across the stages and an upper bound of
the time left: redrawn in place on a terminal, every 30 s elsewhere.
Every invocation ends by reading every planned run and writing <out>/claims.md, claims.json and
claims.html from what is finished; the runs not run yet are named there. Rerunning the same command
skips finished runs and resumes the others (Ctrl-C stops them, resumable); other settings for the same
--out are an error. The verdict rules and their thresholds: docs/REPRODUCE.md.

Examples:
  grokscope reproduce --tier quick --jobs 2 --out repro/quick
  grokscope reproduce --tier paper --recipe fast --seeds 0 --jobs 2 --out repro/paper-fast
  grokscope reproduce --tier quick --ops add,sub,mul --seeds 0..1 --out repro/small
  sbatch --array=0-7 --wrap "grokscope reproduce --tier paper --out /shared/repro"   # each task: shard i of 8`,
  )
  .action((o) => reproduceCommand(o))

program
  .command('results')
  .description(
    'the table of a sweep or of a folder of runs: results.csv (one row per run), ' +
      'table.md (operation × fraction, with how many grokked runs stayed grokked), accuracy.svg and measures.svg, written into that folder',
  )
  .argument('<sweep-dir>', 'a sweep folder (with sweep.json), or a folder of run folders (as report takes)', pathValue)
  .option('--json', 'print the rows as JSON')
  .option('--no-progress', 'no line on stderr saying what it is doing')
  .action((dir, o) => resultsCommand(dir, o))

program
  .command('analyze')
  .description(
    'analyse a model: FFD (FFS)/FCR of W_E and W_L in the additive and multiplicative bases, weight norms, ' +
      'logits in the 2-D Fourier basis (asymmetry, key frequencies, restricted/ablated loss), neuron frequencies',
  )
  .argument(
    '<run-or-weights>',
    'a run folder, a weights .json file (grokscope or fixture format), or a .safetensors checkpoint (or its folder)',
    pathValue,
  )
  .option('--eta <x>', 'FFD threshold η, 0 ≤ η < 1', eta, DEFAULT_ETA)
  .option('--top <n>', 'frequencies listed in the summary', integer(1), 10)
  .option('--json', 'print one JSON document (schema in docs/CLI.md)')
  .option('--memory <MiB>', 'memory budget: the analyses over all p² pairs are streamed (forward chunks, rows of pairs) within it', memory, DEFAULT_MEMORY_MIB)
  .addOption(keyFreqsOption())
  .option('--step <n>', 'analyse the run’s weights at step n from its history (train --save-every)', integer(0))
  .option('--no-progress', 'no line on stderr saying what it is doing')
  .action((target, o) => analyzeCommand(target, o))

program
  .command('predict')
  .description('logits and predicted residue for pairs (a, b)')
  .argument('<run-or-weights>', 'a run folder, a weights .json file, or a .safetensors checkpoint (or its folder)', pathValue)
  .option('--pairs <a,b...>', 'pairs such as 3,5 7,2')
  .option('--test-errors', 'instead: the test pairs of a run folder’s own split that the model gets wrong')
  .option('--op <id>', 'which of the model’s operations (default: its first; with --test-errors: all)')
  .option('--json', 'print JSON with the full logits')
  .addHelpText(
    'after',
    '\nExamples:\n  grokscope predict runs/add-p31-r0.5-s0 --pairs 3,5 7,2\n  grokscope predict runs/a2+b2-p31-r0.5-s0 --test-errors',
  )
  .action((target, o) => predictCommand(target, o))

program
  .command('export')
  .description(
    'write a model as a TransformerLens checkpoint: ' +
      'model.safetensors (HookedTransformer state dict) and config.json (HookedTransformerConfig fields and the task)',
  )
  .argument('<run-or-weights>', 'a run folder, a weights .json file, or a .safetensors checkpoint', pathValue)
  .requiredOption('--out <dir>', 'folder for model.safetensors and config.json (existing files are never overwritten)', pathValue)
  .option('--step <n>', 'export the run’s weights at step n from its history (train --save-every)', integer(0))
  .addHelpText(
    'after',
    '\nExample:\n  grokscope export runs/add-p31-r0.5-s0 --out tl/add-p31\n' +
      '  grokscope export runs/add-p31-r0.5-s0 --step 300 --out tl/add-p31-step300\n' +
      '\nIn Python: HookedTransformer(HookedTransformerConfig(**cfg["hooked_transformer_config"])).load_state_dict(state, strict=False)',
  )
  .action((target, o) => exportCommand(target, o))

program
  .command('plot')
  .description('draw a run’s curves (accuracy, loss, FFD/FCR of W_E and W_L against the step) as an SVG')
  .argument('<run>', 'a run folder', pathValue)
  .option('--out <file.svg>', 'where to write it (default: <run>/curves.svg)', pathValue)
  .action((run, o) => plotCommand(run, o))

program
  .command('report')
  .description(
    'write one self-contained HTML report (no network): curves, spectra of W_E and W_L, the 2-D logits map, neuron frequencies, ' +
      'the loss decomposition; for a folder of runs, a results table linking to each run’s report',
  )
  .argument(
    '<run-or-sweep>',
    'a run folder, a folder of run folders, a weights .json file, or a .safetensors checkpoint (or its folder)',
    pathValue,
  )
  .option(
    '--out <file.html>',
    'where to write it (default: report.html inside the folder; <file>.report.html beside a model file)',
    pathValue,
  )
  .option('--eta <x>', 'FFD threshold η, 0 ≤ η < 1', eta, DEFAULT_ETA)
  .addOption(keyFreqsOption())
  .option('--no-progress', 'no line on stderr saying what it is doing')
  .addHelpText('after', '\nExamples:\n  grokscope report runs/add-p31-r0.5-s0\n  grokscope report runs --out runs/report.html')
  .action((target, o) => reportCommand(target, o))

program
  .command('bench')
  .description('time full-batch training steps, evaluation and FFD/FCR (paper model), optionally against the PyTorch reference')
  .option('--p <primes>', 'the modulus, or a comma-separated list (97,199,401: one process per p, one table)', primes, primes('97'))
  .option('--frac <r>', 'training fraction', fraction, fraction('0.3'))
  .option('--memory <MiB>', 'memory budget of each benchmark process', memory, DEFAULT_MEMORY_MIB)
  .option('--steps <n>', 'timed steps per round', integer(1), 10)
  .option('--warmup <n>', 'untimed steps first', integer(0), 3)
  .option('--rounds <n>', 'rounds (alternating with PyTorch under --vs-torch)', integer(1), 3)
  .option('--evals <n>', 'timed evaluations of the train and test sets, over the threads and on the main thread alone', integer(1), 5)
  .option(
    '--threads <n>',
    `threads for the training step and the evaluation (main + workers), 1 to ${MAX_THREADS}`,
    threads,
    defaultThreads(),
  )
  .option('--vs-torch', 'also run the PyTorch comparison program (grokscope_torch.py --bench) each round and print the ratio')
  .option('--torch-ref <file>', 'the PyTorch comparison program', pathValue, TORCH_PROGRAM)
  .option('--python <exe>', 'the Python with torch (Debian: python3-torch)', pathValue, '/usr/bin/python3')
  .option('--json', 'print JSON')
  .option(
    '--products',
    'instead: each matrix product of a step timed alone (GFLOP/s; PyTorch’s too with --vs-torch), the WASM SIMD peak, ' +
      'and a half-batch step beside the other thread’s arithmetic or memory traffic',
  )
  .option(
    '--to-grok',
    'instead: steps and wall time to grok with the paper’s AdamW, Grokfast-EMA and -MA and the fast recipe, ' +
      'beside the PyTorch reference doing the same',
  )
  .option(
    '--op <id>',
    'with --to-grok: the operation (an id or an expression; the PyTorch comparison program knows the registered ids)',
    'add',
  )
  .option('--seed <n>', 'with --to-grok: the seed', seed, seed('0'))
  .option(
    '--seeds <list>',
    'with --to-grok: seeds instead of --seed, comma-separated, ranges like 0..4 allowed (grokscope and PyTorch alternate seed by seed)',
    parseBenchSeeds,
  )
  .option('--max-steps <n>', 'with --to-grok: the step budget of each run', integer(1), 50_000)
  .option(
    '--horizon <step>',
    'with --to-grok: after grokking, train on to this step and say whether test accuracy stayed ≥ 0.99 (0: stop at the grok step)',
    integer(0),
    0,
  )
  .option('--eval-every <n>', 'with --to-grok: evaluate every n steps (both programs)', integer(1), PAPER_EVAL_EVERY)
  .option('--no-torch', 'with --to-grok: leave out the PyTorch reference')
  .option(
    '--variants <ids>',
    `with --to-grok: which runs, comma-separated (adamw: the paper's; ema, ma: Grokfast's filters with their defaults; fast: ` +
      `train --recipe fast)`,
    parseVariants,
    parseVariants(VARIANT_IDS.join(',')),
  )
  .action((o) => {
    if (o.products === true && o.toGrok === true) throw new UsageError('--products and --to-grok: choose one')
    if (o.products === true) {
      const [p, ...more] = o.p
      if (p === undefined || more.length > 0) throw new UsageError(`--p: --products times one p (got ${o.p.join(',')}; allowed: one prime)`)
      return benchProductsCommand({ ...o, p })
    }
    if (o.toGrok !== true) return benchCommand(o)
    const [p, ...more] = o.p
    if (p === undefined || more.length > 0) {
      throw new UsageError(`--p: --to-grok trains one task (got ${o.p.join(',')}; allowed: one prime)`)
    }
    return benchToGrokCommand({ ...o, p })
  })

// ─────────────────────────────────────────────────────────────────────────────
// run
// ─────────────────────────────────────────────────────────────────────────────

// A closed pipe (`grokscope ops | head`) ends the output quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0)
  throw e
})

// A commander error names the command it came from (for the pointer to its --help).
for (const c of program.commands) {
  c.exitOverride((e) => {
    throw new CommandLineError(e, c.name())
  })
}

try {
  await program.parseAsync(process.argv)
} catch (e) {
  const failure = failureOf(e)
  if (failure.text !== '') process.stderr.write(`${failure.text}\n`)
  process.exitCode = failure.exitCode
}

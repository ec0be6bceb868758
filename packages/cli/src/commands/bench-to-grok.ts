// grokscope bench --to-grok: steps and wall time to grok with the paper's AdamW, Grokfast-EMA and -MA
// and the fast recipe, grokscope and the PyTorch comparison program's training loop (grokscope_torch.py)
// alternating seed by seed in one invocation (the runs: @grokscope/node's ToGrok.ts); a table per variant
// with a row per seed and the median wall-time ratio, a line per finished run, or JSON.
import { existsSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { InvalidArgumentError } from '@commander-js/extra-typings'
import * as E from 'fp-ts/lib/Either.js'
import * as tf from '@tensorflow/tfjs-core'
import { decodeTask, formatErrors } from '@grokscope/data'
import {
  Interrupted,
  type ToGrok,
  type ToGrokOptions,
  UsageError,
  VARIANTS,
  VARIANT_IDS,
  type VariantId,
  grokscopeToGrok,
  initBackend,
  torchArgsOf,
  torchToGrok,
} from '@grokscope/node'
import { parseSeeds } from '@grokscope/runs'
import { GROK_THRESHOLD } from '@grokscope/train'
import { fixed, table } from '../format.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** `grokscope bench --to-grok`'s flags: the task and loop of each run, the variants and seeds, and whether PyTorch runs too. */
export interface BenchToGrokFlags extends Omit<ToGrokOptions, 'seed'> {
  readonly seed: number
  /** `--seeds` (comma-separated, ranges like 0..4): instead of `--seed`. */
  readonly seeds?: ReadonlyArray<number> | undefined
  /** `false` (`--no-torch`): leave out the PyTorch comparison program. */
  readonly torch: boolean
  readonly variants: ReadonlyArray<VariantId>
  readonly json?: boolean | undefined
}

/** `--variants`: comma-separated ids, each once. */
export const parseVariants = (v: string): ReadonlyArray<VariantId> => {
  const ids = v.split(',').map((s) => s.trim())
  const bad = ids.find((id) => !(VARIANT_IDS as ReadonlyArray<string>).includes(id))
  if (bad !== undefined) {
    throw new InvalidArgumentError(`${JSON.stringify(bad)} is not a variant (allowed: ${VARIANT_IDS.join(', ')}, comma-separated)`)
  }
  if (new Set(ids).size !== ids.length) throw new InvalidArgumentError(`${JSON.stringify(v)} names a variant twice`)
  return ids as ReadonlyArray<VariantId>
}

/** `--seeds`: comma-separated seeds and ranges (`0..4`), each once (`parseSeeds`), at most 100. */
export const parseBenchSeeds = (v: string): ReadonlyArray<number> => {
  const seeds = parseSeeds(v)
  if (E.isLeft(seeds)) throw new InvalidArgumentError(seeds.left)
  if (seeds.right.length > 100) throw new InvalidArgumentError(`${JSON.stringify(v)} is ${seeds.right.length} seeds (allowed: at most 100)`)
  return seeds.right
}

// ─────────────────────────────────────────────────────────────────────────────
// command
// ─────────────────────────────────────────────────────────────────────────────

const cell = (r: ToGrok | null, horizon: boolean, missing = '-'): ReadonlyArray<string> =>
  r === null
    ? [missing, ...(horizon ? [missing] : []), missing, missing]
    : [
        r.grokStep === null ? `no (${r.steps}${r.testAcc === null ? '' : `: ${fixed(r.testAcc, 3)}`})` : String(r.grokStep),
        ...(horizon ? [r.stayed === null ? '-' : r.stayed ? `yes (${r.steps})` : `no (${fixed(r.lowestAfter ?? NaN, 3)})`] : []),
        fixed(r.wallS, 1),
        r.ffd === null ? '-' : `${fixed(r.ffd, 3)}/${fixed(r.fcr ?? NaN, 3)}`,
      ]

/** One finished run as a line of the live log. */
const outcome = (who: string, name: string, seed: number, r: ToGrok): string =>
  `${who}: ${name}, seed ${seed}: ` +
  `${
    r.grokStep === null
      ? `did not grok in ${r.steps} steps${r.testAcc === null ? '' : ` (test accuracy ${fixed(r.testAcc, 3)})`}`
      : `grokked at step ${r.grokStep}`
  }, ${fixed(r.wallS, 1)} s` +
  (r.ffd === null ? '' : `, W_E FFD ${fixed(r.ffd, 3)} FCR ${fixed(r.fcr ?? NaN, 3)}`) +
  (r.stayed === null ? '' : r.stayed ? `, stayed ≥ ${GROK_THRESHOLD} to step ${r.steps}` : `, fell to ${fixed(r.lowestAfter ?? NaN, 3)}`) +
  '\n'

interface Row {
  readonly variant: string
  readonly seed: number
  readonly grokscope: ToGrok
  readonly torch: (ToGrok & { startS: number }) | null
  /**
   * `false`: the PyTorch comparison program is not given this variant (`torchArgsOf`: a setting it does not have).
   */
  readonly torchCan: boolean
  /** grokscope's wall time over PyTorch's, when both grokked. */
  readonly ratio: number | null
}

const median = (xs: ReadonlyArray<number>): number | null => {
  if (xs.length === 0) return null
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

export const benchToGrokCommand = async (f: BenchToGrokFlags): Promise<void> => {
  const torchRef = path.resolve(f.torchRef)
  if (f.torch && !existsSync(torchRef)) {
    throw new UsageError(`--torch-ref: ${torchRef} does not exist (the PyTorch comparison program, grokscope_torch.py; or pass --no-torch)`)
  }
  const seeds = f.seeds ?? [f.seed]
  for (const seed of seeds) {
    const task = decodeTask({ p: f.p, ops: [f.op], frac: f.frac, seed })
    if (E.isLeft(task)) {
      throw new UsageError(
        (formatErrors(task.left)[0] ?? 'invalid task').replace(/^ops(\.\d+)?:/, '--op:').replace(/^(p|frac|seed):/, '--$1:'),
      )
    }
  }
  await initBackend()
  const log = (line: string): void => {
    if (f.json !== true) process.stderr.write(line)
  }
  const rows: Array<Row> = []
  let interrupted: Interrupted | null = null
  const total = f.variants.length * seeds.length
  runs: for (const id of f.variants) {
    const v = VARIANTS[id]
    const reference = torchArgsOf(v.flags)
    for (const seed of seeds) {
      const o: ToGrokOptions = { ...f, seed, torchRef }
      log(`grokscope: ${v.name}, seed ${seed}…\n`)
      const ours = await grokscopeToGrok(o, v)
      log(outcome('grokscope', v.name, seed, ours))
      const torchArgs = f.torch ? reference : null
      if (torchArgs !== null) log(`PyTorch: ${v.name}, seed ${seed}…\n`)
      let theirs: (ToGrok & { startS: number }) | null = null
      try {
        theirs = torchArgs === null ? null : await torchToGrok(o, torchArgs)
      } catch (e) {
        if (!(e instanceof Interrupted)) throw e
        // The runs that finished are still reported.
        interrupted = e
        break runs
      }
      if (theirs !== null) log(outcome('PyTorch', v.name, seed, theirs))
      const ratio = theirs !== null && ours.grokStep !== null && theirs.grokStep !== null ? ours.wallS / theirs.wallS : null
      rows.push({ variant: v.name, seed, grokscope: ours, torch: theirs, torchCan: reference !== null, ratio })
    }
  }
  if (interrupted !== null) {
    process.stderr.write(`grokscope: bench --to-grok: ${interrupted.message}; ${rows.length} of ${total} runs finished\n`)
    process.exitCode = 128 + (os.constants.signals[interrupted.signal] ?? 0)
  }
  const variants = [...new Set(rows.map((r) => r.variant))]
  const ratios = variants.map((variant) => {
    const xs = rows.filter((r) => r.variant === variant && r.ratio !== null).map((r) => r.ratio!)
    return { variant, ratio_median: median(xs), seeds_compared: xs.length }
  })
  if (f.json === true) {
    process.stdout.write(
      `${JSON.stringify({
        op: f.op,
        p: f.p,
        frac: f.frac,
        seeds,
        eval_every: f.evalEvery,
        max_steps: f.maxSteps,
        horizon: f.horizon,
        backend: tf.getBackend(),
        threads: f.threads,
        clock: 'from the first step to the grokking evaluation',
        rows,
        ratios,
      })}\n`,
    )
    return
  }
  const horizon = f.horizon > 0
  process.stdout.write(
    `to grok (test accuracy ≥ ${GROK_THRESHOLD}, evaluated every ${f.evalEvery} steps): ` +
      `${f.op} mod ${f.p}, r = ${f.frac}, seed${seeds.length === 1 ? '' : 's'} ${seeds.join(',')}; ` +
      `both programs on ${f.threads} thread${f.threads === 1 ? '' : 's'}; wall times from the first step to the grokking ` +
      `evaluation, under the machine's current load; FFD/FCR of W_E at the grokking step` +
      (horizon ? `; stayed: test accuracy ≥ ${GROK_THRESHOLD} at every evaluation to step ${f.horizon} (the lowest if not)` : '') +
      '\n',
  )
  const stepCols = (who: string) => [`${who} steps`, ...(horizon ? ['stayed'] : []), 'wall s', 'FFD/FCR']
  for (const variant of variants) {
    const mine = rows.filter((r) => r.variant === variant)
    process.stdout.write(`\n${variant}\n`)
    process.stdout.write(
      table(
        ['seed', ...stepCols('grokscope'), ...(f.torch ? [...stepCols('PyTorch'), 'ratio'] : [])],
        mine.map((r) => [
          String(r.seed),
          ...cell(r.grokscope, horizon),
          ...(f.torch ? [...cell(r.torch, horizon, r.torchCan ? '-' : 'n/a'), r.ratio === null ? '-' : fixed(r.ratio, 2)] : []),
        ]),
      ) + '\n',
    )
    const m = ratios.find((x) => x.variant === variant)!
    if (f.torch && m.ratio_median !== null) {
      process.stdout.write(
        `median wall-time ratio grokscope / PyTorch: ${fixed(m.ratio_median, 2)} (${m.seeds_compared} seed${m.seeds_compared === 1 ? '' : 's'} ` +
          `where both grokked)\n`,
      )
    }
  }
  const started = rows.flatMap((r) => (r.torch === null ? [] : [fixed(r.torch.startS, 1)]))
  if (started.length > 0) {
    process.stdout.write(
      `PyTorch's start-up before its first step (not counted): ${started.join(' / ')} s; n/a: ` +
        `the PyTorch comparison program is not given that variant\n`,
    )
  }
}

// grokscope bench --to-grok: steps and wall time to grok with the paper's AdamW, Grokfast-EMA and -MA
// and the fast recipe, grokscope and the PyTorch comparison program (grokscope_torch.py) side by side, in one
// invocation (the runs: @grokscope/node's ToGrok.ts); a table, a line per finished run, or JSON.
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
import { GROK_THRESHOLD } from '@grokscope/train'
import { fixed, table } from '../format.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** `grokscope bench --to-grok`'s flags: the task and loop of each run, the variants, and whether PyTorch runs too. */
export interface BenchToGrokFlags extends ToGrokOptions {
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

// ─────────────────────────────────────────────────────────────────────────────
// command
// ─────────────────────────────────────────────────────────────────────────────

const cell = (r: ToGrok | null, missing = '-'): ReadonlyArray<string> =>
  r === null
    ? [missing, missing, missing]
    : [
        r.grokStep === null ? `no (${r.steps}${r.testAcc === null ? '' : `: ${fixed(r.testAcc, 3)}`})` : String(r.grokStep),
        fixed(r.wallS, 1),
        r.ffd === null ? '-' : `${fixed(r.ffd, 3)}/${fixed(r.fcr ?? NaN, 3)}`,
      ]

/** One finished run as a line of the live log. */
const outcome = (who: string, name: string, r: ToGrok): string =>
  `${who}: ${name}: ` +
  `${
    r.grokStep === null
      ? `did not grok in ${r.steps} steps${r.testAcc === null ? '' : ` (test accuracy ${fixed(r.testAcc, 3)})`}`
      : `grokked at step ${r.grokStep}`
  }, ${fixed(r.wallS, 1)} s` +
  (r.ffd === null ? '' : `, W_E FFD ${fixed(r.ffd, 3)} FCR ${fixed(r.fcr ?? NaN, 3)}`) +
  '\n'

interface Row {
  readonly variant: string
  readonly grokscope: ToGrok
  readonly torch: (ToGrok & { startS: number }) | null
  /**
   * `false`: the PyTorch comparison program is not given this variant (`torchArgsOf`: the Grokfast-MA filter, warm-up,
   * the initial scale).
   */
  readonly torchCan: boolean
}

export const benchToGrokCommand = async (f: BenchToGrokFlags): Promise<void> => {
  const torchRef = path.resolve(f.torchRef)
  if (f.torch && !existsSync(torchRef)) {
    throw new UsageError(`--torch-ref: ${torchRef} does not exist (the PyTorch comparison program, grokscope_torch.py; or pass --no-torch)`)
  }
  const task = decodeTask({ p: f.p, ops: [f.op], frac: f.frac, seed: f.seed })
  if (E.isLeft(task)) {
    throw new UsageError(
      (formatErrors(task.left)[0] ?? 'invalid task').replace(/^ops(\.\d+)?:/, '--op:').replace(/^(p|frac|seed):/, '--$1:'),
    )
  }
  await initBackend()
  const log = (line: string): void => {
    if (f.json !== true) process.stderr.write(line)
  }
  const rows: Array<Row> = []
  let interrupted: Interrupted | null = null
  for (const id of f.variants) {
    const v = VARIANTS[id]
    const reference = torchArgsOf(v.flags)
    log(`grokscope: ${v.name}…\n`)
    const ours = await grokscopeToGrok(f, v)
    log(outcome('grokscope', v.name, ours))
    const torchArgs = f.torch ? reference : null
    if (torchArgs !== null) log(`PyTorch: ${v.name}…\n`)
    let theirs: (ToGrok & { startS: number }) | null = null
    try {
      theirs = torchArgs === null ? null : await torchToGrok({ ...f, torchRef }, torchArgs)
    } catch (e) {
      if (!(e instanceof Interrupted)) throw e
      // The runs that finished are still reported.
      interrupted = e
      break
    }
    if (theirs !== null) log(outcome('PyTorch', v.name, theirs))
    rows.push({ variant: v.name, grokscope: ours, torch: theirs, torchCan: reference !== null })
  }
  if (interrupted !== null) {
    process.stderr.write(`grokscope: bench --to-grok: ${interrupted.message}; ${rows.length} of ${f.variants.length} variants finished\n`)
    process.exitCode = 128 + (os.constants.signals[interrupted.signal] ?? 0)
  }
  if (f.json === true) {
    process.stdout.write(
      `${JSON.stringify({
        op: f.op,
        p: f.p,
        frac: f.frac,
        seed: f.seed,
        eval_every: f.evalEvery,
        max_steps: f.maxSteps,
        backend: tf.getBackend(),
        threads: f.threads,
        rows,
      })}\n`,
    )
    return
  }
  process.stdout.write(
    `to grok (test accuracy ≥ ${GROK_THRESHOLD}, evaluated every ${f.evalEvery} steps): ` +
      `${f.op} mod ${f.p}, r = ${f.frac}, seed ${f.seed}; ` +
      `grokscope on ${f.threads} thread${f.threads === 1 ? '' : 's'}; wall times under the machine's current load; ` +
      `FFD/FCR of W_E at the grokking step\n`,
  )
  process.stdout.write(
    table(
      ['', 'grokscope steps', 'wall s', 'FFD/FCR', ...(f.torch ? ['PyTorch steps', 'wall s', 'FFD/FCR'] : [])],
      rows.map((r) => [r.variant, ...cell(r.grokscope), ...(f.torch ? cell(r.torch, r.torchCan ? '-' : 'n/a') : [])]),
    ) + '\n',
  )
  const started = rows.flatMap((r) => (r.torch === null ? [] : [fixed(r.torch.startS, 1)]))
  if (started.length > 0) {
    process.stdout.write(
      `PyTorch's wall time counts from its process start (its first evaluation line came after ${started.join(' / ')} s); n/a: ` +
        `the PyTorch comparison program is not given that variant\n`,
    )
  }
}

/**
 * Steps and wall time to grok: training a task with a variant of the optimiser (the paper's AdamW,
 * Grokfast-EMA and -MA, the fast recipe) until the first evaluation with test accuracy ≥ 0.99, in
 * this process over worker threads, and the PyTorch comparison program doing the same, read as it
 * prints. What `grokscope bench --to-grok` shows side by side.
 *
 * @since 0.2.0
 */
import { spawn } from 'node:child_process'
import * as E from 'fp-ts/lib/Either.js'
import { fourierMeasures } from '@grokscope/analysis'
import { decodeTask, formatErrors, makeDataset } from '@grokscope/data'
import { initParams, toHost } from '@grokscope/model'
import { PAPER_SETTINGS, RECIPES, type RunOptions, optimizerOf, scaledParams } from '@grokscope/runs'
import {
  GROKFAST_EMA_DEFAULTS,
  GROKFAST_MA_DEFAULTS,
  GROK_THRESHOLD,
  defaultLoopOptions,
  disposeTrainData,
  disposeTrainState,
  initTrainState,
  modelConfigFor,
  prepareTrainData,
  train,
} from '@grokscope/train'
import { UsageError } from './Errors.js'
import { startPool } from './Pool.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** The task and the loop of a run to grok, and where the PyTorch comparison program is. */
export interface ToGrokOptions {
  readonly op: string
  readonly p: number
  readonly frac: number
  readonly seed: number
  /** The step budget of each run. */
  readonly maxSteps: number
  readonly evalEvery: number
  readonly threads: number
  /** The PyTorch comparison program and the Python that runs it. */
  readonly torchRef: string
  readonly python: string
}

/**
 * One run to grokking: the first evaluated step with test accuracy ≥ 0.99, the wall time to it, the test accuracy and
 * FFD/FCR of W_E then (at the last evaluation if it did not grok).
 */
export interface ToGrok {
  readonly grokStep: number | null
  readonly steps: number
  readonly wallS: number
  readonly testAcc: number | null
  readonly ffd: number | null
  readonly fcr: number | null
}

/**
 * A variant: its name and the optimiser settings it changes (the rest are the paper's); the PyTorch comparison program
 * is given the same, where `torchArgsOf` passes them.
 */
export interface Variant {
  readonly name: string
  readonly flags: Partial<RunOptions>
}

/** The variants `--variants` chooses from, in the table's order. */
export const VARIANT_IDS = ['adamw', 'ema', 'ma', 'fast'] as const
export type VariantId = (typeof VARIANT_IDS)[number]

export const VARIANTS: Readonly<Record<VariantId, Variant>> = {
  adamw: { name: 'AdamW (paper)', flags: {} },
  ema: { name: `Grokfast-EMA (α ${GROKFAST_EMA_DEFAULTS.alpha}, λ ${GROKFAST_EMA_DEFAULTS.lambda})`, flags: { grokfast: 'ema' } },
  ma: { name: `Grokfast-MA (w ${GROKFAST_MA_DEFAULTS.window}, λ ${GROKFAST_MA_DEFAULTS.lambda})`, flags: { grokfast: 'ma' } },
  fast: { name: `fast recipe (${RECIPES.fast.summary})`, flags: RECIPES.fast.settings },
}

// ─────────────────────────────────────────────────────────────────────────────
// runs
// ─────────────────────────────────────────────────────────────────────────────

/** Trains until the first evaluation that groks (or the budget); the clock starts after the data and workers are ready. */
export const grokscopeToGrok = async (f: ToGrokOptions, v: Variant): Promise<ToGrok> => {
  const settings = { ...PAPER_SETTINGS, ...v.flags }
  const optimizer = optimizerOf(settings)
  if (E.isLeft(optimizer)) throw new Error(`${v.name}: ${optimizer.left}`)
  const task = decodeTask({ p: f.p, ops: [f.op], frac: f.frac, seed: f.seed })
  if (E.isLeft(task)) throw new UsageError(formatErrors(task.left)[0] ?? 'invalid task')
  const dataset = makeDataset(task.right)
  const c = modelConfigFor(dataset)
  const data = prepareTrainData(c, dataset)
  const pool = await startPool(c, dataset, f.threads)
  try {
    // Set by the callback at the grokking evaluation (or the last).
    const atGrok: { value: { testAcc: number; ffd: number; fcr: number; wallS: number } | null } = { value: null }
    const t0 = performance.now()
    const result = await train(
      c,
      data,
      initTrainState(scaledParams(initParams(c, f.seed), settings.initScale), optimizer.right),
      {
        ...defaultLoopOptions(optimizer.right),
        maxSteps: f.maxSteps,
        evalEvery: f.evalEvery,
        stopAfterGrok: 0,
        gradients: pool,
        evaluations: pool,
        // Only the grok step is read: an evaluation below the threshold may stop early.
        testUntilBelow: true,
      },
      {
        onEval: (r) => {
          // FFD/FCR at the grokking evaluation, or at the last one of a run that does not grok.
          if (r.grokStep !== r.step && r.step < f.maxSteps) return undefined
          const wallS = (performance.now() - t0) / 1000
          const m = fourierMeasures(c, toHost(r.params), f.p)
          atGrok.value = { testAcc: r.test.accuracy, ffd: m.W_E.ffd, fcr: m.W_E.fcr, wallS }
          return r.grokStep === r.step ? 'stop' : undefined
        },
      },
    )
    const wallS = (performance.now() - t0) / 1000
    const steps = result.state.step
    disposeTrainState(result.state)
    disposeTrainData(data)
    const g = atGrok.value
    return {
      grokStep: result.grokStep,
      steps,
      wallS: g?.wallS ?? wallS,
      testAcc: g?.testAcc ?? null,
      ffd: g?.ffd ?? null,
      fcr: g?.fcr ?? null,
    }
  } finally {
    await pool.close()
  }
}

/** The bench was stopped by a signal while the reference ran; the exit code is the shell's 128 + the signal's number. */
export class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}; the PyTorch reference was stopped too`)
  }
}

/** A progress line of the PyTorch comparison program: `H op seed step train_loss test_loss train_acc test_acc ffd fcr`. */
const historyLine = (line: string): { step: number; testAcc: number; ffd: number; fcr: number } | null => {
  const w = line.trim().split(/\s+/)
  if (w[0] !== 'H' || w.length !== 10) return null
  const [step, testAcc, ffd, fcr] = [Number(w[3]), Number(w[7]), Number(w[8]), Number(w[9])]
  return [step, testAcc, ffd, fcr].every(Number.isFinite) ? { step, testAcc, ffd, fcr } : null
}

/**
 * The PyTorch comparison program on the same task, read as it prints; stopped at its first evaluation
 * that groks. Its wall time counts from the process start (Python and torch's import included, as `startS` says).
 */
export const torchToGrok = (f: ToGrokOptions, torchArgs: ReadonlyArray<string>): Promise<ToGrok & { readonly startS: number }> =>
  new Promise((resolve, reject) => {
    const args = [
      f.torchRef, '--ops', f.op, '--seeds', String(f.seed), '--p', String(f.p), '--frac', String(f.frac), '--steps', String(f.maxSteps),
      '--every', String(f.evalEvery), '--device', 'cpu', ...torchArgs,
    ]
    const t0 = performance.now()
    const child = spawn(f.python, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    // A SIGINT or SIGTERM sent to this process alone (not to its process group) reaches the reference too, then ends the bench.
    let stoppedBy: NodeJS.Signals | null = null
    const onSignal = (signal: NodeJS.Signals) => {
      stoppedBy = signal
      child.kill(signal)
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    let startS: number | null = null
    let last: { step: number; testAcc: number; ffd: number; fcr: number } | null = null
    let done: (ToGrok & { startS: number }) | null = null
    let pending = ''
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString()
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) {
        const h = historyLine(line)
        if (h === null || done !== null) continue
        const s = (performance.now() - t0) / 1000
        // When its first evaluation line arrived: start-up plus the first `every` steps.
        startS ??= s
        last = h
        if (h.testAcc >= GROK_THRESHOLD) {
          done = { grokStep: h.step, steps: h.step, wallS: s, testAcc: h.testAcc, ffd: h.ffd, fcr: h.fcr, startS }
          child.kill('SIGTERM')
        }
      }
    })
    child.on('error', reject)
    child.on('close', (code, signal) => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      if (stoppedBy !== null) return reject(new Interrupted(stoppedBy))
      if (done !== null) return resolve(done)
      if (code !== 0 || signal !== null) {
        return reject(new Error(`${f.torchRef} failed (${signal ?? `exit ${String(code)}`}): ${stderr.trim().split('\n').at(-1) ?? ''}`))
      }
      const l: { step: number; testAcc: number; ffd: number; fcr: number } | null = last
      resolve({
        grokStep: null,
        steps: l?.step ?? 0,
        wallS: (performance.now() - t0) / 1000,
        testAcc: l?.testAcc ?? null,
        ffd: l?.ffd ?? null,
        fcr: l?.fcr ?? null,
        startS: startS ?? 0,
      })
    })
  })

/**
 * The PyTorch comparison program's flags for the same training: AdamW's `--lr` and `--wd`
 * and the Grokfast-EMA filter (`--grokfast alpha,lamb`); `null` for anything else (the MA
 * filter, which it has as `--grokfast-ma` but is not given here; warm-up; the initial scale).
 */
export const torchArgsOf = (flags: Partial<RunOptions>): ReadonlyArray<string> | null => {
  const { lr, wd, grokfast, grokfastAlpha, grokfastLambda, ...rest } = flags
  if (grokfast === 'ma' || Object.values(rest).some((v) => v !== undefined)) return null
  return [
    ...(lr === undefined ? [] : ['--lr', String(lr)]),
    ...(wd === undefined ? [] : ['--wd', String(wd)]),
    ...(grokfast === 'ema'
      ? ['--grokfast', `${grokfastAlpha ?? GROKFAST_EMA_DEFAULTS.alpha},${grokfastLambda ?? GROKFAST_EMA_DEFAULTS.lambda}`]
      : []),
  ]
}

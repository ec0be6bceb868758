/**
 * Steps and wall time to grok: training a task with a variant of the optimiser (the paper's AdamW,
 * Grokfast-EMA and -MA, the fast recipe) until the first evaluation with test accuracy ≥ 0.99, in
 * this process over worker threads, and the PyTorch comparison program's training loop doing the
 * same, read as it prints; then, to a fixed step (the horizon), whether test accuracy stayed ≥ 0.99.
 * Both clocks start at the first step (start-up, data and threads excluded) and stop at the
 * grokking evaluation. What `grokscope bench --to-grok` shows side by side.
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
  /** After grokking, train on to this step (when later) and say whether every evaluation stayed ≥ 0.99; 0: stop at the grok step. */
  readonly horizon: number
  readonly evalEvery: number
  readonly threads: number
  /** The PyTorch comparison program and the Python that runs it. */
  readonly torchRef: string
  readonly python: string
}

/**
 * One run to grokking: the first evaluated step with test accuracy ≥ 0.99, the wall time to it from the first step, the
 * test accuracy and FFD/FCR of W_E then (at the last evaluation if it did not grok); after it, to the horizon, the lowest
 * test accuracy and the last step evaluated (`stayed`: that lowest ≥ 0.99; null without a horizon or a grok).
 */
export interface ToGrok {
  readonly grokStep: number | null
  /** The step it stopped at (the grok step, the budget, or the last step evaluated towards the horizon). */
  readonly steps: number
  readonly stayed: boolean | null
  readonly lowestAfter: number | null
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

/**
 * Trains until the first evaluation that groks (or the budget), then on to the horizon; the clock starts at the first
 * step (the data and workers are ready) and stops at the grokking evaluation. Before grokking, a test-set evaluation
 * stops early once it cannot reach 0.99 (`testUntilBelow`: the grok step is unchanged).
 */
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
    const loop = { ...defaultLoopOptions(optimizer.right), evalEvery: f.evalEvery, gradients: pool, evaluations: pool }
    // Set by the callback at the grokking evaluation (or the last).
    const atGrok: { value: { testAcc: number; ffd: number; fcr: number; wallS: number } | null } = { value: null }
    const t0 = performance.now()
    const toGrok = await train(
      c,
      data,
      initTrainState(scaledParams(initParams(c, f.seed), settings.initScale), optimizer.right),
      // Only the grok step is read: an evaluation below the threshold may stop early.
      { ...loop, maxSteps: f.maxSteps, stopAfterGrok: 0, testUntilBelow: true },
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
    // On to the horizon: the lowest test accuracy of the evaluations after the grok step.
    let lowest = toGrok.grokStep === null ? null : (atGrok.value?.testAcc ?? null)
    const after =
      toGrok.grokStep === null || f.horizon <= toGrok.state.step
        ? toGrok
        : await train(
            c,
            data,
            toGrok.state,
            { ...loop, maxSteps: Math.min(f.horizon, f.maxSteps), stopAfterGrok: null, grokStep: toGrok.grokStep },
            { onEval: (r) => void (lowest = Math.min(lowest ?? Infinity, r.test.accuracy)) },
          )
    const steps = after.state.step
    disposeTrainState(after.state)
    disposeTrainData(data)
    const g = atGrok.value
    return {
      grokStep: toGrok.grokStep,
      steps,
      stayed: toGrok.grokStep === null || f.horizon === 0 ? null : lowest !== null && lowest >= GROK_THRESHOLD,
      lowestAfter: f.horizon === 0 ? null : lowest,
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

/** Its clock line (`--elapsed`), after each evaluation line: `T op seed step seconds`, seconds since its first step. */
const clockLine = (line: string): { step: number; seconds: number } | null => {
  const w = line.trim().split(/\s+/)
  if (w[0] !== 'T' || w.length !== 5) return null
  const [step, seconds] = [Number(w[3]), Number(w[4])]
  return Number.isFinite(step) && Number.isFinite(seconds) ? { step, seconds } : null
}

/**
 * The PyTorch comparison program's training loop (`train`, as `--ops --seeds --every` runs it) on the same task, read
 * as it prints, held to `f.threads` threads (`OMP_NUM_THREADS`, `OPENBLAS_NUM_THREADS`, `torch.set_num_threads`);
 * stopped at its first evaluation that groks, or at the first at or after the horizon. Its wall time is its own clock
 * from its first step (`--elapsed`), as grokscope's; `startS`, the time from its process start to its first step.
 */
export const torchToGrok = (f: ToGrokOptions, torchArgs: ReadonlyArray<string>): Promise<ToGrok & { readonly startS: number }> =>
  new Promise((resolve, reject) => {
    const args = [
      f.torchRef, '--ops', f.op, '--seeds', String(f.seed), '--p', String(f.p), '--frac', String(f.frac), '--steps', String(f.maxSteps),
      '--every', String(f.evalEvery), '--device', 'cpu', '--threads', String(f.threads), '--elapsed', ...torchArgs,
    ]
    const t0 = performance.now()
    const threads = String(f.threads)
    const child = spawn(f.python, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, OMP_NUM_THREADS: threads, OPENBLAS_NUM_THREADS: threads },
    })
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
    let grok: { step: number; testAcc: number; ffd: number; fcr: number; wallS: number } | null = null
    let lowest: number | null = null
    let finished = false
    let pending = ''
    let stderr = ''
    const result = (steps: number): ToGrok & { startS: number } => ({
      grokStep: grok?.step ?? null,
      steps,
      stayed: grok === null || f.horizon === 0 ? null : lowest !== null && lowest >= GROK_THRESHOLD,
      lowestAfter: f.horizon === 0 ? null : lowest,
      wallS: grok?.wallS ?? (performance.now() - t0) / 1000 - (startS ?? 0),
      testAcc: (grok ?? last)?.testAcc ?? null,
      ffd: (grok ?? last)?.ffd ?? null,
      fcr: (grok ?? last)?.fcr ?? null,
      startS: startS ?? 0,
    })
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString()
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) {
        if (finished) break
        const h = historyLine(line)
        if (h !== null) {
          last = h
          continue
        }
        const t = clockLine(line)
        if (t === null || last === null || t.step !== last.step) continue
        // Start-up: from the process start to its first step.
        startS ??= (performance.now() - t0) / 1000 - t.seconds
        if (grok === null && last.testAcc >= GROK_THRESHOLD) grok = { ...last, wallS: t.seconds }
        if (grok !== null) lowest = Math.min(lowest ?? Infinity, last.testAcc)
        if (grok !== null && last.step >= f.horizon) {
          finished = true
          child.kill('SIGTERM')
        }
      }
    })
    child.on('error', reject)
    child.on('close', (code, signal) => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      if (stoppedBy !== null) return reject(new Interrupted(stoppedBy))
      if (!finished && (code !== 0 || signal !== null)) {
        return reject(new Error(`${f.torchRef} failed (${signal ?? `exit ${String(code)}`}): ${stderr.trim().split('\n').at(-1) ?? ''}`))
      }
      const l: { step: number } | null = last
      resolve(result(l?.step ?? 0))
    })
  })

/**
 * The PyTorch comparison program's flags for the same training: AdamW's `--lr`, `--wd`, `--beta1`, `--beta2` and
 * `--eps`, the Grokfast-EMA and -MA filters (`--grokfast alpha,lamb`, `--grokfast-ma window,lamb`), the warm-up
 * (`--warmup`) and the initial scale (`--init-scale`); `null` for anything it does not have (e.g. weights without decay,
 * another optimiser).
 */
export const torchArgsOf = (flags: Partial<RunOptions>): ReadonlyArray<string> | null => {
  const { lr, wd, beta1, beta2, eps, grokfast, grokfastAlpha, grokfastLambda, grokfastWindow, warmup, initScale, ...rest } = flags
  if (Object.values(rest).some((v) => v !== undefined)) return null
  if (grokfast !== 'ma' && grokfastWindow !== undefined) return null
  const lambda = grokfastLambda ?? (grokfast === 'ma' ? GROKFAST_MA_DEFAULTS.lambda : GROKFAST_EMA_DEFAULTS.lambda)
  return [
    ...(lr === undefined ? [] : ['--lr', String(lr)]),
    ...(wd === undefined ? [] : ['--wd', String(wd)]),
    ...(beta1 === undefined ? [] : ['--beta1', String(beta1)]),
    ...(beta2 === undefined ? [] : ['--beta2', String(beta2)]),
    ...(eps === undefined ? [] : ['--eps', String(eps)]),
    ...(grokfast === 'ema' ? ['--grokfast', `${grokfastAlpha ?? GROKFAST_EMA_DEFAULTS.alpha},${lambda}`] : []),
    ...(grokfast === 'ma' ? ['--grokfast-ma', `${grokfastWindow ?? GROKFAST_MA_DEFAULTS.window},${lambda}`] : []),
    ...(warmup === undefined || warmup === 0 ? [] : ['--warmup', String(warmup)]),
    ...(initScale === undefined || initScale === 1 ? [] : ['--init-scale', String(initScale)]),
  ]
}

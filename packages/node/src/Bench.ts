/**
 * The training step timed: full-batch steps (forward, backward, AdamW) of the paper's model on add
 * at a chosen p and training fraction, after a warm-up, over the worker threads within a memory
 * budget; an evaluation as the training loop makes it and, as its baseline, on the main thread
 * alone; FFD/FCR; the tensor count across steps and the peak resident memory; and, alternating
 * round by round, the PyTorch comparison program's own step benchmark. What `grokscope bench` prints.
 *
 * @since 0.2.0
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import * as tf from '@tensorflow/tfjs-core'
import { fourierMeasures } from '@grokscope/analysis'
import { decodeTask, formatErrors, makeDataset } from '@grokscope/data'
import { disposeParams, initParams, measureFootprint, toHost } from '@grokscope/model'
import {
  PAPER_ADAMW,
  type TrainState,
  GROK_THRESHOLD,
  disposeTrainData,
  disposeTrainState,
  evaluate,
  initTrainState,
  maxWrongAbove,
  modelConfigFor,
  prepareTrainData,
  summarize,
  trainStepWith,
} from '@grokscope/train'
import { initBackend } from './Backend.js'
import { UsageError } from './Errors.js'
import { memoryPlan } from './Memory.js'
import { startPool } from './Pool.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** What is timed, and how often. */
export interface BenchOptions {
  readonly p: number
  readonly frac: number
  /** The memory budget, MiB. */
  readonly memory: number
  /** Evaluations (train and test sets) that are timed, over the pool and on the main thread alone. */
  readonly evals: number
  /** Timed steps per round. */
  readonly steps: number
  readonly warmup: number
  readonly rounds: number
  readonly threads: number
  /** Also run the PyTorch comparison program's step benchmark after each round. */
  readonly vsTorch?: boolean
  readonly torchRef: string
  readonly python: string
}

/** A sample's median, 10th and 90th percentiles, extremes and size, in ms. */
export interface Stats {
  readonly median: number
  readonly p10: number
  readonly p90: number
  readonly min: number
  readonly max: number
  readonly n: number
}

// ─────────────────────────────────────────────────────────────────────────────
// utils
// ─────────────────────────────────────────────────────────────────────────────

/** A program's output as JSON, or as the text it is when it is not JSON (so that a decoder's error shows it). */
export const jsonOrText = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

/** The `q` quantile of a sample (linear interpolation between order statistics). */
export const quantile = (xs: ReadonlyArray<number>, q: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  const i = (s.length - 1) * q
  const [lo, hi] = [Math.floor(i), Math.ceil(i)]
  return s[lo]! + (s[hi]! - s[lo]!) * (i - lo)
}

const stats = (xs: ReadonlyArray<number>): Stats => ({
  median: quantile(xs, 0.5),
  p10: quantile(xs, 0.1),
  p90: quantile(xs, 0.9),
  min: Math.min(...xs),
  max: Math.max(...xs),
  n: xs.length,
})


/** The last line `grokscope_torch.py --bench` prints. */
const TorchBenchLine = t.type({ ms_per_step: t.number })

/** Runs the PyTorch comparison program's step benchmark (its training loop's step); its JSON line gives ms per step. */
const torchRound = (f: BenchOptions): number => {
  const out = execFileSync(
    f.python,
    [f.torchRef, '--bench', String(f.steps), '--p', String(f.p), '--frac', String(f.frac), '--device', 'cpu'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const line = out.trim().split('\n').at(-1) ?? ''
  const r = TorchBenchLine.decode(jsonOrText(line))
  if (E.isLeft(r)) {
    throw new Error(`${f.torchRef} --bench: its last line should be JSON with ms_per_step, got ${JSON.stringify(line.slice(0, 80))}`)
  }
  return r.right.ms_per_step
}


// ─────────────────────────────────────────────────────────────────────────────
// the benchmark
// ─────────────────────────────────────────────────────────────────────────────

/** The figures of one p's benchmark (what `grokscope bench --json` prints). */
export interface BenchReport {
  readonly p: number
  readonly frac: number
  readonly n_train: number
  readonly n_test: number
  readonly backend: string
  readonly simd: boolean
  /** Threads of the step and the evaluations (at most one per training example). */
  readonly threads: number
  readonly step_ms: Stats
  readonly ms_per_1000_examples: number
  readonly memory_mib: number
  readonly step_chunk: number
  readonly eval_chunk: number
  readonly eval_ms: Stats
  readonly eval_main_ms: Stats
  /**
   * An evaluation as the training loop makes it when a step follows (since 0.5.0): the step with each training
   * example's results from its pass (`lossGradsAndExamples`), beside the same plain step (`step_plain_ms`), and the
   * test set alone, whole (`eval_test_ms`) and stopping once accuracy cannot reach 0.99 (`eval_test_until_ms`; the
   * benchmark's weights are far from it, as before grokking).
   */
  readonly step_examples_ms: Stats
  readonly step_plain_ms: Stats
  readonly eval_test_ms: Stats
  readonly eval_test_until_ms: Stats
  readonly ffd_fcr_ms: Stats
  /** Per round, grokscope's median ms per step and PyTorch's (null without `vsTorch`). */
  readonly rounds: ReadonlyArray<{ readonly grokscope: number; readonly torch: number | null }>
  readonly ratio_median: number | null
  readonly tensors_flat: boolean
  readonly peak_rss_mib: number
  readonly node: string
}

/** Times the training step, the evaluation and FFD/FCR at one p (and, with `vsTorch`, PyTorch's step in alternating rounds). */
export const benchSteps = async (f: BenchOptions): Promise<BenchReport> => {
  const p = f.p
  const task = decodeTask({ p, ops: ['add'], frac: f.frac, seed: 0 })
  if (E.isLeft(task)) throw new UsageError(formatErrors(task.left)[0] ?? 'invalid task')
  const torchRef = path.resolve(f.torchRef)
  if (f.vsTorch === true) {
    if (!existsSync(torchRef)) {
      throw new UsageError(`--torch-ref: ${torchRef} does not exist (the PyTorch comparison program, grokscope_torch.py)`)
    }
    try {
      execFileSync(f.python, ['-c', 'import torch'], { stdio: 'pipe' })
    } catch {
      throw new UsageError(`--vs-torch: ${f.python} cannot import torch (on Debian: apt-get install -y python3-torch libopenblas0-pthread)`)
    }
  }
  await initBackend()
  const dataset = makeDataset(task.right)
  const c = modelConfigFor(dataset)
  const probe = initParams(c, 0)
  const plan = memoryPlan(f.memory, f.threads, await measureFootprint(c, probe))
  disposeParams(probe)
  if (typeof plan === 'string') throw new UsageError(plan)
  const data = prepareTrainData(c, dataset, plan.evalChunk)
  const pool = await startPool(c, dataset, f.threads, { step: plan.stepChunk, evaluation: plan.evalChunk })
  try {
    let state: TrainState = initTrainState(initParams(c, 0))
    const step = async (): Promise<number> => {
      const t0 = performance.now()
      const r = await trainStepWith(PAPER_ADAMW, state, pool)
      r.loss.dataSync()
      tf.dispose(r.loss)
      disposeTrainState(state)
      state = r.state
      return performance.now() - t0
    }
    const steps = async (k: number): Promise<number[]> => {
      const times: number[] = []
      for (let i = 0; i < k; i++) times.push(await step())
      return times
    }
    await steps(f.warmup)
    const tensorsBefore = tf.memory().numTensors
    const rounds: Array<{ grokscope: number; torch: number | null }> = []
    const allSteps: number[] = []
    for (let r = 0; r < f.rounds; r++) {
      const times = await steps(f.steps)
      allSteps.push(...times)
      const torch = f.vsTorch === true ? torchRound(f) : null
      rounds.push({ grokscope: quantile(times, 0.5), torch })
    }
    const tensorsAfter = tf.memory().numTensors
    // An evaluation as the training loop makes it (train and test sets, over the pool), and
    // on the main thread alone (the baseline: how the loop evaluated before the pool did).
    const evalTimes: number[] = []
    const evalMainTimes: number[] = []
    for (let i = 0; i < f.evals; i++) {
      const t0 = performance.now()
      const r = await pool.perExample(state.params)
      summarize(r.train, data.trainOps, data.nOps)
      summarize(r.test, data.testOps, data.nOps)
      const t1 = performance.now()
      evaluate(c, state.params, data.train, data.trainOps, data.nOps)
      evaluate(c, state.params, data.test, data.testOps, data.nOps)
      evalTimes.push(t1 - t0)
      evalMainTimes.push(performance.now() - t1)
    }
    // The evaluation as the loop now makes it: the training set's results from the next step's pass, the test set alone.
    const [stepExamples, stepPlain, evalTest, evalTestUntil]: [number[], number[], number[], number[]] = [[], [], [], []]
    const timed = async (into: number[], f: () => Promise<unknown>) => {
      const t0 = performance.now()
      await f()
      into.push(performance.now() - t0)
    }
    const drop = (r: { loss: tf.Scalar; grads: Record<string, tf.Tensor> }) => tf.dispose([r.loss, ...Object.values(r.grads)])
    for (let i = 0; i < f.evals; i++) {
      await timed(stepExamples, async () => drop(await pool.lossGradsAndExamples(state.params)))
      await timed(stepPlain, async () => drop(await pool.lossAndGrads(state.params)))
      await timed(evalTest, () => pool.perExampleOf(state.params, 'test'))
      await timed(evalTestUntil, () => pool.perExampleOf(state.params, 'test', maxWrongAbove(dataset.test.size, GROK_THRESHOLD)))
    }
    const measureTimes = Array.from({ length: 5 }, () => {
      const t0 = performance.now()
      fourierMeasures(c, toHost(state.params), p)
      return performance.now() - t0
    })
    disposeTrainState(state)
    disposeTrainData(data)
    const ratios = rounds.filter((r) => r.torch !== null).map((r) => r.grokscope / r.torch!)
    const stepMs = stats(allSteps)
    const report: BenchReport = {
      p,
      frac: f.frac,
      n_train: dataset.train.size,
      n_test: dataset.test.size,
      backend: tf.getBackend(),
      simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
      threads: pool.threads,
      step_ms: stepMs,
      ms_per_1000_examples: (1000 * stepMs.median) / dataset.train.size,
      memory_mib: f.memory,
      step_chunk: Math.min(plan.stepChunk, Math.ceil(dataset.train.size / pool.threads)),
      eval_chunk: Math.min(plan.evalChunk, dataset.test.size),
      eval_ms: stats(evalTimes),
      eval_main_ms: stats(evalMainTimes),
      step_examples_ms: stats(stepExamples),
      step_plain_ms: stats(stepPlain),
      eval_test_ms: stats(evalTest),
      eval_test_until_ms: stats(evalTestUntil),
      ffd_fcr_ms: stats(measureTimes),
      rounds,
      ratio_median: ratios.length > 0 ? quantile(ratios, 0.5) : null,
      tensors_flat: tensorsBefore === tensorsAfter,
      peak_rss_mib: process.resourceUsage().maxRSS / 1024,
      node: process.version,
    }
    return report
  } finally {
    await pool.close()
  }
}

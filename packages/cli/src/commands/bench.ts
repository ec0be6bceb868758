// grokscope bench: ms per full-batch training step (and evaluation, measures), optionally against PyTorch;
// given several p, one process per p (so each peak RSS is its own) and one table.
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
  disposeTrainData,
  disposeTrainState,
  evaluate,
  initTrainState,
  modelConfigFor,
  prepareTrainData,
  summarize,
  trainStepWith,
} from '@grokscope/train'
import { UsageError, initBackend, memoryPlan, startPool } from '@grokscope/node'
import { fixed, table } from '../format.js'

export interface BenchFlags {
  readonly p: ReadonlyArray<number>
  readonly frac: number
  readonly memory: number
  /** Evaluations (train and test sets) that are timed, over the pool and on the main thread alone. */
  readonly evals: number
  readonly steps: number
  readonly warmup: number
  readonly rounds: number
  readonly threads: number
  readonly vsTorch?: boolean
  readonly torchRef: string
  readonly python: string
  readonly json?: boolean
}

const quantile = (xs: ReadonlyArray<number>, q: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  const i = (s.length - 1) * q
  const [lo, hi] = [Math.floor(i), Math.ceil(i)]
  return s[lo]! + (s[hi]! - s[lo]!) * (i - lo)
}

const stats = (xs: ReadonlyArray<number>) => ({
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
const torchRound = (f: BenchFlags): number => {
  const out = execFileSync(f.python, [f.torchRef, '--bench', String(f.steps), '--p', String(f.p[0]), '--frac', String(f.frac), '--device', 'cpu'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const line = out.trim().split('\n').at(-1) ?? ''
  let parsed: unknown
  try {
    parsed = JSON.parse(line)
  } catch {
    parsed = line
  }
  const r = TorchBenchLine.decode(parsed)
  if (E.isLeft(r)) throw new Error(`${f.torchRef} --bench: its last line should be JSON with ms_per_step, got ${JSON.stringify(line.slice(0, 80))}`)
  return r.right.ms_per_step
}

/** What one p's benchmark prints with --json (the fields the table of several p reads). */
const BenchReport = t.type({
  p: t.number,
  n_train: t.number,
  step_ms: t.type({ median: t.number }),
  ms_per_1000_examples: t.number,
  eval_ms: t.type({ median: t.number }),
  step_chunk: t.number,
  memory_mib: t.number,
  peak_rss_mib: t.number,
  tensors_flat: t.boolean,
  ratio_median: t.union([t.number, t.null]),
})

/** Benchmarks each p in its own process (`grokscope bench --p <p> --json`) and prints one table. */
const benchMany = (f: BenchFlags): void => {
  const reports: Array<{ report: t.TypeOf<typeof BenchReport>; full: unknown }> = []
  for (const p of f.p) {
    const args = [process.argv[1]!, 'bench', '--p', String(p), '--frac', String(f.frac), '--memory', String(f.memory), '--steps', String(f.steps), '--warmup', String(f.warmup)]
    args.push('--rounds', String(f.rounds), '--threads', String(f.threads), '--evals', String(f.evals), '--torch-ref', f.torchRef, '--python', f.python, '--json')
    if (f.vsTorch === true) args.push('--vs-torch')
    if (f.json !== true) process.stderr.write(`bench: p = ${p}…\n`)
    let out: string
    try {
      out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 2 ** 26 })
    } catch (e) {
      // A child that exited has printed its own one-line error on the shared stderr; its exit code is ours.
      const status = (e as { status?: unknown }).status
      if (typeof status !== 'number') process.stderr.write(`grokscope: error: bench --p ${p}: its benchmark process was killed\n`)
      process.exitCode = typeof status === 'number' ? status : 1
      return
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(out)
    } catch {
      parsed = out
    }
    const r = BenchReport.decode(parsed)
    if (E.isLeft(r)) throw new Error(`bench --p ${p}: its --json output is not a benchmark report: ${JSON.stringify(out.slice(0, 80))}`)
    reports.push({ report: r.right, full: parsed })
  }
  if (f.json === true) {
    process.stdout.write(`${JSON.stringify(reports.map((r) => r.full), null, 2)}\n`)
    return
  }
  const ratios = f.vsTorch === true
  process.stdout.write(
    `${table(
      ['p', 'training examples', 'step ms (median)', 'ms per 1,000 examples', 'evaluation ms', 'chunk per thread', 'peak RSS MiB', 'tensors flat', ...(ratios ? ['vs PyTorch'] : [])],
      reports.map(({ report: r }) => [
        String(r.p),
        String(r.n_train),
        fixed(r.step_ms.median, 1),
        fixed(r.ms_per_1000_examples, 1),
        fixed(r.eval_ms.median, 1),
        String(r.step_chunk),
        fixed(r.peak_rss_mib, 0),
        String(r.tensors_flat),
        ...(ratios ? [r.ratio_median === null ? '—' : fixed(r.ratio_median, 3)] : []),
      ]),
    )}\nr = ${f.frac}, ${f.threads} thread(s), --memory ${f.memory} MiB, ${f.rounds} round(s) of ${f.steps} step(s) after ${f.warmup} warm-up step(s); one process per p\n`,
  )
}

export const benchCommand = async (f: BenchFlags): Promise<void> => {
  if (f.p.length !== 1) return benchMany(f)
  const p = f.p[0]!
  const task = decodeTask({ p, ops: ['add'], frac: f.frac, seed: 0 })
  if (E.isLeft(task)) throw new UsageError(formatErrors(task.left)[0] ?? 'invalid task')
  const torchRef = path.resolve(f.torchRef)
  if (f.vsTorch === true) {
    if (!existsSync(torchRef)) throw new UsageError(`--torch-ref: ${torchRef} does not exist (the PyTorch comparison program, grokscope_torch.py)`)
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
    const measureTimes = Array.from({ length: 5 }, () => {
      const t0 = performance.now()
      fourierMeasures(c, toHost(state.params), p)
      return performance.now() - t0
    })
    disposeTrainState(state)
    disposeTrainData(data)
    const ratios = rounds.filter((r) => r.torch !== null).map((r) => r.grokscope / r.torch!)
    const stepMs = stats(allSteps)
    const report = {
      p,
      frac: f.frac,
      n_train: dataset.train.size,
      n_test: dataset.test.size,
      backend: tf.getBackend(),
      simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
      threads: f.threads,
      step_ms: stepMs,
      ms_per_1000_examples: (1000 * stepMs.median) / dataset.train.size,
      memory_mib: f.memory,
      step_chunk: Math.min(plan.stepChunk, Math.ceil(dataset.train.size / pool.threads)),
      eval_chunk: Math.min(plan.evalChunk, dataset.test.size),
      eval_ms: stats(evalTimes),
      eval_main_ms: stats(evalMainTimes),
      ffd_fcr_ms: stats(measureTimes),
      rounds,
      ratio_median: ratios.length > 0 ? quantile(ratios, 0.5) : null,
      tensors_flat: tensorsBefore === tensorsAfter,
      peak_rss_mib: process.resourceUsage().maxRSS / 1024,
      node: process.version,
    }
    if (f.json === true) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
      return
    }
    const s = (x: ReturnType<typeof stats>) => [fixed(x.median, 1), fixed(x.p10, 1), fixed(x.p90, 1), fixed(x.min, 1), fixed(x.max, 1), String(x.n)]
    const lines = [
      `p = ${p}, r = ${f.frac}: ${dataset.train.size} training examples, ${dataset.test.size} test; backend ${report.backend} (SIMD ${report.simd}), ${f.threads} thread(s), Node ${process.version}`,
      `memory budget ${f.memory} MiB: chunks of ${report.step_chunk} training examples per thread, ${report.eval_chunk} per evaluation pass`,
      '',
      table(
        ['what (ms)', 'median', 'p10', 'p90', 'min', 'max', 'n'],
        [
          ['training step (fwd+bwd+AdamW)', ...s(report.step_ms)],
          ['  per 1,000 training examples', fixed(report.ms_per_1000_examples, 1), '', '', '', '', ''],
          [`evaluation, train + test sets (${pool.threads} thread(s))`, ...s(report.eval_ms)],
          ['  the same on the main thread alone', ...s(report.eval_main_ms)],
          ['FFD/FCR of W_E and W_L', ...s(report.ffd_fcr_ms)],
        ],
      ),
      '',
      ...(f.vsTorch === true
        ? [
            table(
              ['round', 'grokscope ms/step', 'PyTorch ms/step', 'ratio'],
              rounds.map((r, i) => [String(i + 1), fixed(r.grokscope, 1), fixed(r.torch!, 1), fixed(r.grokscope / r.torch!, 3)]),
            ),
            `median ratio grokscope/PyTorch: ${fixed(report.ratio_median!, 3)}`,
            '',
          ]
        : []),
      `peak resident memory: ${fixed(report.peak_rss_mib, 0)} MiB; tensor count flat across steps: ${report.tensors_flat}`,
    ]
    process.stdout.write(`${lines.join('\n')}\n`)
  } finally {
    await pool.close()
  }
}

// grokscope train: a run folder with config, metrics, weights, a resumable state and a summary.
import { existsSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import cliProgress from 'cli-progress'
import * as E from 'fp-ts/lib/Either.js'
import * as tf from '@tensorflow/tfjs-core'
import { metricsRecord, round } from '@grokscope/analysis'
import { type Task, decodeTask, formatErrors, makeDataset } from '@grokscope/data'
import { type ModelConfig, configProblems, encodeWeightsFile, initParams, paperConfig, toHost } from '@grokscope/model'
import {
  type AdamWOptions,
  type EvalReport,
  type Metrics,
  type LoopOptions,
  type TrainState,
  PAPER_ADAMW,
  decodeTrainState,
  disposeTrainData,
  disposeTrainState,
  encodeTrainState,
  initTrainState,
  prepareTrainData,
  train,
} from '@grokscope/train'
import { initBackend } from '../backend.js'
import { UsageError, appendLine, readJson, writeAtomic, writeJson } from '../files.js'
import { fixed } from '../format.js'
import { startPool } from '../parallel.js'
import { plotRun } from './plot.js'

export interface TrainFlags {
  readonly op?: string
  readonly ops?: string
  readonly p: number
  readonly frac: number
  readonly seed: number
  /** The step budget; on --resume, given only to change the saved one. */
  readonly steps?: number
  readonly evalEvery: number
  readonly stopAfterGrok: number | null
  readonly checkpointEvery: number
  readonly out?: string
  readonly resume?: boolean
  readonly progress: boolean
  readonly dModel: number
  readonly heads: number
  readonly dHead: number
  readonly dMlp: number
  readonly layers: number
  readonly act: 'relu' | 'gelu'
  readonly posEmbed?: boolean
  readonly lr: number
  readonly wd: number
  readonly threads: number
  readonly measureEvery: number
}

/** What `config.json` holds: enough to rebuild the run exactly. */
interface RunConfig {
  readonly grokscope: string
  readonly task: { p: number; ops: string[]; frac: number; seed: number }
  readonly model: ModelConfig
  readonly optimizer: AdamWOptions
  readonly loop: { max_steps: number; eval_every: number; stop_after_grok: number | null; grok_threshold: number; checkpoint_every: number; measure_every?: number }
}

const FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  weights: 'weights.json',
  state: 'state.json',
  summary: 'summary.json',
  curves: 'curves.svg',
} as const

const VERSION = '0.1.0'

const slug = (ids: ReadonlyArray<string>): string => ids.map((id) => id.replace(/[^A-Za-z0-9+-]+/g, '_')).join('+')

/** Decodes a task; the error names the flag (`--p: 91 is not allowed (…)`). */
const decodeOrThrow = (u: unknown, opsFlag: '--op' | '--ops'): Task => {
  const t = decodeTask(u)
  if (E.isLeft(t)) {
    const line = formatErrors(t.left)[0] ?? 'invalid task'
    throw new UsageError(line.replace(/^ops(\.\d+)?:/, `${opsFlag}:`).replace(/^(p|frac|seed):/, '--$1:'))
  }
  return t.right
}

/** The run's configuration from the flags (nothing is written). */
const configFromFlags = (f: TrainFlags): { run: RunConfig; task: Task } => {
  if (f.op !== undefined && f.ops !== undefined) throw new UsageError('--op and --ops exclude each other (give one operation with --op, or a mixture with --ops a,b)')
  const ids = f.ops !== undefined ? f.ops.split(',').map((s) => s.trim()) : [f.op ?? 'add']
  const task = decodeOrThrow({ p: f.p, ops: ids, frac: f.frac, seed: f.seed }, f.ops !== undefined ? '--ops' : '--op')
  const model: ModelConfig = paperConfig({
    dVocab: task.p + task.ops.length,
    nOut: task.p,
    dModel: f.dModel,
    nHeads: f.heads,
    dHead: f.dHead,
    dMlp: f.dMlp,
    nLayers: f.layers,
    act: f.act,
    positionalEmbedding: f.posEmbed === true,
  })
  const problems = configProblems(model)
  if (problems.length > 0) throw new UsageError(problems[0]!)
  return {
    task,
    run: {
      grokscope: VERSION,
      task: { p: task.p, ops: task.ops.map((op) => op.id), frac: task.frac, seed: task.seed },
      model,
      optimizer: { ...PAPER_ADAMW, lr: f.lr, weightDecay: f.wd },
      loop: { max_steps: f.steps ?? DEFAULT_STEPS, eval_every: f.evalEvery, stop_after_grok: f.stopAfterGrok, grok_threshold: 0.99, checkpoint_every: f.checkpointEvery, measure_every: f.measureEvery },
    },
  }
}

const metricsOf = (e: Metrics) => ({ loss: e.loss, acc: e.accuracy })

/** Keeps the metrics lines up to `step` (a resumed run rewrites what came after its checkpoint). */
const truncateMetrics = (file: string, step: number): void => {
  if (!existsSync(file)) return
  const kept = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && (JSON.parse(line) as { step: number }).step <= step)
  writeAtomic(file, kept.map((l) => `${l}\n`).join(''))
}

/** The grokking step recorded in a run's metrics, if it grokked. */
const recordedGrokStep = (file: string): number | null => {
  if (!existsSync(file)) return null
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue
    const m = JSON.parse(line) as { grok_step?: number | null }
    if (m.grok_step != null) return m.grok_step
  }
  return null
}

export const trainCommand = async (f: TrainFlags): Promise<void> => {
  // Everything is checked before anything is written.
  const fresh = configFromFlags(f)
  const out = f.out ?? path.join('runs', `${slug(fresh.run.task.ops)}-p${fresh.run.task.p}-r${fresh.run.task.frac}-s${fresh.run.task.seed}`)
  const at = (name: string) => path.join(out, name)
  const existing = existsSync(at(FILES.config))
  if (existing && f.resume !== true) throw new UsageError(`${out} already holds a run (pass --resume to continue it, or choose another --out)`)
  if (!existing && f.resume === true) throw new UsageError(`--resume: ${out} holds no run to resume (no ${FILES.config})`)
  if (existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out: ${out} exists and is not a folder`)
  const run: RunConfig = existing ? (readJson(at(FILES.config)) as RunConfig) : fresh.run
  const loop = existing ? { ...run.loop, max_steps: f.steps ?? run.loop.max_steps } : run.loop
  const task = existing ? decodeOrThrow(run.task, '--ops') : fresh.task
  if (existing && !existsSync(at(FILES.state))) throw new UsageError(`--resume: ${out} has no ${FILES.state} to resume from`)

  await initBackend()
  const dataset = makeDataset(task)
  const c = run.model
  const data = prepareTrainData(c, dataset)
  const pool = await startPool(c, dataset.train.tokens, dataset.train.labels, f.threads)
  // The worker threads keep the process alive: they are stopped whatever happens.
  try {
    let state: TrainState = existing ? decodeTrainState(readJson(at(FILES.state))) : initTrainState(initParams(c, task.seed))
    const startStep = state.step
    if (existing) truncateMetrics(at(FILES.metrics), startStep)
    else writeJson(at(FILES.config), { ...run }, 2)
    const modelOps = task.ops.map((op) => ({ id: op.id, op }))
    const meta = { ...run.task, op: run.task.ops[0], op_tokens: run.task.ops.map((_, i) => task.p + i), frac_train: task.frac, input: '[a, op, b]' }

    const save = (s: TrainState, summary?: unknown) => {
      writeJson(at(FILES.state), encodeTrainState(s))
      writeJson(at(FILES.weights), encodeWeightsFile(c, toHost(s.params), { ...meta, steps: s.step }))
      if (summary !== undefined) writeJson(at(FILES.summary), summary, 2)
    }

    const interactive = f.progress && process.stderr.isTTY === true
    const bar = interactive
      ? new cliProgress.SingleBar(
          {
            format: '{bar} {value}/{total} | train {trainLoss} {trainAcc} | test {testLoss} {testAcc} | W_E FFD {ffd} FCR {fcr} | {sps} steps/s',
            barsize: 24,
            hideCursor: true,
            etaBuffer: 50,
          },
          cliProgress.Presets.shades_classic,
        )
      : null
    const blank = { trainLoss: '-', trainAcc: '-', testLoss: '-', testAcc: '-', ffd: '-', fcr: '-', sps: '-' }
    bar?.start(loop.max_steps, startStep, blank)

    let interrupted = false
    const onSigint = () => {
      interrupted = true
    }
    process.on('SIGINT', onSigint)
    const t0 = performance.now()
    let lastEval: EvalReport | null = null
    let lastMeasures: { W_E: { ffd: number; fcr: number }; W_L: { ffd: number; fcr: number } } | null = null
    const options: LoopOptions = {
      optimizer: run.optimizer,
      maxSteps: loop.max_steps,
      evalEvery: loop.eval_every,
      stopAfterGrok: loop.stop_after_grok,
      grokThreshold: loop.grok_threshold,
      grokStep: existing ? recordedGrokStep(at(FILES.metrics)) : null,
      gradients: pool,
    }
    const result = await train(c, data, state, options, {
      onStep: async (step) => {
        bar?.update(step)
        if (step % 10 === 0) await new Promise((r) => setImmediate(r)) // let SIGINT through
        return interrupted ? 'stop' : undefined
      },
      onEval: (r) => {
        lastEval = r
        const elapsed = (performance.now() - t0) / 1000
        const line = metricsRecord({
          ...r,
          host: toHost(r.params),
          config: c,
          p: task.p,
          ops: modelOps,
          seed: task.seed,
          measureLogits: (loop.measure_every ?? 0) > 0 && r.step % (loop.measure_every ?? 0) === 0,
          elapsedS: elapsed,
          numTensors: tf.memory().numTensors,
        })
        const m = { W_E: { ffd: line.W_E.ffd, fcr: line.W_E.fcr }, W_L: { ffd: line.W_L.ffd, fcr: line.W_L.fcr } }
        lastMeasures = m
        appendLine(at(FILES.metrics), JSON.stringify(line))
        const sps = (r.step - startStep) / Math.max(elapsed, 1e-9)
        const values = {
          trainLoss: fixed(r.train.loss, 3),
          trainAcc: fixed(r.train.accuracy, 3),
          testLoss: fixed(r.test.loss, 3),
          testAcc: fixed(r.test.accuracy, 3),
          ffd: fixed(m.W_E.ffd, 2),
          fcr: fixed(m.W_E.fcr, 2),
          sps: sps.toFixed(1),
        }
        if (bar !== null) bar.update(r.step, values)
        else if (f.progress) {
          process.stderr.write(`step ${r.step}  train ${values.trainLoss} ${values.trainAcc}  test ${values.testLoss} ${values.testAcc}  W_E FFD ${values.ffd} FCR ${values.fcr}  ${values.sps} steps/s\n`)
        }
        if (r.step % loop.checkpoint_every === 0) save(r.state)
        return undefined
      },
    })
    bar?.stop()
    process.off('SIGINT', onSigint)
    state = result.state
    const wall = (performance.now() - t0) / 1000
    const stepsRun = state.step - startStep
    const final = lastEval as EvalReport | null
    const measures = lastMeasures as { W_E: { ffd: number; fcr: number }; W_L: { ffd: number; fcr: number } } | null
    const summary = {
      status: interrupted ? 'interrupted' : 'finished',
      stopped_by: interrupted ? 'interrupt' : result.stoppedBy,
      grokked: result.grokStep !== null,
      grok_step: result.grokStep,
      steps: state.step,
      resumed_from_step: existing ? startStep : null,
      final: final === null ? null : { step: final.step, train: metricsOf(final.train), test: metricsOf(final.test) },
      measures,
      wall_time_s: round(wall, 3),
      steps_per_s: round(stepsRun / Math.max(wall, 1e-9), 3),
      ms_per_step: stepsRun === 0 ? null : round((1000 * wall) / stepsRun, 3),
      backend: tf.getBackend(),
      threads: f.threads,
      files: FILES,
    }
    save(state, summary)
    if (lastEval !== null) await plotRun(out)
    disposeTrainState(state)
    disposeTrainData(data)
    const verdict = result.grokStep !== null ? `grokked at step ${result.grokStep}` : 'did not grok'
    process.stdout.write(
      `${interrupted ? 'interrupted' : 'done'}: ${run.task.ops.join(', ')} mod ${task.p}, ${verdict}; ${state.step} steps in ${wall.toFixed(1)} s` +
        `${measures === null ? '' : `; W_E FFD ${fixed(measures.W_E.ffd, 3)} FCR ${fixed(measures.W_E.fcr, 3)}`}\n` +
        `results in ${out}/ (${FILES.summary}, ${FILES.metrics}, ${FILES.weights}, ${FILES.curves})${interrupted ? `; continue with --resume --out ${out}` : ''}\n`,
    )
    if (interrupted) process.exitCode = 130
  } finally {
    await pool.close()
  }
}

export const DEFAULT_STEPS = 300_000

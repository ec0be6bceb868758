// A run's configuration (config.json): from the train flags, and back from the file with an io-ts codec of the same type.
import path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import { type Task, TaskCodec, decodeTask, firstProblem, formatErrors } from '@grokscope/data'
import { type ModelConfig, PARTS, type Part, configProblems, isPart, paperConfig, paramShapes, partNames } from '@grokscope/model'
import { GROK_THRESHOLD, PAPER_MAX_STEPS } from '@grokscope/train'
import { oneLine } from './format.js'
import { type OptimizerFlags, trainingFromFlags } from './optimizer-flags.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** The options of `grokscope train`, as the parsers in flags.ts and optimizer-flags.ts give them. */
export interface TrainFlags extends OptimizerFlags {
  /** `--recipe`: already applied to the optimiser flags by the command's hook; recorded in config.json. */
  readonly recipe?: string | undefined
  readonly op?: string | undefined
  readonly ops?: string | undefined
  readonly p: number
  readonly frac: number
  readonly seed: number
  /** The step budget; on --resume, given only to change the saved one. */
  readonly steps?: number | undefined
  readonly evalEvery: number
  readonly stopAfterGrok: number | 'never'
  readonly checkpointEvery: number
  readonly out?: string | undefined
  readonly resume?: boolean | undefined
  readonly progress: boolean
  readonly dModel: number
  readonly heads: number
  readonly dHead: number
  readonly dMlp: number
  readonly layers: number
  readonly act: 'relu' | 'gelu'
  readonly posEmbed?: boolean | undefined
  readonly threads: number
  readonly measureEvery: number
  /** `--save-every`: keep the weights at every n steps (and at the grok step and the end) in the run's history; unset: none. */
  readonly saveEvery?: number | undefined
  /** The memory budget in MiB (`--memory`); not part of the run's config: it changes nothing but float32 summation order. */
  readonly memory?: number | undefined
  /** A finished model (run folder or weights file) whose `load` parts start this run. */
  readonly initFrom?: string | undefined
  readonly load?: ReadonlyArray<Part> | undefined
  readonly freeze?: ReadonlyArray<Part> | undefined
}

/** The version written into every config.json. */
export const VERSION = '0.1.0'

/** A number passing `ok`, named after what is allowed (the name is what a decoding error says was expected). */
const numberWhere = (name: string, ok: (n: number) => boolean): t.Type<number, number, unknown> =>
  new t.Type<number, number, unknown>(
    name,
    (u): u is number => typeof u === 'number' && ok(u),
    (u, c) => (typeof u === 'number' && ok(u) ? t.success(u) : t.failure(u, c)),
    t.identity,
  )

const count = (min: number) => numberWhere(`an integer ≥ ${min}`, (n) => Number.isSafeInteger(n) && n >= min)
const Positive = numberWhere('a finite number > 0', (n) => Number.isFinite(n) && n > 0)
const NonNegative = numberWhere('a finite number ≥ 0', (n) => Number.isFinite(n) && n >= 0)
const Beta = numberWhere('a number with 0 ≤ β < 1', (n) => n >= 0 && n < 1)
const Threshold = numberWhere('a number with 0 ≤ x ≤ 1', (n) => n >= 0 && n <= 1)
const StopAfterGrok = new t.Type<number | null, number | null, unknown>(
  'an integer ≥ 0 or null',
  (u): u is number | null => u === null || count(0).is(u),
  (u, c) => (u === null || count(0).is(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
)

/** `ModelConfig` as config.json holds it. */
export const ModelConfigCodec = t.type({
  dVocab: count(1),
  nOut: count(1),
  nCtx: count(1),
  dModel: count(1),
  nHeads: count(1),
  dHead: count(1),
  dMlp: count(1),
  nLayers: count(1),
  act: t.keyof({ relu: null, gelu: null }, 'relu or gelu'),
  positionalEmbedding: t.boolean,
})

/** A Grokfast filter as config.json holds it. */
export const FilterConfigCodec = t.union([
  t.type({ kind: t.literal('grokfast-ema'), alpha: Beta, lambda: NonNegative }),
  t.type({ kind: t.literal('grokfast-ma'), window: count(1), lambda: NonNegative }),
], 'a filter { kind: grokfast-ema, alpha, lambda } or { kind: grokfast-ma, window, lambda }')

/**
 * The optimiser as config.json holds it: the paper's AdamW fields (all a run of
 * 0.1.0 wrote), and the chain's other settings (missing: the paper's AdamW).
 */
export const AdamWOptionsCodec = t.intersection([
  t.type({
    lr: Positive,
    weightDecay: NonNegative,
    beta1: Beta,
    beta2: Beta,
    eps: Positive,
    frozen: t.readonlyArray(t.string),
  }),
  t.partial({
    kind: t.keyof({ adamw: null, adam: null, sgd: null }, 'adamw, adam or sgd'),
    momentum: Beta,
    warmup: count(0),
    noDecay: t.readonlyArray(t.string),
    filters: t.readonlyArray(FilterConfigCodec),
  }),
])

/** The loop's settings (snake case, as written since 0.1.0; `measure_every` and `save_every` are newer). */
export const LoopSettingsCodec = t.intersection([
  t.type({
    max_steps: count(1),
    eval_every: count(1),
    stop_after_grok: StopAfterGrok,
    grok_threshold: Threshold,
    checkpoint_every: count(1),
  }),
  t.partial({ measure_every: count(0), save_every: count(1) }),
])

const PartCodec = new t.Type<Part, string, unknown>(
  `one of ${PARTS.join(', ')}`,
  (u): u is Part => typeof u === 'string' && isPart(u),
  (u, c) => (typeof u === 'string' && isPart(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
)

/** Where a run's weights came from (newer than 0.1.0's first config.json: optional). */
export const TransferCodec = t.type({
  /** The source model's weights file (absolute), or null for none (a frozen random part). */
  source: t.union([t.string, t.null]),
  /** The parts copied from the source. */
  loaded: t.array(PartCodec),
  /** The parts kept fixed (their weights are in `optimizer.frozen`). */
  frozen: t.array(PartCodec),
})

/** A run's transfer settings. */
export type Transfer = t.TypeOf<typeof TransferCodec>

/** config.json: enough to rebuild the run exactly. The task is decoded into `@grokscope/data`'s `Task`. */
export const RunConfigCodec = t.intersection([
  t.type({
    grokscope: t.string,
    task: TaskCodec,
    model: ModelConfigCodec,
    optimizer: AdamWOptionsCodec,
    loop: LoopSettingsCodec,
  }),
  // Newer than 0.1.0's config.json: the initial weights' scale (missing: 1), where the weights came from, the named recipe used.
  t.partial({ init_scale: Positive, transfer: TransferCodec, recipe: t.string }),
])

/** What config.json holds, decoded. */
export type RunConfig = t.TypeOf<typeof RunConfigCodec>

/** The loop settings of a run. */
export type LoopSettings = t.TypeOf<typeof LoopSettingsCodec>

// ─────────────────────────────────────────────────────────────────────────────
// utils
// ─────────────────────────────────────────────────────────────────────────────

/** The checks between fields: the model fits the task, it is a model the code can run, frozen weights exist. */
const consistent = (run: RunConfig): E.Either<string, RunConfig> => {
  const { task, model, optimizer } = run
  const problems = configProblems(model)
  if (problems.length > 0) return E.left(`model: ${problems[0]}`)
  const dVocab = task.p + task.ops.length
  if (model.dVocab !== dVocab) return E.left(`model.dVocab is ${model.dVocab} (expected ${dVocab}: p + the number of operations)`)
  if (model.nOut !== task.p) return E.left(`model.nOut is ${model.nOut} (expected p = ${task.p})`)
  if (model.nCtx !== 3) return E.left(`model.nCtx is ${model.nCtx} (expected 3: the input is [a, op, b])`)
  const names = paramShapes(model).map(([n]) => n)
  const unknown = optimizer.frozen.find((n) => !names.includes(n))
  if (unknown !== undefined) return E.left(`optimizer.frozen: ${JSON.stringify(unknown)} is not a weight of the model (allowed: ${names.join(', ')})`)
  const noDecay = optimizer.noDecay?.find((n) => !names.includes(n))
  if (noDecay !== undefined) return E.left(`optimizer.noDecay: ${JSON.stringify(noDecay)} is not a weight of the model (allowed: ${names.join(', ')})`)
  if (run.transfer !== undefined && run.transfer.source === null && run.transfer.loaded.length > 0) return E.left('transfer.loaded: parts are loaded but transfer.source is null')
  return E.right(run)
}

// ─────────────────────────────────────────────────────────────────────────────
// constructors
// ─────────────────────────────────────────────────────────────────────────────

/** A parsed config.json; `Left` names the field (`model.dModel is "a" (expected an integer ≥ 1)`). */
export const decodeRunConfig = (u: unknown): E.Either<string, RunConfig> =>
  pipe(
    RunConfigCodec.decode(u),
    E.mapLeft(firstProblem),
    E.chain(consistent),
    E.mapLeft((problem) => oneLine(problem)),
  )

/** config.json's JSON document. */
export const encodeRunConfig = (run: RunConfig): t.OutputOf<typeof RunConfigCodec> => RunConfigCodec.encode(run)

/** Decodes the flags' task; the error names the flag (`--p: 91 is not allowed (…)`). */
const taskFromFlags = (f: TrainFlags, ids: ReadonlyArray<string>): E.Either<string, Task> =>
  pipe(
    decodeTask({ p: f.p, ops: ids, frac: f.frac, seed: f.seed }),
    E.mapLeft((errors) =>
      (formatErrors(errors)[0] ?? 'invalid task').replace(/^ops(\.\d+)?:/, f.ops !== undefined ? '--ops:' : '--op:').replace(/^(p|frac|seed):/, '--$1:'),
    ),
  )

/** The run's configuration from the flags (nothing is read or written); `Left` names the flag. */
export const runConfigFromFlags = (f: TrainFlags): E.Either<string, RunConfig> => {
  if (f.op !== undefined && f.ops !== undefined) return E.left('--op and --ops exclude each other (give one operation with --op, or a mixture with --ops a,b)')
  const ids = f.ops !== undefined ? f.ops.split(',').map((s) => s.trim()) : [f.op ?? 'add']
  const training = trainingFromFlags(f)
  if (E.isLeft(training)) return training
  const { optimizer, initScale } = training.right
  if (f.load !== undefined && f.initFrom === undefined) return E.left('--load needs --init-from (the run or weights file to load the parts from)')
  const transfer: Transfer | null =
    f.initFrom === undefined && f.freeze === undefined
      ? null
      : { source: f.initFrom === undefined ? null : path.resolve(f.initFrom), loaded: f.initFrom === undefined ? [] : [...(f.load ?? PARTS)], frozen: [...(f.freeze ?? [])] }
  return pipe(
    taskFromFlags(f, ids),
    E.chain((task) => {
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
      if (problems.length > 0) return E.left(problems[0]!)
      return E.right({
        grokscope: VERSION,
        task,
        model,
        optimizer: { ...optimizer, frozen: [...optimizer.frozen, ...partNames(model, f.freeze ?? [])] },
        loop: {
          max_steps: f.steps ?? PAPER_MAX_STEPS,
          eval_every: f.evalEvery,
          stop_after_grok: f.stopAfterGrok === 'never' ? null : f.stopAfterGrok,
          grok_threshold: GROK_THRESHOLD,
          checkpoint_every: f.checkpointEvery,
          measure_every: f.measureEvery,
          ...(f.saveEvery === undefined ? {} : { save_every: f.saveEvery }),
        },
        init_scale: initScale,
        ...(transfer === null ? {} : { transfer }),
        ...(f.recipe === undefined ? {} : { recipe: f.recipe }),
      })
    }),
    E.chain((run) => {
      const names = paramShapes(run.model).map(([n]) => n)
      const unknown = optimizer.noDecay?.find((n) => !names.includes(n))
      return unknown === undefined ? E.right(run) : E.left(`--wd-exclude: ${JSON.stringify(unknown)} is not a weight of the model (allowed: ${names.join(', ')})`)
    }),
  )
}

/** The default run folder: `runs/<ops>-p<p>-r<frac>-s<seed>`. */
export const defaultRunDir = (run: RunConfig): string => {
  const slug = run.task.ops.map((op) => op.id.replace(/[^A-Za-z0-9+-]+/g, '_')).join('+')
  return path.join('runs', `${slug}-p${run.task.p}-r${run.task.frac}-s${run.task.seed}`)
}

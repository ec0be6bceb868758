/**
 * A run's configuration, config.json: the task, the model, the optimiser chain, the
 * loop's settings and where the initial weights came from, enough to rebuild the run
 * exactly. Written with the run's fingerprint and the model in TransformerLens's snake
 * case; every config.json written since 0.1.0 (camel-case model) is still read.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { decodeRunConfig, encodeRunConfig, makeRunConfig, runName, PAPER_SETTINGS } from '@grokscope/runs'
 * const config = makeRunConfig({ ...PAPER_SETTINGS, ops: ['add'], p: 31, frac: 0.5, seed: 0 })
 * E.isRight(config) // => true
 * if (E.isRight(config)) {
 *   runName(config.right) // => 'add-p31-r0.5-s0'
 *   E.isRight(decodeRunConfig(JSON.parse(JSON.stringify(encodeRunConfig(config.right))))) // => true
 * }
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import { PositiveNumber, Probability, TaskCodec, firstProblem, integerFrom, oneLine } from '@grokscope/data'
import { type Fingerprint, ModelConfigCodec, PartCodec, type Part, configProblems, fingerprintOf, paramShapes } from '@grokscope/model'
import { OptimizerOptionsCodec } from '@grokscope/train'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/**
 * The version of grokscope's documents written now (config.json, sweep.json, summary.json, reproduce.json, claims.json);
 * every earlier version's are read too.
 */
export const VERSION = '0.5.0'

const StopAfterGrok = new t.Type<number | null, number | null, unknown>(
  'an integer ≥ 0 or null',
  (u): u is number | null => u === null || integerFrom(0).is(u),
  (u, c) => (u === null || integerFrom(0).is(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
)

/** The loop's settings (snake case, as written since 0.1.0; `measure_every` and `save_every` are newer). */
export const LoopSettingsCodec = t.intersection([
  t.type({
    max_steps: integerFrom(1),
    eval_every: integerFrom(1),
    stop_after_grok: StopAfterGrok,
    grok_threshold: Probability,
    checkpoint_every: integerFrom(1),
  }),
  t.partial({ measure_every: integerFrom(0), save_every: integerFrom(1) }),
])

/** The loop settings of a run. */
export type LoopSettings = t.TypeOf<typeof LoopSettingsCodec>

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

/**
 * config.json without its fingerprint (derived, and dropped when read, as any other field the codec does not name). The
 * task is decoded into `@grokscope/data`'s `Task`.
 */
export const RunConfigCodec = t.intersection([
  t.exact(
    t.type({
      grokscope: t.string,
      task: TaskCodec,
      model: ModelConfigCodec,
      optimizer: OptimizerOptionsCodec,
      loop: LoopSettingsCodec,
    }),
  ),
  // Newer than 0.1.0's config.json: the initial weights' scale (missing: 1), where the weights came from, the named recipe used.
  t.exact(t.partial({ init_scale: PositiveNumber, transfer: TransferCodec, recipe: t.string })),
])

/** What config.json holds, decoded. */
export type RunConfig = t.TypeOf<typeof RunConfigCodec>

/** config.json's document: the codec's output and the run's fingerprint. */
export type RunConfigDocument = t.OutputOf<typeof RunConfigCodec> & { readonly fingerprint: Fingerprint }

/** A transfer variant of a run: the parts loaded from a finished model and the parts frozen. */
export interface Variant {
  readonly load: ReadonlyArray<Part>
  readonly freeze: ReadonlyArray<Part>
}

/** Training from scratch, nothing frozen. */
export const SCRATCH: Variant = { load: [], freeze: [] }

// ─────────────────────────────────────────────────────────────────────────────
// utils
// ─────────────────────────────────────────────────────────────────────────────

/** The checks between fields: the model fits the task, it is a model the code can run, frozen weights exist. */
const consistent = (run: RunConfig): E.Either<string, RunConfig> => {
  const { task, model, optimizer } = run
  const problems = configProblems(model)
  if (problems.length > 0) return E.left(`model: ${problems[0]}`)
  const dVocab = task.p + task.ops.length
  if (model.dVocab !== dVocab) return E.left(`model.d_vocab is ${model.dVocab} (expected ${dVocab}: p + the number of operations)`)
  if (model.nOut !== task.p) return E.left(`model.n_out is ${model.nOut} (expected p = ${task.p})`)
  if (model.nCtx !== 3) return E.left(`model.n_ctx is ${model.nCtx} (expected 3: the input is [a, op, b])`)
  const names = paramShapes(model).map(([n]) => n)
  const unknown = optimizer.frozen.find((n) => !names.includes(n))
  if (unknown !== undefined) {
    return E.left(`optimizer.frozen: ${JSON.stringify(unknown)} is not a weight of the model (allowed: ${names.join(', ')})`)
  }
  const noDecay = optimizer.noDecay?.find((n) => !names.includes(n))
  if (noDecay !== undefined) {
    return E.left(`optimizer.noDecay: ${JSON.stringify(noDecay)} is not a weight of the model (allowed: ${names.join(', ')})`)
  }
  if (run.transfer !== undefined && run.transfer.source === null && run.transfer.loaded.length > 0) {
    return E.left('transfer.loaded: parts are loaded but transfer.source is null')
  }
  return E.right(run)
}

// ─────────────────────────────────────────────────────────────────────────────
// constructors
// ─────────────────────────────────────────────────────────────────────────────

/** A parsed config.json; `Left` names the field (`model.d_model is "a" (expected an integer ≥ 1)`). */
export const decodeRunConfig = (u: unknown): E.Either<string, RunConfig> =>
  pipe(
    RunConfigCodec.decode(u),
    E.mapLeft(firstProblem),
    E.chain(consistent),
    E.mapLeft((problem) => oneLine(problem)),
  )

/** The run's fingerprint (its task and model shape), as config.json records it and state.json, weights.json and the history carry it. */
export const runFingerprint = (config: RunConfig): Fingerprint => fingerprintOf(TaskCodec.encode(config.task), config.model)

/** config.json's document, written by this version, with the run's fingerprint. */
export const encodeRunConfig = (config: RunConfig): RunConfigDocument => ({
  ...RunConfigCodec.encode({ ...config, grokscope: VERSION }),
  fingerprint: runFingerprint(config),
})

/** The transfer variant of a run (scratch when it loads and freezes nothing). */
export const variantOf = (config: RunConfig): Variant => ({ load: config.transfer?.loaded ?? [], freeze: config.transfer?.frozen ?? [] })

/** A variant's part of a run name: `` for scratch, `-load_embed-freeze_embed.unembed`. */
export const variantSlug = (v: Variant): string =>
  `${v.load.length > 0 ? `-load_${v.load.join('.')}` : ''}${v.freeze.length > 0 ? `-freeze_${v.freeze.join('.')}` : ''}`

/** A variant as readable text: `scratch`, `load embed, freeze embed`. */
export const variantText = (v: Variant): string =>
  v.load.length === 0 && v.freeze.length === 0
    ? 'scratch'
    : [v.load.length > 0 ? `load ${v.load.join('+')}` : '', v.freeze.length > 0 ? `freeze ${v.freeze.join('+')}` : '']
        .filter((x) => x !== '')
        .join(', ')

/**
 * A run's folder name, the one rule for `train`'s default folder, a sweep's runs and the
 * page's download: `add-p31-r0.5-s0`, `add+sub-p31-r0.5-s1-freeze_embed`. Characters a
 * folder name cannot hold in an operation's id or expression become `_`.
 */
export const runName = (config: Pick<RunConfig, 'task' | 'transfer'>): string => {
  const { task } = config
  const ops = task.ops.map((op) => op.id.replace(/[^A-Za-z0-9+-]+/g, '_')).join('+')
  return (
    `${ops}-p${task.p}-r${task.frac}-s${task.seed}` +
    `${variantSlug({ load: config.transfer?.loaded ?? [], freeze: config.transfer?.frozen ?? [] })}`
  )
}

/** A config with every optional setting written out as the default it stands for (an older config.json leaves them out). */
const normalized = (c: RunConfig): RunConfig => ({
  ...c,
  optimizer: { kind: 'adamw', momentum: 0, warmup: 0, noDecay: [], filters: [], ...c.optimizer },
  loop: { measure_every: 0, ...c.loop, max_steps: 1 },
  init_scale: c.init_scale ?? 1,
})

/**
 * How config `b` differs from `a` in what makes the run (anything but the step budget and the
 * version that wrote it), as the differing fields, or null when they make the same run.
 */
export const configDifference = (a: RunConfig, b: RunConfig): string | null => {
  const [x, y] = [encodeRunConfig(normalized(a)), encodeRunConfig(normalized(b))] as ReadonlyArray<Readonly<Record<string, unknown>>>
  const keys = [...new Set([...Object.keys(x!), ...Object.keys(y!)])]
  const differs = keys.filter((k) => JSON.stringify(x![k]) !== JSON.stringify(y![k]))
  return differs.length === 0 ? null : `${differs.join(', ')} differ`
}

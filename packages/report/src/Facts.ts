/**
 * What a report says about a run in words: its title, the facts table (task, optimiser,
 * outcome, model, weights file), and a folder report's row of it, from the run's config,
 * its records and its status.
 *
 * @example
 * import { stayedText } from '@grokscope/report'
 * stayedText([]) // => ', stayed grokked'
 *
 * @since 0.2.0
 */
import type { ModelConfig } from '@grokscope/model'
import {
  type MetricsRecord,
  type PlannedRun,
  type RunConfig,
  type RunStatus,
  grokOutcome,
  recordedGrokStep,
  runStability,
  stabilityText,
  variantOf,
  variantText,
} from '@grokscope/runs'
import type { SweepRun } from './Report.js'

/** A report's facts: label and value. */
export type Facts = ReadonlyArray<readonly [string, string]>

/** The model's shape and the file its weights came from. */
export const modelFacts = (c: ModelConfig, file: string): Facts => [
  [
    'model',
    `${c.nLayers} layer(s), d_model ${c.dModel}, ${c.nHeads} heads of ${c.dHead}, d_mlp ${c.dMlp}, ` +
      `${c.act}${c.positionalEmbedding ? ', positional embedding' : ''}`,
  ],
  ['weights', file],
]

/** Whether a grokked run stayed grokked, as the outcome fact says it. */
export const stayedText = (records: ReadonlyArray<MetricsRecord>): string => {
  const o = grokOutcome(records)
  return o.stayed_grokked || o.min_test_acc_after_grok === null
    ? ', stayed grokked'
    : `, then fell (lowest test accuracy after grokking ${o.min_test_acc_after_grok.toFixed(4)}, ` +
        `last ${o.last_test_acc_after_grok!.toFixed(4)})`
}

const opsText = (config: RunConfig): string => config.task.ops.map((op) => op.id).join(', ')

/** A run report's title: `add mod 31, r = 0.5, seed 0`. */
export const runTitle = (config: RunConfig): string =>
  `${opsText(config)} mod ${config.task.p}, r = ${config.task.frac}, seed ${config.task.seed}`

/**
 * The facts of a run: its task, optimiser and outcome (with the step it diverged at, when it did: `divergedStep`), and the
 * model's when its final weights are there.
 */
export const runFacts = (
  config: RunConfig,
  records: ReadonlyArray<MetricsRecord>,
  model: { readonly config: ModelConfig; readonly file: string } | null,
  divergedStep: number | null = null,
): Facts => {
  const { task, optimizer } = config
  const grokStep = recordedGrokStep(records)
  const last = records.at(-1)
  const best = Math.max(...records.map((r) => r.test_acc).filter(Number.isFinite))
  const unstable = stabilityText(runStability(records))
  return [
    ['task', `${opsText(config)} mod ${task.p}, training fraction ${task.frac}, seed ${task.seed}`],
    ['optimiser', `AdamW lr ${optimizer.lr}, weight decay ${optimizer.weightDecay}, betas (${optimizer.beta1}, ${optimizer.beta2})`],
    [
      'outcome',
      `${last === undefined ? 'no evaluation yet' : `step ${last.step}: test accuracy ${last.test_acc.toFixed(4)} (best ${best.toFixed(4)})`}; ` +
        `${grokStep === null ? 'not grokked' : `grokked at step ${grokStep}${stayedText(records)}`}` +
        `${divergedStep === null ? '' : `; diverged at step ${divergedStep} (its loss or weights were not finite)`}` +
        `${unstable === '' ? '' : `; ${unstable}`}`,
    ],
    ...(model === null ? [] : modelFacts(model.config, model.file)),
  ]
}

/** A run's row in a folder's report (`href`: its report, relative to the folder's). */
export const sweepRunOf = (
  name: string,
  href: string,
  config: RunConfig,
  records: ReadonlyArray<MetricsRecord>,
  status: RunStatus,
): SweepRun => ({
  name,
  operation: config.task.ops.map((op) => op.id).join('+'),
  transfer: variantText(variantOf(config)),
  href,
  ops: opsText(config),
  p: config.task.p,
  frac: config.task.frac,
  seed: config.task.seed,
  lr: config.optimizer.lr,
  wd: config.optimizer.weightDecay,
  records,
  grokStep: recordedGrokStep(records),
  status,
})

/** A planned run that has not started, as a row of a folder's report. */
export const unstartedRun = (r: PlannedRun): SweepRun => ({
  name: r.name,
  operation: r.ops.join('+'),
  transfer: variantText(r.variant),
  href: null,
  ops: r.ops.join(', '),
  p: r.p,
  frac: r.frac,
  seed: r.seed,
  lr: null,
  wd: null,
  records: [],
  grokStep: null,
  status: 'not started',
})

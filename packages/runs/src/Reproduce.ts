/**
 * The reproduction's plan: the experiments behind the paper's claims (`Claims.ts`), in
 * tiers, as sweeps. A tier is a setting (p, r, seeds, recipe, budget) and two stages,
 * each a sweep in a folder of its own under the reproduction's folder: `ops`, every
 * operation of the tier from scratch, and `transfer`, the paper's three transfer
 * variants (pre-grokked embedding, pre-grokked Transformer, frozen random embedding) on
 * two target operations, each loading from the same seed's `add` run of `ops`. The plan
 * is versioned (`REPRODUCE_FORMAT`, reproduce.json) so that a rerun with other settings
 * is refused, as a sweep's is.
 *
 * @since 0.4.0
 */
import type { Plan } from './Plan.js'
import type { RunOptions } from './Settings.js'
import type { ClaimsSettings, TransferKind } from './Claims.js'

/** The `format` of reproduce.json written now. */
export const REPRODUCE_FORMAT = 'grokscope-reproduce/1'

/** The tiers: `quick`, every claim on small settings on one machine; `paper`, the paper's setting. */
export const TIER_IDS = ['quick', 'paper'] as const
export type TierId = (typeof TIER_IDS)[number]

/** A tier's experiments before any override. */
export interface TierSpec {
  readonly id: TierId
  /** One line for help and the report. */
  readonly summary: string
  readonly p: number
  readonly frac: number
  readonly seeds: ReadonlyArray<number>
  /** The operations of the `ops` stage, in `OPERATIONS` order. */
  readonly ops: ReadonlyArray<string>
  /** The `transfer` stage: the source operation and the targets. */
  readonly transfer: { readonly source: string; readonly targets: ReadonlyArray<string> }
  /** Every run's options (model, optimiser, budget, evaluation, history). */
  readonly options: RunOptions
  /** The recipe in words, as the report states it. */
  readonly recipe: string
}

/** One stage: a sweep in `<out>/<folder>`, and what each of its runs is to the claims. */
export interface ReproduceStage {
  readonly id: 'ops' | 'transfer'
  /** The sweep folder, relative to the reproduction's folder. */
  readonly folder: string
  readonly plan: Plan
  /** Each run's transfer kind, by run name. */
  readonly kinds: Readonly<Record<string, TransferKind>>
  /** A transfer run's source: the `ops` run it loads from, by run name. */
  readonly sources: Readonly<Record<string, string>>
}

/** A reproduction: its tier, its settings as the claims report states them, and its stages in order. */
export interface ReproducePlan {
  readonly tier: TierId
  readonly settings: ClaimsSettings
  readonly stages: ReadonlyArray<ReproduceStage>
}

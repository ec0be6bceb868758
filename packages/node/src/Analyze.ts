/**
 * The analysis of a loaded model (`analyzeModel` of `@grokscope/analysis`) within a memory budget:
 * refused up front when the all-pairs analyses of its p cannot fit, streamed in chunks of pairs and blocks of the logits
 * map's classes that do.
 *
 * @since 0.2.0
 */
import { type ModelAnalysis, analyzeModel, keyRuleFor, keyWarnings } from '@grokscope/analysis'
import { DEFAULT_KEY_RULE, DEFAULT_ETA, type KeyRule } from '@grokscope/measures'
import { disposeParams, fromHost, measureFootprint } from '@grokscope/model'
import { initBackend } from './Backend.js'
import { UsageError, orUsageError } from './Errors.js'
import { type AllPairsPlan, DEFAULT_MEMORY_MIB, allPairsPlan, allPairsRefusal } from './Memory.js'
import type { LoadedModel } from './ModelFile.js'

/** How a model is analysed: the FFD threshold, the key-frequency rule, the memory budget, and where its warnings go. */
export interface AnalysisOptions {
  readonly eta?: number
  readonly keyRule?: KeyRule
  readonly memoryMiB?: number
  /** One line per operation whose key frequencies do not carry its answer (`keyWarnings`). */
  readonly onWarning?: (message: string) => void
  /** What a refusal names (`analyze`, `report`). */
  readonly what?: string
}

/**
 * How the all-pairs analyses of this model fit `budgetMiB` (`allPairsPlan`: pairs per forward pass, classes of the
 * logits map per pass); a budget too small for them is a `UsageError`.
 *
 * @since 0.5.0
 */
export const allPairsPlanOf = async (model: LoadedModel, budgetMiB: number): Promise<AllPairsPlan> => {
  await initBackend()
  const params = fromHost(model.config, model.host)
  const footprint = await measureFootprint(model.config, params)
  disposeParams(params)
  const plan = allPairsPlan(budgetMiB, model.task.p, model.config.nOut, model.config.dMlp, footprint.evaluation)
  if (typeof plan === 'string') throw new UsageError(plan)
  return plan
}

/** Every analysis of the model (the `analyze --json` document's content); a budget too small for its p is a `UsageError`. */
export const analyzeLoadedModel = async (model: LoadedModel, o: AnalysisOptions = {}): Promise<ModelAnalysis> => {
  const keyRule = orUsageError('--key-freqs')(keyRuleFor(o.keyRule ?? DEFAULT_KEY_RULE, model.task.p))
  const budget = o.memoryMiB ?? DEFAULT_MEMORY_MIB
  const refusal = allPairsRefusal(o.what ?? 'analyze', budget, model.task.p, model.config.nOut, model.config.dMlp)
  if (refusal !== null) throw new UsageError(refusal)
  const plan = await allPairsPlanOf(model, budget)
  const a = analyzeModel(model.config, model.host, model.task.p, model.task.ops, model.task.seed, {
    eta: o.eta ?? DEFAULT_ETA,
    keyRule,
    now: () => performance.now(),
    chunk: plan.chunk,
    mapClasses: plan.mapClasses,
  })
  for (const w of keyWarnings(a)) o.onWarning?.(w)
  return a
}

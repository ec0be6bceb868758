/**
 * The analysis of a loaded model (`analyzeModel` of `@grokscope/analysis`) within a memory budget:
 * refused up front when the all-pairs analyses of its p cannot fit, computed in chunks that do.
 *
 * @since 0.2.0
 */
import { type ModelAnalysis, analyzeModel, keyRuleFor, keyWarnings } from '@grokscope/analysis'
import { DEFAULT_KEY_RULE, DEFAULT_ETA, type KeyRule } from '@grokscope/measures'
import { disposeParams, fromHost, measureFootprint } from '@grokscope/model'
import { initBackend } from './Backend.js'
import { UsageError, orUsageError } from './Errors.js'
import { DEFAULT_MEMORY_MIB, allPairsRefusal, memoryPlan } from './Memory.js'
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
 * The pairs of one all-pairs forward pass of this model that fit `budgetMiB` (the `chunk` of the all-pairs analyses);
 * a budget too small for its step is a `UsageError`.
 *
 * @since 0.4.0
 */
export const allPairsChunk = async (model: LoadedModel, budgetMiB: number): Promise<number> => {
  await initBackend()
  const params = fromHost(model.config, model.host)
  const footprint = await measureFootprint(model.config, params)
  disposeParams(params)
  const plan = memoryPlan(budgetMiB, 1, footprint)
  if (typeof plan === 'string') throw new UsageError(plan)
  return plan.evalChunk
}

/** Every analysis of the model (the `analyze --json` document's content); a budget too small for its p is a `UsageError`. */
export const analyzeLoadedModel = async (model: LoadedModel, o: AnalysisOptions = {}): Promise<ModelAnalysis> => {
  const keyRule = orUsageError('--key-freqs')(keyRuleFor(o.keyRule ?? DEFAULT_KEY_RULE, model.task.p))
  const budget = o.memoryMiB ?? DEFAULT_MEMORY_MIB
  const refusal = allPairsRefusal(o.what ?? 'analyze', budget, model.task.p, model.config.nOut, model.config.dMlp)
  if (refusal !== null) throw new UsageError(refusal)
  const a = analyzeModel(model.config, model.host, model.task.p, model.task.ops, model.task.seed, {
    eta: o.eta ?? DEFAULT_ETA,
    keyRule,
    now: () => performance.now(),
    chunk: await allPairsChunk(model, budget),
  })
  for (const w of keyWarnings(a)) o.onWarning?.(w)
  return a
}

/**
 * The memory budget (`--memory`): how many examples each thread computes at once, so that
 * peak memory depends on the model and the chunk, not on p²; what cannot fit is refused up front.
 *
 * @since 0.2.0
 */
import type { Footprint } from '@grokscope/model'

/** The default budget, MiB: the whole process (every thread), comfortable on an 8 GiB laptop. */
export const DEFAULT_MEMORY_MIB = 2048

/** What a thread costs before any tensor (Node, tfjs, its WASM instance), MiB; measured ~100–130. */
export const THREAD_BASE_MIB = 128

/** Room for what `tf.profile` does not see (WASM heap fragmentation, kernels' scratch): tensor bytes are multiplied by this. */
export const SLACK = 1.5

/** The most tensor bytes one WASM instance is given (its heap stops at 4 GiB). */
export const WASM_TENSOR_BYTES = 2 ** 31

const MiB = 2 ** 20

/** How the budget is spent: examples per training chunk (per thread) and per evaluation or all-pairs chunk. */
export interface MemoryPlan {
  readonly budgetMiB: number
  readonly threads: number
  readonly stepChunk: number
  readonly evalChunk: number
}

/** The least budget (MiB) at which each of `threads` threads holds a chunk of one example. */
const leastBudget = (threads: number, f: Footprint): number =>
  Math.ceil(threads * (THREAD_BASE_MIB + (SLACK * (f.fixedBytes + f.bytesPerExample)) / MiB))

/** Examples per chunk that fit in `bytes` of tensors. */
const fit = (bytes: number, f: Footprint): number =>
  Math.floor((Math.min(bytes, WASM_TENSOR_BYTES) / SLACK - f.fixedBytes) / Math.max(f.bytesPerExample, 1))

/**
 * The plan for a budget: each thread gets `budget / threads − THREAD_BASE_MIB`, and its
 * chunk is the most examples whose tensors (`fixedBytes + chunk · bytesPerExample`,
 * times `SLACK`) fit in it. A string (the one-line refusal) when not one example fits.
 */
export const memoryPlan = (
  budgetMiB: number,
  threads: number,
  footprint: { readonly step: Footprint; readonly evaluation: Footprint },
): MemoryPlan | string => {
  const perThread = (budgetMiB / threads - THREAD_BASE_MIB) * MiB
  const stepChunk = fit(perThread, footprint.step)
  const evalChunk = fit(perThread, footprint.evaluation)
  if (stepChunk < 1 || evalChunk < 1) {
    const least = Math.max(leastBudget(threads, footprint.step), leastBudget(threads, footprint.evaluation))
    return (
      `--memory: ${budgetMiB.toFixed(0)} MiB cannot hold one example per thread with this model and ${threads} thread(s) (allowed: ` +
      `--memory ≥ ${least}, or fewer --threads)`
    )
  }
  return { budgetMiB, threads, stepChunk, evalChunk }
}

/**
 * Host bytes of the all-pairs analyses of one operation (logits and MLP activations of all
 * `p²` pairs in float64, their 2-D transforms and the key-frequency parts): ~12 arrays of `p²·n_out` and 3 of `p²·d_mlp`.
 */
export const allPairsHostBytes = (p: number, nOut: number, dMlp: number): number => 8 * p * p * (12 * nOut + 3 * dMlp)

/** The one-line refusal when the all-pairs analyses of `p` do not fit in the budget (`what`: the flag or command), else null. */
export const allPairsRefusal = (what: string, budgetMiB: number, p: number, nOut: number, dMlp: number): string | null => {
  const need = Math.ceil(allPairsHostBytes(p, nOut, dMlp) / MiB + 2 * THREAD_BASE_MIB)
  return need <= budgetMiB
    ? null
    : `${what}: the all-pairs analyses of p = ${p} need about ${need} MiB, ` +
        `more than --memory ${budgetMiB.toFixed(0)} (allowed: --memory ≥ ${need}, or a smaller p)`
}

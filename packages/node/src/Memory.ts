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
 * Host bytes of the all-pairs analyses of one operation, streamed one row `a` at a time (`analyzeModel`): the block of
 * the logits map's transform, `p²·mapClasses` float64 values, and its squares (`p²`); the spectra and row buffers of the
 * logits and the MLP activations (`PairSpectra`, the key frequencies' parts: about 16 and 5 rows of `p·n_out` and
 * `p·d_mlp`); the float32 copies of one forward chunk (`chunk·(n_out + d_mlp)`). With `mapClasses = n_out` (one pass)
 * the map holds `8·p²·n_out` bytes; with one class, everything is O(p·(p + n_out + d_mlp)).
 *
 * @since 0.5.0 (before: the whole arrays, `8·p²·(12·n_out + 3·d_mlp)`)
 */
export const allPairsHostBytes = (p: number, nOut: number, dMlp: number, chunk: number, mapClasses: number): number =>
  8 * (p * p * (mapClasses + 1) + p * (16 * nOut + 5 * dMlp)) + 4 * chunk * (nOut + dMlp)

/**
 * How the all-pairs analyses of one operation spend a budget: pairs per forward pass, classes of the logits map per pass.
 *
 * @since 0.5.0
 */
export interface AllPairsPlan {
  readonly chunk: number
  readonly mapClasses: number
  /** Forward passes over all pairs: `⌈n_out / mapClasses⌉`, at least 2 (the key frequencies' losses take a second). */
  readonly passes: number
}

/** The tensor bytes of a forward pass over one pair (none when not measured). */
const onePair = (evaluation?: Footprint): number => (evaluation === undefined ? 0 : evaluation.fixedBytes + evaluation.bytesPerExample)

/** The least budget (MiB) that holds the all-pairs analyses with a one-pair chunk and one class of the map per pass. */
const leastAllPairsMiB = (p: number, nOut: number, dMlp: number, evaluation?: Footprint): number =>
  Math.ceil(THREAD_BASE_MIB + (SLACK * (allPairsHostBytes(p, nOut, dMlp, 1, 1) + onePair(evaluation))) / MiB)

/**
 * The plan of the all-pairs analyses (one thread) within `budgetMiB`: the forward passes get a quarter of what the
 * streamed rows and one class of the map leave (their chunk as `memoryPlan` fits it, with the host copies of its
 * outputs; at least one pair), the logits map's block the rest, as many classes as fit (all: one pass). A string (the
 * one-line refusal) when not one pair and one class fit.
 *
 * @since 0.5.0
 */
export const allPairsPlan = (budgetMiB: number, p: number, nOut: number, dMlp: number, evaluation: Footprint): AllPairsPlan | string => {
  const free = (budgetMiB - THREAD_BASE_MIB) * MiB - SLACK * allPairsHostBytes(p, nOut, dMlp, 0, 0)
  const perPair = SLACK * (evaluation.bytesPerExample + 4 * (nOut + dMlp))
  const oneClass = SLACK * 8 * p * p
  const forward = { fixedBytes: evaluation.fixedBytes, bytesPerExample: perPair / SLACK }
  const chunk = Math.min(p * p, Math.max(1, fit((free - oneClass) / 4, forward)))
  const left = free - SLACK * evaluation.fixedBytes - chunk * perPair
  const mapClasses = Math.min(nOut, Math.floor(left / oneClass))
  if (mapClasses < 1) {
    return (
      `--memory: ${budgetMiB.toFixed(0)} MiB cannot hold the all-pairs analyses of p = ${p} with this model (allowed: ` +
      `--memory ≥ ${leastAllPairsMiB(p, nOut, dMlp, evaluation)}, or a smaller p)`
    )
  }
  return { chunk, mapClasses, passes: Math.max(2, Math.ceil(nOut / mapClasses)) }
}

/**
 * The one-line refusal when the all-pairs analyses of `p` cannot fit in the budget even streamed (a one-pair chunk, one
 * class of the map per pass; `what`: the flag or command), else null. `wholeMap`: the caller computes the logits map in
 * one pass (`--measure-every`), which needs `8·p²·n_out` bytes more.
 */
export const allPairsRefusal = (
  what: string,
  budgetMiB: number,
  p: number,
  nOut: number,
  dMlp: number,
  wholeMap: boolean = false,
): string | null => {
  const need = leastAllPairsMiB(p, nOut, dMlp) + (wholeMap ? Math.ceil((SLACK * 8 * p * p * nOut) / MiB) : 0)
  return need <= budgetMiB
    ? null
    : `${what}: the all-pairs analyses of p = ${p} need about ${need} MiB, ` +
        `more than --memory ${budgetMiB.toFixed(0)} (allowed: --memory ≥ ${need}, or a smaller p)`
}

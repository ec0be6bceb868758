/**
 * Every analysis of the paper, and grokscope's additions, on a finished model:
 * spectra and FFD/FCR of `W_E` and `W_L` in the additive and multiplicative bases,
 * weight norms, and per operation the logits in the 2-D Fourier basis (map,
 * asymmetry, key frequencies, restricted and ablated losses) and the MLP neurons'
 * frequencies. Each analysis is timed with the clock the caller passes.
 *
 * @example
 * import { analyzeWeights } from '@grokscope/analysis'
 * import type { WeightsFile } from '@grokscope/model'
 * declare const decodedWeightsFile: WeightsFile  // decodeWeightsFile of a weights.json
 * const doc = analyzeWeights(decodedWeightsFile, { now: () => performance.now() })
 * // Right(the `grokscope analyze --json` document)
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { labelTable } from '@grokscope/data'
import {
  type KeyFrequencyAnalysis,
  type KeyRule,
  type MatrixMeasures,
  type NeuronFrequencies,
  DEFAULT_ETA,
  DEFAULT_KEY_RULE,
  asymmetry,
  fourierBasis,
  type RowSink,
  crossEntropySink,
  fourierMapBlock,
  keyLossesSink,
  keySelection,
  keyWarning,
  mapOfSquares,
  neuronFrequenciesOf,
  pairSpectraSink,
  showKeyRule,
} from '@grokscope/measures'
import type { HostParams, ModelConfig, WeightsFile } from '@grokscope/model'
import { forEachPairRow } from './AllPairs.js'
import { keyRuleFor } from './KeyRule.js'
import { type ModelOp, type ModelTask, modelTask } from './Task.js'
import {
  type MultiplicativeMeasure,
  type MultiplicativeMeasures,
  type WeightFourierMeasures,
  type WeightNorms,
  fourierMeasures,
  hostWeightNorms,
  multiplicativeMeasures,
} from './Weights.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** The analyses of one operation. */
export interface OpAnalysis {
  readonly op: string
  /** `p × p` logit norms in the 2-D basis (rows basis_a, columns basis_b). */
  readonly logitsMap: Float64Array
  readonly asymmetry: number
  /** `null` when the operation's labels are unknown (an id that does not resolve). */
  readonly keyFrequencies: KeyFrequencyAnalysis | null
  readonly neurons: NeuronFrequencies
}

/** Every analysis of a model, with the time each kind took (ms, by the caller's clock). */
export interface ModelAnalysis {
  readonly p: number
  readonly additive: WeightFourierMeasures
  readonly multiplicative: MultiplicativeMeasures | null
  readonly weightNorms: WeightNorms
  readonly perOp: ReadonlyArray<OpAnalysis>
  readonly timingsMs: Readonly<Record<string, number>>
}

export interface AnalysisOptions {
  /** FFD threshold η (default 0.5). */
  readonly eta?: number
  /**
   * How the key frequencies are chosen (default `auto`: within 2× of the full loss); a `list` rule's frequencies must
   * be in `1..⌊p/2⌋` (`keyRuleFor`).
   */
  readonly keyRule?: KeyRule
  /** The clock the timings are read from, in ms (e.g. `performance.now`). */
  readonly now: () => number
  /** Pairs per forward pass of the all-pairs analyses (default: all `p²` in one pass); bounds the backend's memory. */
  readonly chunk?: number
  /**
   * Output classes of the logits map accumulated per pass over all pairs (default: all, one pass): its transform holds
   * `p²·mapClasses` float64 values; fewer classes take more forward passes (`⌈n_out / mapClasses⌉`, at least 2 when the
   * labels are known). Every other analysis holds O(p·(n_out + d_mlp)) values, streamed one row `a` at a time.
   */
  readonly mapClasses?: number
}

/** A spectrum in the JSON document. */
export interface SpectrumJson {
  readonly ffd: number
  readonly fcr: number
  readonly eta: number
  readonly constant_norm: number
  readonly cos_norms: number[]
  readonly sin_norms: number[]
  readonly multiplicative: { readonly ffd: number; readonly fcr: number; readonly cos_norms: number[]; readonly sin_norms: number[] } | null
}

/** The `grokscope analyze --json` document (schema in docs/CLI.md). */
export interface AnalysisDocument {
  readonly file: string
  readonly p: number
  readonly ops: string[]
  readonly embedding: SpectrumJson
  readonly neuron_logit_map: SpectrumJson
  readonly multiplicative_generator: number | null
  readonly weight_norms: { readonly per_matrix: Readonly<Record<string, number>>; readonly total: number }
  readonly per_op: Array<{
    readonly op: string
    readonly logits_map: { readonly names: string[]; readonly norms: number[][] }
    readonly asymmetry: number
    readonly key_frequencies: {
      /** The rule as `--key-freqs` spells it. */
      readonly rule: string
      readonly key: number[]
      /** `null`, or one line: the restricted loss is more than `warn_factor` × the full loss. */
      readonly warning: string | null
      readonly warn_factor: number
      /** The `auto` rule's restricted loss of each prefix tried (constant only first); empty for the other rules. */
      readonly prefix_losses: number[]
      readonly energy: number[]
      readonly softmax_energy: number[]
      readonly losses: Readonly<
        Record<
          'all' | 'key_only' | 'non_key_only' | 'residual_only' | 'key_and_non_key' | 'key_and_residual' | 'non_key_and_residual',
          number
        >
      >
      readonly ablated: number[]
      readonly dependent: number[]
    } | null
    readonly neurons: { readonly frequency: number[]; readonly fraction: number[]; readonly counts: number[] }
  }>
  readonly timings_ms: Readonly<Record<string, number>>
}

// ─────────────────────────────────────────────────────────────────────────────
// analyses
// ─────────────────────────────────────────────────────────────────────────────

/** Every analysis of a model trained on `ops` (token `p + i` for `ops[i]`), with labels from `seed` for `rand`. */
export const analyzeModel = (
  c: ModelConfig,
  host: HostParams,
  p: number,
  ops: ReadonlyArray<ModelOp>,
  seed: number,
  o: AnalysisOptions,
): ModelAnalysis => {
  const eta = o.eta ?? DEFAULT_ETA
  const timingsMs: Record<string, number> = {}
  const timed = <A>(name: string, f: () => A): A => {
    const t0 = o.now()
    const r = f()
    timingsMs[name] = (timingsMs[name] ?? 0) + o.now() - t0
    return r
  }
  const additive = timed('ffd_fcr_additive', () => fourierMeasures(c, host, p, eta))
  const multiplicative = timed('ffd_fcr_multiplicative', () => multiplicativeMeasures(c, host, p, eta))
  const norms = timed('weight_norms', () => hostWeightNorms(host))
  const perOp = ops.map(({ id, op }, i): OpAnalysis => {
    const labels = op === null ? null : labelTable(op, p, seed)
    const n = c.nOut
    const width = Math.max(1, Math.min(n, Math.floor(o.mapClasses ?? n)))
    const squares = new Float64Array(p * p)
    const logitSpectra = pairSpectraSink(p, n)
    const actSpectra = pairSpectraSink(p, c.dMlp)
    const full = labels === null ? null : crossEntropySink(labels, p, n)
    let keyLosses: ReturnType<typeof keyLossesSink> | null = null
    // Pass 0 takes the spectra (and the full loss); pass 1 the key frequencies' losses, which need the selection made
    // from pass 0; every pass one block of `width` classes of the logits map.
    const passes = Math.max(Math.ceil(n / width), labels === null ? 1 : 2)
    for (let pass = 0; pass < passes; pass++) {
      const from = pass * width
      const block = from < n ? fourierMapBlock(p, n, from, Math.min(n, from + width)) : null
      if (pass === 1 && labels !== null) {
        keyLosses = timed('key_frequencies', () => {
          const s = logitSpectra.spectra()
          return keyLossesSink(s, keySelection(s, labels, full!.mean(), o.keyRule ?? DEFAULT_KEY_RULE), labels)
        })
      }
      const losses: RowSink | null = pass === 1 ? keyLosses : null
      // The forward passes' time is the pass's less what the analyses took of it.
      let analysed = 0
      const t0 = o.now()
      forEachPairRow(c, host, p, i, o.chunk ?? Infinity, (a, logits, acts) => {
        const v0 = o.now()
        if (block !== null) timed('logits_map', () => block.addRow(a, logits))
        if (pass === 0) {
          timed('key_frequencies', () => {
            logitSpectra.addRow(a, logits)
            full?.addRow(a, logits)
          })
          timed('neurons', () => actSpectra.addRow(a, acts))
        }
        if (losses !== null) timed('key_frequencies', () => losses.addRow(a, logits))
        analysed += o.now() - v0
      })
      timingsMs['forward_all_pairs'] = (timingsMs['forward_all_pairs'] ?? 0) + o.now() - t0 - analysed
      if (block !== null) timed('logits_map', () => block.addSquaresTo(squares))
    }
    const map = timed('logits_map', () => mapOfSquares(squares, p))
    return {
      op: id,
      logitsMap: map.data,
      asymmetry: asymmetry(map),
      keyFrequencies: keyLosses === null ? null : timed('key_frequencies', () => keyLosses.analysis()),
      neurons: timed('neurons', () => neuronFrequenciesOf(actSpectra.spectra())),
    }
  })
  return { p, additive, multiplicative, weightNorms: norms, perOp, timingsMs }
}

/** One line per operation whose key frequencies do not carry its answer (`keyWarning`): `<op>: the restricted loss … (more than 2×): …`. */
export const keyWarnings = (a: ModelAnalysis): ReadonlyArray<string> =>
  a.perOp.flatMap((o) => {
    const warning = o.keyFrequencies === null ? null : keyWarning(o.keyFrequencies)
    return warning === null ? [] : [`${o.op}: ${warning}`]
  })

// ─────────────────────────────────────────────────────────────────────────────
// the JSON document
// ─────────────────────────────────────────────────────────────────────────────

const multJson = (m: MultiplicativeMeasure | undefined): SpectrumJson['multiplicative'] =>
  m === undefined ? null : { ffd: m.ffd, fcr: m.fcr, cos_norms: Array.from(m.spectrum.cos), sin_norms: Array.from(m.spectrum.sin) }

const spectrumJson = (m: MatrixMeasures, mult: MultiplicativeMeasure | undefined): SpectrumJson => ({
  ffd: m.ffd,
  fcr: m.fcr,
  eta: m.eta,
  constant_norm: m.spectrum.constant,
  cos_norms: Array.from(m.spectrum.cos),
  sin_norms: Array.from(m.spectrum.sin),
  multiplicative: multJson(mult),
})

const rows2d = (data: Float64Array, p: number): number[][] =>
  Array.from({ length: p }, (_, i) => Array.from(data.subarray(i * p, (i + 1) * p)))

/** An analysis as the `analyze --json` document; `file` names the model it was read from. */
export const analysisDocument = (file: string, a: ModelAnalysis): AnalysisDocument => ({
  file,
  p: a.p,
  ops: a.perOp.map((o) => o.op),
  embedding: spectrumJson(a.additive.W_E, a.multiplicative?.W_E),
  neuron_logit_map: spectrumJson(a.additive.W_L, a.multiplicative?.W_L),
  multiplicative_generator: a.multiplicative?.generator ?? null,
  weight_norms: { per_matrix: a.weightNorms.perMatrix, total: a.weightNorms.total },
  per_op: a.perOp.map((o) => {
    const kf = o.keyFrequencies
    return {
      op: o.op,
      logits_map: { names: [...fourierBasis(a.p).names], norms: rows2d(o.logitsMap, a.p) },
      asymmetry: o.asymmetry,
      key_frequencies:
        kf === null
          ? null
          : {
              rule: showKeyRule(kf.rule),
              key: [...kf.key],
              warning: keyWarning(kf),
              warn_factor: kf.warnFactor,
              prefix_losses: [...kf.prefixLosses],
              energy: Array.from(kf.energy),
              softmax_energy: Array.from(kf.softmaxEnergy),
              losses: {
                all: kf.losses.all,
                key_only: kf.losses.keyOnly,
                non_key_only: kf.losses.nonKeyOnly,
                residual_only: kf.losses.residualOnly,
                key_and_non_key: kf.losses.keyAndNonKey,
                key_and_residual: kf.losses.keyAndResidual,
                non_key_and_residual: kf.losses.nonKeyAndResidual,
              },
              ablated: Array.from(kf.ablated),
              dependent: [...kf.dependent],
            },
      neurons: {
        frequency: Array.from(o.neurons.frequency),
        fraction: Array.from(o.neurons.fraction),
        counts: Array.from(o.neurons.counts),
      },
    }
  }),
  timings_ms: a.timingsMs,
})

/**
 * The whole `grokscope analyze --json` document of a decoded weights file, in one
 * call: the task comes from the file's `config` (see `modelTask`). `Left` names what
 * in the file does not fit, or a listed key frequency the modulus does not have.
 */
export const analyzeWeights = (w: WeightsFile, o: AnalysisOptions & { readonly file?: string }): E.Either<string, AnalysisDocument> =>
  E.chain((task: ModelTask) =>
    E.map((keyRule: KeyRule) =>
      analysisDocument(o.file ?? '', analyzeModel(w.config, w.host, task.p, task.ops, task.seed, { ...o, keyRule })),
    )(keyRuleFor(o.keyRule ?? DEFAULT_KEY_RULE, task.p)),
  )(modelTask(w))

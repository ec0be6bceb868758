// grokscope analyze: every analysis of a trained model (see analysis.ts), as a readable summary or one JSON document.
import { type MatrixMeasures, cosSinRatio } from '@grokscope/measures'
import { type ModelAnalysis, analyzeModel, basisNames } from '../analysis.js'
import { initBackend } from '../backend.js'
import { fixed, table } from '../format.js'
import { loadModel } from '../model-file.js'

const spectrumJson = (m: MatrixMeasures) => ({
  ffd: m.ffd,
  fcr: m.fcr,
  eta: m.eta,
  constant_norm: m.spectrum.constant,
  cos_norms: Array.from(m.spectrum.cos),
  sin_norms: Array.from(m.spectrum.sin),
})

const multJson = (m: { ffd: number; fcr: number; cos: Float64Array; sin: Float64Array } | undefined) =>
  m === undefined ? null : { ffd: m.ffd, fcr: m.fcr, cos_norms: Array.from(m.cos), sin_norms: Array.from(m.sin) }

const rows2d = (data: Float64Array, p: number): number[][] => Array.from({ length: p }, (_, i) => Array.from(data.subarray(i * p, (i + 1) * p)))

/** The JSON document (schema in the README). */
export const analysisJson = (file: string, ops: ReadonlyArray<string>, a: ModelAnalysis) => ({
  file,
  p: a.p,
  ops,
  embedding: { ...spectrumJson(a.additive.W_E), multiplicative: multJson(a.multiplicative?.W_E) },
  neuron_logit_map: { ...spectrumJson(a.additive.W_L), multiplicative: multJson(a.multiplicative?.W_L) },
  multiplicative_generator: a.multiplicative?.generator ?? null,
  weight_norms: { per_matrix: a.weightNorms.perMatrix, total: a.weightNorms.total },
  per_op: a.perOp.map((o) => ({
    op: o.op,
    logits_map: { names: basisNames(a.p), norms: rows2d(o.logitsMap, a.p) },
    asymmetry: o.asymmetry,
    key_frequencies:
      o.keyFrequencies === null
        ? null
        : {
            threshold: o.keyFrequencies.threshold,
            key: o.keyFrequencies.key,
            energy: Array.from(o.keyFrequencies.energy),
            losses: {
              all: o.keyFrequencies.losses.all,
              key_only: o.keyFrequencies.losses.keyOnly,
              non_key_only: o.keyFrequencies.losses.nonKeyOnly,
              residual_only: o.keyFrequencies.losses.residualOnly,
              key_and_non_key: o.keyFrequencies.losses.keyAndNonKey,
              key_and_residual: o.keyFrequencies.losses.keyAndResidual,
              non_key_and_residual: o.keyFrequencies.losses.nonKeyAndResidual,
            },
            ablated: Array.from(o.keyFrequencies.ablated),
            dependent: o.keyFrequencies.dependent,
          },
    neurons: { frequency: Array.from(o.neurons.frequency), fraction: Array.from(o.neurons.fraction), counts: Array.from(o.neurons.counts) },
  })),
  timings_ms: a.timingsMs,
})

const summary = (file: string, ops: ReadonlyArray<string>, a: ModelAnalysis, eta: number, top: number): string => {
  const { W_E, W_L } = a.additive
  const mult = a.multiplicative
  const multCells = (m: { ffd: number; fcr: number } | undefined) => (m === undefined ? ['—', '—'] : [fixed(m.ffd), fixed(m.fcr)])
  const norm = (m: MatrixMeasures, i: number) => Math.hypot(m.spectrum.cos[i]!, m.spectrum.sin[i]!)
  const order = Array.from(W_E.spectrum.cos, (_, i) => i).sort((x, y) => norm(W_E, y) - norm(W_E, x))
  const out = [
    `${file}: p = ${a.p}, operations: ${ops.join(', ') || '(not recorded)'}`,
    '',
    table(
      ['matrix', `FFD (η=${eta})`, 'FCR', `FFD mult. (g=${mult?.generator ?? '—'})`, 'FCR mult.'],
      [
        ['W_E[0:p]', fixed(W_E.ffd), fixed(W_E.fcr), ...multCells(mult?.W_E)],
        ['W_L = (W_out·W_U)ᵀ', fixed(W_L.ffd), fixed(W_L.fcr), ...multCells(mult?.W_L)],
      ],
    ),
    '',
    `Top ${top} frequencies of W_E by √(μ²+ν²) (μ_k = cos k, ν_k = sin k; all of them with --json):`,
    table(
      ['k', 'W_E cos', 'W_E sin', 'cos/sin ratio', 'W_L cos', 'W_L sin'],
      order.slice(0, top).map((i) => [
        String(i + 1),
        fixed(W_E.spectrum.cos[i]!),
        fixed(W_E.spectrum.sin[i]!),
        fixed(cosSinRatio(W_E.spectrum.cos[i]!, W_E.spectrum.sin[i]!)),
        fixed(W_L.spectrum.cos[i]!),
        fixed(W_L.spectrum.sin[i]!),
      ]),
    ),
    '',
    `Weight norms: total ${fixed(a.weightNorms.total, 3)}; ${Object.entries(a.weightNorms.perMatrix)
      .map(([k, v]) => `${k} ${fixed(v, 3)}`)
      .join(', ')}`,
  ]
  for (const o of a.perOp) {
    out.push('', `Operation ${o.op}: logits on all ${a.p * a.p} pairs in the 2-D Fourier basis; asymmetry ‖M−Mᵀ‖/‖M‖ = ${fixed(o.asymmetry)}`)
    const kf = o.keyFrequencies
    if (kf === null) out.push('  key frequencies: labels unknown for this operation')
    else {
      out.push(`  key frequencies (energy > ${kf.threshold} of the largest): ${kf.key.join(', ') || 'none'}; dependent (ablation raises the loss by > 1e-9): ${kf.dependent.join(', ') || 'none'}`)
      const l = kf.losses
      out.push(
        table(
          ['  logits kept (with the constant)', 'loss'],
          [
            ['  all', l.all.toExponential(4)],
            ['  key only (restricted)', l.keyOnly.toExponential(4)],
            ['  non-key only', l.nonKeyOnly.toExponential(4)],
            ['  residual only', l.residualOnly.toExponential(4)],
            ['  key + non-key', l.keyAndNonKey.toExponential(4)],
            ['  key + residual', l.keyAndResidual.toExponential(4)],
            ['  non-key + residual', l.nonKeyAndResidual.toExponential(4)],
          ],
        ),
      )
    }
    const counts = Array.from(o.neurons.counts)
      .map((n, k) => [k, n] as const)
      .filter(([k, n]) => k > 0 && n > 0)
      .sort((x, y) => y[1] - x[1])
    const meanFraction = o.neurons.fraction.reduce((s, f) => s + f, 0) / o.neurons.fraction.length
    out.push(
      `  neurons by dominant frequency: ${counts.map(([k, n]) => `k=${k}: ${n}`).join(', ')}${o.neurons.counts[0]! > 0 ? `; dead: ${o.neurons.counts[0]}` : ''}; mean variance explained ${fixed(meanFraction, 3)}`,
    )
  }
  out.push('', `Timings (ms): ${Object.entries(a.timingsMs).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`)
  return out.join('\n')
}

export const analyzeCommand = async (target: string, o: { eta: number; json?: boolean; top: number }): Promise<void> => {
  const model = loadModel(target)
  await initBackend()
  const nOps = model.config.dVocab - model.p
  const ops = Array.from({ length: nOps }, (_, i) => ({ id: model.opIds[i] ?? `op${i}`, op: model.ops[i] ?? null }))
  const seed = typeof model.meta.seed === 'number' ? model.meta.seed : 0
  const a = analyzeModel(model.config, model.host, model.p, ops, { eta: o.eta, seed })
  const ids = ops.map((x) => x.id)
  process.stdout.write(o.json === true ? `${JSON.stringify(analysisJson(model.file, ids, a))}\n` : `${summary(model.file, ids, a, o.eta, o.top)}\n`)
}

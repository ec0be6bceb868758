// grokscope analyze: every analysis of a trained model (@grokscope/analysis), as a readable summary or one JSON document.
import { type ModelAnalysis, analysisDocument } from '@grokscope/analysis'
import { type KeyRule, type MatrixMeasures, cosSinRatio, describeKeyRule, keyWarning } from '@grokscope/measures'
import { analyzeLoadedModel, divergedNote, loadModel, modelSource } from '@grokscope/node'
import { fixed, table, warn } from '../format.js'
import { whileDoing } from '../progress.js'

const summary = (file: string, ops: ReadonlyArray<string>, note: string | null, a: ModelAnalysis, eta: number, top: number): string => {
  const { W_E, W_L } = a.additive
  const mult = a.multiplicative
  const multCells = (m: { ffd: number; fcr: number } | undefined) => (m === undefined ? ['—', '—'] : [fixed(m.ffd), fixed(m.fcr)])
  const norm = (m: MatrixMeasures, i: number) => Math.hypot(m.spectrum.cos[i]!, m.spectrum.sin[i]!)
  const order = Array.from(W_E.spectrum.cos, (_, i) => i).sort((x, y) => norm(W_E, y) - norm(W_E, x))
  const out = [
    `${file}: p = ${a.p}, operations: ${ops.join(', ') || '(not recorded)'}`,
    ...(note === null ? [] : [note]),
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
    out.push(
      '',
      `Operation ${o.op}: logits on all ${a.p * a.p} pairs in the 2-D Fourier basis; asymmetry ‖M−Mᵀ‖/‖M‖ = ${fixed(o.asymmetry)}`,
    )
    const kf = o.keyFrequencies
    if (kf === null) out.push('  key frequencies: labels unknown for this operation')
    else {
      out.push(
        `  key frequencies (${describeKeyRule(kf.rule)}): ${kf.key.join(', ') || 'none'}; ` +
          `dependent (ablation raises the loss by > 1e-9): ${kf.dependent.join(', ') || 'none'}`,
      )
      if (kf.prefixLosses.length > 0) {
        out.push(
          `  restricted loss as the frequencies are added by energy (constant only first): ` +
            `${kf.prefixLosses.map((l) => l.toExponential(2)).join(', ')}`,
        )
      }
      const warning = keyWarning(kf)
      if (warning !== null) out.push(`  warning: ${warning}`)
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
      `  neurons by dominant frequency: ${counts.map(([k, n]) => `k=${k}: ${n}`).join(', ')}` +
        `${o.neurons.counts[0]! > 0 ? `; dead: ${o.neurons.counts[0]}` : ''}; mean variance explained ${fixed(meanFraction, 3)}`,
    )
  }
  out.push('', `Timings (ms): ${Object.entries(a.timingsMs).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`)
  return out.join('\n')
}

export const analyzeCommand = async (
  target: string,
  o: { eta: number; json?: boolean; top: number; memory?: number; keyFreqs: KeyRule; step?: number | undefined; progress: boolean },
): Promise<void> => {
  const model = loadModel(modelSource(target, o.step))
  const a = await whileDoing(process.stderr, o.progress, `analyze: evaluating the model on all ${model.task.p}² pairs`, () =>
    analyzeLoadedModel(model, {
      eta: o.eta,
      keyRule: o.keyFreqs,
      ...(o.memory === undefined ? {} : { memoryMiB: o.memory }),
      onWarning: warn,
    }),
  )
  const ids = model.task.ops.map((x) => x.id)
  process.stdout.write(
    o.json === true ? `${JSON.stringify(analysisDocument(model.file, a))}\n` : `${summary(model.file, ids, divergedNote(model), a, o.eta, o.top)}\n`,
  )
}

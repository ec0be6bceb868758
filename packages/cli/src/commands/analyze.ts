// grokscope analyze: spectra, FFD and FCR of a trained model's W_E and W_L.
import type { MatrixMeasures } from '@grokscope/measures'
import { fixed, table } from '../format.js'
import { measureModel } from '../measure.js'
import { loadModel } from '../model-file.js'

const asJson = (m: MatrixMeasures) => ({
  ffd: m.ffd,
  fcr: m.fcr,
  eta: m.eta,
  constant_norm: m.spectrum.constant,
  cos_norms: Array.from(m.spectrum.cos),
  sin_norms: Array.from(m.spectrum.sin),
})

export const analyzeCommand = (target: string, o: { eta: number; json?: boolean }): void => {
  const model = loadModel(target)
  const m = measureModel(model.config, model.host, model.p, o.eta)
  if (o.json === true) {
    const doc = { file: model.file, p: model.p, ops: model.opIds, embedding: asJson(m.W_E), neuron_logit_map: asJson(m.W_L) }
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`)
    return
  }
  const K = m.W_E.spectrum.cos.length
  const rows = Array.from({ length: K }, (_, i) => [
    String(i + 1),
    fixed(m.W_E.spectrum.cos[i]!),
    fixed(m.W_E.spectrum.sin[i]!),
    fixed(m.W_L.spectrum.cos[i]!),
    fixed(m.W_L.spectrum.sin[i]!),
  ])
  const out = [
    `${model.file}: p = ${model.p}, operations: ${model.opIds.join(', ') || '(not recorded)'}`,
    '',
    table(
      ['matrix', `FFD (η=${o.eta})`, 'FCR'],
      [
        ['W_E[0:p]', fixed(m.W_E.ffd), fixed(m.W_E.fcr)],
        ['W_L = (W_out·W_U)ᵀ', fixed(m.W_L.ffd), fixed(m.W_L.fcr)],
      ],
    ),
    '',
    'Fourier norms per frequency k (μ_k = cos k, ν_k = sin k):',
    table(['k', 'W_E cos', 'W_E sin', 'W_L cos', 'W_L sin'], rows),
  ]
  process.stdout.write(`${out.join('\n')}\n`)
}

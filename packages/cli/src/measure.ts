// The paper's measures of a model's weights, on host copies.
import { type MatrixMeasures, matrix, weightMeasures } from '@grokscope/measures'
import type { HostParams, HostTensor, ModelConfig } from '@grokscope/model'

/** A 2-D host weight as a float64 matrix. */
export const asMatrix = (w: HostTensor) => matrix(w.shape[0]!, w.shape[1]!, w.data)

/** FFD/FCR and spectra of `W_E[0:p]` and `W_L = (W_out · W_U)ᵀ` (the last block's `W_out`). */
export const measureModel = (
  c: ModelConfig,
  host: HostParams,
  p: number,
  eta?: number,
): { readonly W_E: MatrixMeasures; readonly W_L: MatrixMeasures } =>
  weightMeasures(
    p,
    asMatrix(host['embed.W_E']!),
    asMatrix(host[`blocks.${c.nLayers - 1}.mlp.W_out`]!),
    asMatrix(host['unembed.W_U']!),
    eta,
  )

/** The scalar measures only, rounded for logs. */
export const brief = (m: { readonly W_E: MatrixMeasures; readonly W_L: MatrixMeasures }) => ({
  W_E: { ffd: round(m.W_E.ffd), fcr: round(m.W_E.fcr) },
  W_L: { ffd: round(m.W_L.ffd), fcr: round(m.W_L.fcr) },
})

export const round = (x: number, digits = 6): number => Number(x.toFixed(digits))

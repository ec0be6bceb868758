// Deterministic synthetic inputs for the figures (no training): a grokking-shaped run's metrics from step 0,
// a spectrum with three peaks and a logits map in the 2-D Fourier basis.
import type { MetricsRecord } from '@grokscope/runs'

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x))

/** The basis rows' names at p: const, cos 1, sin 1, …. */
export const basisNames = (p: number): string[] => [
  'const',
  ...Array.from({ length: (p - 1) / 2 }, (_, k) => [`cos ${k + 1}`, `sin ${k + 1}`]).flat(),
]

/**
 * A run that memorises by `mem`, groks at about `grok` and is evaluated every `every` steps from 0 to `steps`;
 * all-pairs measures every 500 steps from 500.
 */
export const syntheticRecords = (o: {
  readonly steps: number
  readonly every: number
  readonly mem: number
  readonly grok: number
  readonly op?: string
}): MetricsRecord[] => {
  const out: MetricsRecord[] = []
  let grokStep: number | null = null
  for (let step = 0; step <= o.steps; step += o.every) {
    const train_acc = 0.02 + 0.98 * sigmoid((step - o.mem / 2) / (o.mem / 8))
    const test_acc = 0.02 + 0.98 * sigmoid((step - o.grok) / (o.grok / 12))
    if (grokStep === null && test_acc >= 0.99) grokStep = step
    const train_loss = 4.6 * Math.exp(-step / (o.mem / 5)) + 1e-4
    const test_loss =
      4.6 * (1 - sigmoid((step - o.grok) / (o.grok / 10))) + 0.5 * sigmoid((step - o.mem) / 50) * (1 - sigmoid((step - o.grok) / 100)) +
      2e-4
    const ffd = 0.2 + 0.8 * (1 - sigmoid((step - o.grok * 0.8) / 80))
    out.push({
      step,
      train_loss,
      train_acc,
      test_loss,
      test_acc,
      W_E: {
        ffd,
        fcr: 0.55 + 0.4 * sigmoid((step - o.grok) / 150),
        ffd_mult: 1,
        fcr_mult: 0.3,
        gini: 0.1 + 0.6 * sigmoid((step - o.grok) / 150),
      },
      W_L: {
        ffd: Math.min(1, ffd + 0.05),
        fcr: 0.5 + 0.3 * sigmoid((step - o.grok) / 150),
        ffd_mult: 1,
        fcr_mult: 0.35,
        gini: 0.2 + 0.5 * sigmoid((step - o.grok) / 150),
      },
      weight_norm: 40 - 12 * sigmoid((step - o.grok) / 200) + 3 * sigmoid((step - o.mem) / 40),
      ...(step >= 500 && step % 500 === 0
        ? {
            logits: {
              [o.op ?? 'add']: {
                asymmetry: 0.05,
                key: [4, 9, 14],
                n_key: 3,
                restricted_loss: 0.9 * Math.exp(-step / 600),
                full_loss: test_loss * 0.6,
                train_loss,
                excluded_loss: 4 - 2 * Math.exp(-step / 900),
                excluded: [3, 3, 3],
              },
            },
          }
        : {}),
      grok_step: grokStep,
      elapsed_s: step / 100,
      num_tensors: 100,
    })
  }
  return out
}

/** A spectrum at p with peaks at 4, 9 and 14 over a small floor. */
export const syntheticSpectrum = (p: number): { readonly cos: number[]; readonly sin: number[] } => {
  const K = (p - 1) / 2
  const peak = (k: number) => ([4, 9, 14].includes(k) ? 6 - k / 5 : 0.3 + 0.2 * Math.abs(Math.sin(k)))
  return {
    cos: Array.from({ length: K }, (_, i) => peak(i + 1)),
    sin: Array.from({ length: K }, (_, i) => peak(i + 1) * (0.8 + 0.1 * Math.cos(i))),
  }
}

/**
 * A p × p logits map in the 2-D basis: large on the const row/column and the key frequencies' diagonal blocks, 4
 * decades below elsewhere.
 */
export const syntheticLogitsMap = (p: number): Float64Array => {
  const key = new Set([4, 9, 14])
  const freq = (i: number) => Math.ceil(i / 2)
  return Float64Array.from({ length: p * p }, (_, n) => {
    const [i, j] = [Math.floor(n / p), n % p]
    if (i === 0 && j === 0) return 1000
    if (freq(i) === freq(j) && key.has(freq(i))) return 300 / (1 + (i % 2))
    return 10 ** (-1 + 2 * Math.abs(Math.sin(i * 7 + j * 3)))
  })
}

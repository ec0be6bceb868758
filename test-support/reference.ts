// A straightforward float64 Transformer in plain TypeScript, written from SPEC §2
// like ../shared/reference/fixture_forward.py: every position, full causal
// attention, no shortcuts. The optimised tfjs model is tested against it.
import type { HostParams, ModelConfig } from '@grokscope/model'

type Mat = number[][]

/** Weights by TransformerLens name, in any precision. */
export type RefWeights = Readonly<Record<string, { readonly shape: ReadonlyArray<number>; readonly data: ArrayLike<number> }>>

const get = (host: RefWeights, name: string): { shape: ReadonlyArray<number>; data: ArrayLike<number> } => {
  const w = host[name]
  if (w === undefined) throw new Error(`reference: ${name} missing`)
  return w
}

const matmul = (a: Mat, b: Mat): Mat => a.map((row) => b[0]!.map((_, j) => row.reduce((s, x, k) => s + x * b[k]![j]!, 0)))
const add = (a: Mat, b: Mat): Mat => a.map((row, i) => row.map((x, j) => x + b[i]![j]!))
const rows = (data: ArrayLike<number>, r: number, c: number, offset = 0): Mat =>
  Array.from({ length: r }, (_, i) => Array.from({ length: c }, (_, j) => data[offset + i * c + j]!))
const gelu = (x: number): number => 0.5 * x * (1 + erf(x / Math.SQRT2))
const erf = (x: number): number => {
  // Abramowitz–Stegun 7.1.26 is too coarse for gradient checks; use the series / continued fraction.
  const t = Math.abs(x)
  if (t < 3) {
    let sum = t
    let term = t
    for (let n = 1; n < 100; n++) {
      term *= (-t * t) / n
      sum += term / (2 * n + 1)
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum
  }
  let f = 0
  for (let n = 60; n >= 1; n--) f = (n / 2) / (t + f)
  return Math.sign(x) * (1 - Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + f))
}

/** Logits `[batch][n_out]` at the last position, in float64, for token rows `[batch][n_ctx]`. */
export const referenceLogits = (c: ModelConfig, host: RefWeights, tokens: ReadonlyArray<ReadonlyArray<number>>): Mat => {
  const { dModel: d, nHeads: H, dHead: dh, dMlp: m } = c
  const WE = get(host, 'embed.W_E').data
  return tokens.map((seq) => {
    let x: Mat = seq.map((tok, pos) =>
      Array.from({ length: d }, (_, j) => WE[tok * d + j]! + (c.positionalEmbedding ? get(host, 'pos_embed.W_pos').data[pos * d + j]! : 0)),
    )
    for (let l = 0; l < c.nLayers; l++) {
      const W = (n: string) => get(host, `blocks.${l}.${n}`).data
      const attn: Mat = x.map(() => new Array<number>(d).fill(0))
      for (let h = 0; h < H; h++) {
        const q = matmul(x, rows(W('attn.W_Q'), d, dh, h * d * dh))
        const k = matmul(x, rows(W('attn.W_K'), d, dh, h * d * dh))
        const v = matmul(x, rows(W('attn.W_V'), d, dh, h * d * dh))
        const z = q.map((qi, i) => {
          const s = k.slice(0, i + 1).map((kj) => kj.reduce((acc, y, e) => acc + y * qi[e]!, 0) / Math.sqrt(dh))
          const mx = Math.max(...s)
          const ex = s.map((y) => Math.exp(y - mx))
          const tot = ex.reduce((a, b) => a + b, 0)
          return Array.from({ length: dh }, (_, e) => ex.reduce((acc, w, j) => acc + (w / tot) * v[j]![e]!, 0))
        })
        const out = matmul(z, rows(W('attn.W_O'), dh, d, h * dh * d))
        out.forEach((row, i) => row.forEach((y, j) => (attn[i]![j]! += y)))
      }
      x = add(x, attn)
      const pre = matmul(x, rows(W('mlp.W_in'), d, m))
      const post = pre.map((row) => row.map((y) => (c.act === 'relu' ? Math.max(y, 0) : gelu(y))))
      x = add(x, matmul(post, rows(W('mlp.W_out'), m, d)))
    }
    return matmul([x[x.length - 1]!], rows(get(host, 'unembed.W_U').data, d, c.nOut))[0]!
  })
}

/** Mean cross-entropy in float64, accurate for tiny losses (`m + log1p(expm1(−m) + Σ_{j≠y} e^{z_j − m})`). */
export const referenceLoss = (logits: Mat, labels: ReadonlyArray<number>): number =>
  logits.reduce((acc, row, i) => {
    const y = labels[i]!
    const z = row.map((l) => l - row[y]!)
    const m = Math.max(0, ...z.filter((_, j) => j !== y))
    return acc + m + Math.log1p(Math.expm1(-m) + z.reduce((s, zj, j) => s + (j === y ? 0 : Math.exp(zj - m)), 0))
  }, 0) / logits.length

/** Host weights as mutable float64 copies, for finite differences. */
export const toFloat64 = (host: HostParams): Record<string, { shape: ReadonlyArray<number>; data: Float64Array }> =>
  Object.fromEntries(Object.entries(host).map(([k, w]) => [k, { shape: w.shape, data: Float64Array.from(w.data) }]))

/** Central differences `(f(x+h) − f(x−h)) / 2h` of `f` for every entry of `data` (restored after each). */
export const finiteDifferences = (data: Float64Array, f: () => number, h: number): number[] =>
  Array.from(data, (x, i) => {
    data[i] = x + h
    const up = f()
    data[i] = x - h
    const down = f()
    data[i] = x
    return (up - down) / (2 * h)
  })

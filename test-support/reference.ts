// A straightforward float64 Transformer in plain TypeScript, written from
// docs/SCIENCE.md §2 (as is python/grokscope_torch.py's model): every position, full
// causal attention, no shortcuts. The optimised tfjs model is tested against it, and
// `referenceRunWithCache` gives its activations under TransformerLens hook names
// to check `runWithCache` by.
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

type Nested = number | Nested[]

/** Receives each activation of one sequence by TransformerLens hook name (shapes without the batch axis). */
type Record1 = (name: string, value: Nested) => void

const softmax = (row: ReadonlyArray<number>): number[] => {
  const mx = Math.max(...row)
  const ex = row.map((y) => Math.exp(y - mx))
  const tot = ex.reduce((a, b) => a + b, 0)
  return ex.map((w) => w / tot)
}

/** `[H][T][e]` → `[T][H][e]`. */
const positionsFirst = (perHead: ReadonlyArray<Mat>): number[][][] => perHead[0]!.map((_, i) => perHead.map((m) => m[i]!))

/**
 * One sequence through the model at every position; returns the final stream `[pos][d_model]`.
 * `record`, when given, sees every activation under its TransformerLens name.
 */
const run = (c: ModelConfig, host: RefWeights, seq: ReadonlyArray<number>, record?: Record1): Mat => {
  const { dModel: d, nHeads: H, dHead: dh, dMlp: m } = c
  const hook: Record1 = record ?? (() => undefined)
  const WE = get(host, 'embed.W_E').data
  const embed: Mat = seq.map((tok) => Array.from({ length: d }, (_, j) => WE[tok * d + j]!))
  hook('hook_embed', embed)
  let x = embed
  if (c.positionalEmbedding) {
    const pos = rows(get(host, 'pos_embed.W_pos').data, seq.length, d)
    hook('hook_pos_embed', pos)
    x = add(x, pos)
  }
  for (let l = 0; l < c.nLayers; l++) {
    const W = (n: string) => get(host, `blocks.${l}.${n}`).data
    hook(`blocks.${l}.hook_resid_pre`, x)
    const attn: Mat = x.map(() => new Array<number>(d).fill(0))
    const heads: { q: Mat; k: Mat; v: Mat; scores: Mat; pattern: Mat; z: Mat }[] = []
    for (let h = 0; h < H; h++) {
      const q = matmul(x, rows(W('attn.W_Q'), d, dh, h * d * dh))
      const k = matmul(x, rows(W('attn.W_K'), d, dh, h * d * dh))
      const v = matmul(x, rows(W('attn.W_V'), d, dh, h * d * dh))
      // scaled scores, -Infinity where the key comes after the query (TransformerLens's IGNORE)
      const scores = q.map((qi, i) =>
        k.map((kj, j) => (j <= i ? kj.reduce((acc, y, e) => acc + y * qi[e]!, 0) / Math.sqrt(dh) : -Infinity)),
      )
      const pattern = scores.map(softmax)
      const z = pattern.map((pi) => Array.from({ length: dh }, (_, e) => pi.reduce((acc, w, j) => acc + w * v[j]![e]!, 0)))
      const out = matmul(z, rows(W('attn.W_O'), dh, d, h * dh * d))
      out.forEach((row, i) => row.forEach((y, j) => (attn[i]![j]! += y)))
      heads.push({ q, k, v, scores, pattern, z })
    }
    if (record !== undefined) {
      record(`blocks.${l}.attn.hook_q`, positionsFirst(heads.map((t) => t.q)))
      record(`blocks.${l}.attn.hook_k`, positionsFirst(heads.map((t) => t.k)))
      record(`blocks.${l}.attn.hook_v`, positionsFirst(heads.map((t) => t.v)))
      record(`blocks.${l}.attn.hook_attn_scores`, heads.map((t) => t.scores))
      record(`blocks.${l}.attn.hook_pattern`, heads.map((t) => t.pattern))
      record(`blocks.${l}.attn.hook_z`, positionsFirst(heads.map((t) => t.z)))
    }
    hook(`blocks.${l}.hook_attn_out`, attn)
    const mid = add(x, attn)
    hook(`blocks.${l}.hook_resid_mid`, mid)
    const pre = matmul(mid, rows(W('mlp.W_in'), d, m))
    hook(`blocks.${l}.mlp.hook_pre`, pre)
    const post = pre.map((row) => row.map((y) => (c.act === 'relu' ? Math.max(y, 0) : gelu(y))))
    hook(`blocks.${l}.mlp.hook_post`, post)
    const mlpOut = matmul(post, rows(W('mlp.W_out'), m, d))
    hook(`blocks.${l}.hook_mlp_out`, mlpOut)
    x = add(mid, mlpOut)
    hook(`blocks.${l}.hook_resid_post`, x)
  }
  return x
}

/** Logits `[batch][n_out]` at the last position, in float64, for token rows `[batch][n_ctx]`. */
export const referenceLogits = (c: ModelConfig, host: RefWeights, tokens: ReadonlyArray<ReadonlyArray<number>>): Mat => {
  const WU = rows(get(host, 'unembed.W_U').data, c.dModel, c.nOut)
  return tokens.map((seq) => {
    const x = run(c, host, seq)
    return matmul([x[x.length - 1]!], WU)[0]!
  })
}

/** A float64 tensor: shape and row-major values. */
export interface RefTensor {
  readonly shape: ReadonlyArray<number>
  readonly data: Float64Array
}

const pack = (batch: Nested[]): RefTensor => {
  const shape: number[] = []
  for (let x: Nested = batch; Array.isArray(x); x = x[0]!) shape.push(x.length)
  const data: number[] = []
  const walk = (x: Nested): void => (Array.isArray(x) ? x.forEach(walk) : void data.push(x))
  walk(batch)
  return { shape, data: Float64Array.from(data) }
}

/**
 * Every activation by TransformerLens hook name, `[batch, …]` as `runWithCache` returns
 * them, and the logits at every position (`[batch, pos, n_out]`), in float64.
 */
export const referenceRunWithCache = (
  c: ModelConfig,
  host: RefWeights,
  tokens: ReadonlyArray<ReadonlyArray<number>>,
): { readonly logits: RefTensor; readonly cache: Readonly<Record<string, RefTensor>> } => {
  const WU = rows(get(host, 'unembed.W_U').data, c.dModel, c.nOut)
  const cache: Record<string, Nested[]> = {}
  const logits = tokens.map((seq) => matmul(run(c, host, seq, (name, value) => (cache[name] ??= []).push(value)), WU))
  return { logits: pack(logits), cache: Object.fromEntries(Object.entries(cache).map(([name, perExample]) => [name, pack(perExample)])) }
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

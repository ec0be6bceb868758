import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Params } from '@grokscope/model'
import {
  type FilterConfig,
  type OptimizerOptions,
  type Transform,
  type TrainState,
  PAPER_ADAMW,
  addL2,
  constantLr,
  disposeChainState,
  disposeTrainState,
  grokfastEma,
  grokfastMa,
  initTrainState,
  optimizerStep,
  scaleByAdam,
  sgdMomentum,
  warmupLr,
} from '../src/index.js'

// Two weights of different shapes; float64 copies of everything, flattened.
type Vec = ReadonlyArray<number>
type Host = Readonly<Record<string, Vec>>
const SHAPES = { a: [3], b: [2, 2] } as const
const names = Object.keys(SHAPES) as Array<keyof typeof SHAPES>
const f32 = (x: number): number => Math.fround(x)
const tensors = (h: Host): Params => Object.fromEntries(names.map((n) => [n, tf.tensor(h[n]!.map(f32), [...SHAPES[n]])]))
const host = (p: Params): Host => Object.fromEntries(Object.entries(p).map(([n, t]) => [n, Array.from(t.dataSync())]))
const map = (h: Host, f: (x: number, n: string, i: number) => number): Host =>
  Object.fromEntries(Object.entries(h).map(([n, v]) => [n, v.map((x, i) => f(x, n, i))]))

const value = fc.double({ min: -2, max: 2, noNaN: true }).map(f32)
const hostArb: fc.Arbitrary<Host> = fc.record({
  a: fc.array(value, { minLength: 3, maxLength: 3 }),
  b: fc.array(value, { minLength: 4, maxLength: 4 }),
})
const gradSeq = fc.array(hostArb, { minLength: 1, maxLength: 8 })

/** |got − want| ≤ tol·(1 + |want|) for every entry. */
const close = (got: Host, want: Host, tol = 2e-5): void => {
  for (const n of Object.keys(want))
    want[n]!.forEach((w, i) => {
      const g = got[n]![i]!
      if (!(Math.abs(g - w) <= tol * (1 + Math.abs(w)))) throw new Error(`${n}[${i}]: ${g} (expected ${w})`)
    })
}

/** Runs a transformation over a gradient sequence, checking each step's updates against the float64 model `ref`. */
const checkSteps = (tx: Transform, theta: Host, grads: ReadonlyArray<Host>, ref: (g: Host, t: number) => Host, tol?: number): void => {
  const before = tf.memory().numTensors
  const params = tensors(theta)
  let s = tx.init(params)
  grads.forEach((g, i) => {
    const gt = tensors(g)
    const r = tx.update(gt, s, params)
    close(host(r.updates), ref(g, i + 1), tol)
    tf.dispose(Object.values(gt))
    tf.dispose(Object.values(r.updates))
    disposeChainState([s])
    s = r.state
  })
  expect(s.count).toBe(grads.length)
  disposeChainState([s])
  tf.dispose(Object.values(params))
  expect(tf.memory().numTensors).toBe(before)
}

describe('transformations against their formulas in float64, step by step', () => {
  it('scaleByAdam (with a warm-up) is torch.optim.Adam’s step', () => {
    fc.assert(
      fc.property(
        hostArb,
        gradSeq,
        fc.double({ min: 0.5, max: 0.99, noNaN: true }),
        fc.double({ min: 0.9, max: 0.999, noNaN: true }),
        fc.integer({ min: 0, max: 5 }),
        (theta, gs, b1, b2, w) => {
          const lr = warmupLr(1e-2, w)
          let m = map(theta, () => 0)
          let v = map(theta, () => 0)
          checkSteps(scaleByAdam({ beta1: b1, beta2: b2, eps: 1e-8, lr }), theta, gs, (g, t) => {
            m = map(m, (x, n, i) => b1 * x + (1 - b1) * g[n]![i]!)
            v = map(v, (x, n, i) => b2 * x + (1 - b2) * g[n]![i]! ** 2)
            const lrT = 1e-2 * Math.min(1, w === 0 ? 1 : t / w)
            return map(m, (x, n, i) => (lrT / (1 - b1 ** t)) * (x / (Math.sqrt(v[n]![i]!) / Math.sqrt(1 - b2 ** t) + 1e-8)))
          }, 1e-4)
        },
      ),
      { numRuns: 30 },
    )
  })

  it('sgdMomentum is torch.optim.SGD’s step (buffer = first gradient, then μb + g)', () => {
    fc.assert(
      fc.property(hostArb, gradSeq, fc.constantFrom(0, 0.5, 0.9), fc.double({ min: 1e-3, max: 1, noNaN: true }), (theta, gs, mu, lr) => {
        let b: Host | null = null
        checkSteps(sgdMomentum({ momentum: mu, lr: constantLr(lr) }), theta, gs, (g) => {
          if (mu === 0) return map(g, (x) => lr * x)
          const prev = b
          b = prev === null ? g : map(prev, (x, n, i) => mu * x + g[n]![i]!)
          return map(b, (x) => lr * x)
        })
      }),
      { numRuns: 30 },
    )
  })

  it('addL2 adds λθ, except to the excluded weights', () => {
    fc.assert(
      fc.property(hostArb, gradSeq, fc.double({ min: 0, max: 2, noNaN: true }), fc.subarray(names), (theta, gs, rate, exclude) => {
        checkSteps(addL2({ rate, exclude }), theta, gs, (g) =>
          map(g, (x, n, i) => (exclude.includes(n as 'a') ? x : x + rate * theta[n]![i]!)),
        )
      }),
      { numRuns: 30 },
    )
  })

  it('grokfastEma is gradfilter_ema: the first EMA is the first gradient, update g + λ·ema', () => {
    fc.assert(
      fc.property(
        hostArb,
        gradSeq,
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (theta, gs, alpha, lambda) => {
          let ema: Host | null = null
          checkSteps(grokfastEma({ alpha, lambda }), theta, gs, (g) => {
            const prev: Host = ema ?? g
            ema = map(prev, (x, n, i) => alpha * x + (1 - alpha) * g[n]![i]!)
            const e = ema
            return map(g, (x, n, i) => x + lambda * e[n]![i]!)
          })
        },
      ),
      { numRuns: 30 },
    )
  })

  it('grokfastMa is gradfilter_ma: g until the window is full, then g + λ·mean(last w)', () => {
    fc.assert(
      fc.property(
        hostArb,
        fc.array(hostArb, { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 4 }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (theta, gs, w, lambda) => {
          const window: Host[] = []
          checkSteps(grokfastMa({ window: w, lambda }), theta, gs, (g) => {
            window.push(g)
            if (window.length > w) window.shift()
            if (window.length < w) return g
            return map(g, (x, n, i) => x + (lambda * window.reduce((s, h) => s + h[n]![i]!, 0)) / w)
          })
        },
      ),
      { numRuns: 30 },
    )
  })
})

/** The optimiser in float64: filters, then AdamW / Adam (coupled L2) / SGD, warm-up, noDecay, frozen. */
const refOptimizer = (o: OptimizerOptions, theta0: Host, gs: ReadonlyArray<Host>): Host => {
  let theta = theta0
  let m = map(theta, () => 0)
  let v = map(theta, () => 0)
  let buf: Host | null = null
  let ema: Host | null = null
  const window: Host[] = []
  const frozen = (n: string) => o.frozen.includes(n)
  const decays = (n: string) => !(o.noDecay ?? []).includes(n)
  gs.forEach((g0, k) => {
    const t = k + 1
    const lr = o.lr * Math.min(1, (o.warmup ?? 0) === 0 ? 1 : t / o.warmup!)
    let g = g0
    for (const f of o.filters ?? []) {
      if (f.kind === 'grokfast-ema') {
        const cur = g
        ema = map(ema ?? cur, (x, n, i) => f.alpha * x + (1 - f.alpha) * cur[n]![i]!)
        const e = ema
        g = map(cur, (x, n, i) => x + f.lambda * e[n]![i]!)
      } else {
        window.push(g)
        if (window.length > f.window) window.shift()
        if (window.length === f.window) g = map(g, (x, n, i) => x + (f.lambda * window.reduce((s, h) => s + h[n]![i]!, 0)) / f.window)
      }
    }
    const kind = o.kind ?? 'adamw'
    if (kind !== 'adamw') g = map(g, (x, n, i) => x + (decays(n) ? o.weightDecay * theta[n]![i]! : 0))
    const gg = g
    let update: Host
    if (kind === 'sgd') {
      const mu = o.momentum ?? 0
      buf = mu === 0 ? gg : buf === null ? gg : map(buf, (x, n, i) => mu * x + gg[n]![i]!)
      update = map(buf, (x) => lr * x)
    } else {
      m = map(m, (x, n, i) => (frozen(n) ? x : o.beta1 * x + (1 - o.beta1) * gg[n]![i]!))
      v = map(v, (x, n, i) => (frozen(n) ? x : o.beta2 * x + (1 - o.beta2) * gg[n]![i]! ** 2))
      update = map(m, (x, n, i) => (lr / (1 - o.beta1 ** t)) * (x / (Math.sqrt(v[n]![i]!) / Math.sqrt(1 - o.beta2 ** t) + o.eps)))
    }
    theta = map(theta, (x, n, i) => (frozen(n) ? x : x * (kind === 'adamw' && decays(n) ? 1 - lr * o.weightDecay : 1) - update[n]![i]!))
  })
  return theta
}

const filterArb: fc.Arbitrary<FilterConfig> = fc.oneof(
  fc.record({
    kind: fc.constant('grokfast-ema' as const),
    alpha: fc.double({ min: 0, max: 0.99, noNaN: true }),
    lambda: fc.double({ min: 0, max: 3, noNaN: true }),
  }),
  fc.record({
    kind: fc.constant('grokfast-ma' as const),
    window: fc.integer({ min: 1, max: 3 }),
    lambda: fc.double({ min: 0, max: 3, noNaN: true }),
  }),
)
const optionsArb: fc.Arbitrary<OptimizerOptions> = fc.record({
  kind: fc.constantFrom('adamw' as const, 'adam' as const, 'sgd' as const),
  lr: fc.double({ min: 1e-4, max: 1e-2, noNaN: true }),
  weightDecay: fc.double({ min: 0, max: 1, noNaN: true }),
  beta1: fc.constant(0.9),
  beta2: fc.constant(0.98),
  eps: fc.constant(1e-8),
  momentum: fc.constantFrom(0, 0.9),
  warmup: fc.integer({ min: 0, max: 4 }),
  frozen: fc.subarray(names, { maxLength: 1 }),
  noDecay: fc.subarray(names),
  filters: fc.array(filterArb, { maxLength: 1 }),
})

const run = (o: OptimizerOptions, theta: Host, gs: ReadonlyArray<Host>): TrainState => {
  let s = initTrainState(tensors(theta), o)
  for (const g of gs) {
    const gt = tensors(g)
    const next = optimizerStep(o, s, gt)
    tf.dispose(Object.values(gt))
    disposeTrainState(s)
    s = next
  }
  return s
}

describe('optimizerStep', () => {
  it('equals the float64 optimiser for any chain: filter, optimiser, warm-up, weight decay exclusions, frozen weights', () => {
    fc.assert(
      fc.property(optionsArb, hostArb, gradSeq, (o, theta, gs) => {
        const before = tf.memory().numTensors
        const s = run(o, theta, gs)
        close(host(s.params), refOptimizer(o, theta, gs), 1e-4)
        expect(s.step).toBe(gs.length)
        for (const n of o.frozen) expect(host(s.params)[n]).toEqual(theta[n]!.map(f32))
        disposeTrainState(s)
        expect(tf.memory().numTensors).toBe(before)
      }),
      { numRuns: 60 },
    )
  })

  it('the paper’s AdamW gives bit for bit the values of the optimiser before the chain', () => {
    // The AdamW step as it was written before the transformations (packages/train/src/AdamW.ts, 0.1.0).
    const legacy = (o: typeof PAPER_ADAMW, step: number, params: Params, m: Params, v: Params, grads: Params) =>
      tf.tidy(() => {
        const t = step + 1
        const stepSize = o.lr / (1 - o.beta1 ** t)
        const sqrtBc2 = Math.sqrt(1 - o.beta2 ** t)
        const out: Record<string, tf.Tensor>[] = [{}, {}, {}]
        for (const [name, p] of Object.entries(params)) {
          const g = grads[name]!
          const m1 = tf.add(tf.mul(m[name]!, o.beta1), tf.mul(g, 1 - o.beta1))
          const v1 = tf.add(tf.mul(v[name]!, o.beta2), tf.mul(tf.square(g), 1 - o.beta2))
          const denom = tf.add(tf.div(tf.sqrt(v1), sqrtBc2), o.eps)
          out[0]![name] = tf.sub(tf.mul(p, 1 - o.lr * o.weightDecay), tf.mul(tf.div(m1, denom), stepSize))
          out[1]![name] = m1
          out[2]![name] = v1
        }
        return out
      })
    fc.assert(
      fc.property(hostArb, gradSeq, fc.constantFrom(1e-3, 1e-2), fc.constantFrom(0, 0.1, 1), (theta, gs, lr, wd) => {
        const o = { ...PAPER_ADAMW, lr, weightDecay: wd }
        let [p, m, v] = [tensors(theta), tensors(map(theta, () => 0)), tensors(map(theta, () => 0))]
        gs.forEach((g, step) => {
          const gt = tensors(g)
          const [p1, m1, v1] = legacy(o, step, p, m, v, gt)
          tf.dispose([...Object.values(p), ...Object.values(m), ...Object.values(v), ...Object.values(gt)])
          ;[p, m, v] = [p1!, m1!, v1!]
        })
        const s = run(o, theta, gs)
        expect(host(s.params)).toEqual(host(p))
        expect(host(s.opt[0]!.slots.m!)).toEqual(host(m))
        expect(host(s.opt[0]!.slots.v!)).toEqual(host(v))
        disposeTrainState(s)
        tf.dispose([...Object.values(p), ...Object.values(m), ...Object.values(v)])
      }),
      { numRuns: 30 },
    )
  })

  it('a frozen weight keeps its value and its state; the others move', () => {
    const o = { ...PAPER_ADAMW, frozen: ['a'], filters: [{ kind: 'grokfast-ema' as const, alpha: 0.9, lambda: 2 }] }
    const s = run(o, { a: [1, 2, 3], b: [1, 2, 3, 4] }, [{ a: [1, 1, 1], b: [1, 1, 1, 1] }])
    expect(host(s.params).a).toEqual([1, 2, 3])
    expect(host(s.params).b).not.toEqual([1, 2, 3, 4])
    expect(host(s.opt[0]!.slots.ema!).a).toEqual([0, 0, 0])
    expect(host(s.opt[1]!.slots.m!).a).toEqual([0, 0, 0])
    disposeTrainState(s)
  })
})

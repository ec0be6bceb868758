// Fuzzing the documents of a run as a hostile or unlucky user hands them back: config.json,
// state.json and metrics lines (random values, mutated valid documents, text cut and spliced) decode
// to Right or a one-line Left, never a throw; settings give a config or a one-line Left.
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { initParams, toHost } from '@grokscope/model'
import { disposeTrainState, initTrainState } from '@grokscope/train'
import {
  PAPER_SETTINGS,
  type RunSettings,
  decodeMetricsLine,
  decodeMetricsLog,
  decodeRunConfig,
  decodeStateDocument,
  encodeRunConfig,
  makeRunConfig,
  metricsRecord,
  runFingerprint,
  stateDocument,
} from '../src/index.js'

/** Runs per property. */
const RUNS = { randomJson: 500, mutated: 400, mutatedState: 300, text: 300, settings: 300 } as const

const LINE_BREAK = /[\n\r\u2028\u2029]/

/** A JSON-like value with the numbers JSON cannot hold. */
const weird = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 1e308, -1e308, 2 ** 53, 2 ** 60, -1, 0.5, '', 'a', '\u2028', null, true, [], {}),
  fc.double(),
  fc.string({ unit: 'binary' }),
)

type Path = ReadonlyArray<string | number>

/** Every path into a JSON document, the root included. */
const paths = (u: unknown, at: Path = []): Path[] => [
  at,
  ...(Array.isArray(u)
    ? u.flatMap((x, i) => paths(x, [...at, i]))
    : typeof u === 'object' && u !== null ? Object.entries(u).flatMap(([k, x]) => paths(x, [...at, k])) : []),
]

type Mutation = {
  readonly at: number
  readonly kind: 'delete' | 'replace' | 'truncate' | 'flip'
  readonly value: unknown
  readonly cut: number
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('delete', 'replace', 'truncate', 'flip'),
  value: weird,
  cut: fc.nat(),
})

/**
 * A copy of `doc` with one mutation at one of its paths: a field deleted, replaced by a weird value, a string or array
 * cut short, a character changed.
 */
const mutate = (doc: unknown, m: Mutation): unknown => {
  const all = paths(doc)
  const target = all[m.at % all.length]!
  const change = (u: unknown): unknown => {
    switch (m.kind) {
      case 'delete':
      case 'replace':
        return m.value
      case 'truncate':
        return typeof u === 'string' ? u.slice(0, m.cut % (u.length + 1)) : Array.isArray(u) ? u.slice(0, m.cut % (u.length + 1)) : m.value
      case 'flip':
        return typeof u === 'string' && u.length > 0
          ? `${u.slice(0, m.cut % u.length)}${'*A=/'[m.cut % 4]}${u.slice((m.cut % u.length) + 1)}`
          : typeof u === 'number' ? -u - 1 : m.value
    }
  }
  const go = (u: unknown, rest: Path): unknown => {
    if (rest.length === 0) return change(u)
    const [k, ...more] = rest
    if (Array.isArray(u)) return u.flatMap((x, i) => (i !== k ? [x] : m.kind === 'delete' && more.length === 0 ? [] : [go(x, more)]))
    const o = u as Record<string, unknown>
    if (m.kind === 'delete' && more.length === 0) return Object.fromEntries(Object.entries(o).filter(([key]) => key !== k))
    return { ...o, [k!]: go(o[k!], more) }
  }
  return go(doc, target)
}

const mutated = (doc: unknown) => fc.array(mutation, { minLength: 1, maxLength: 3 }).map((ms) => ms.reduce(mutate, doc))

const SETTINGS: RunSettings = {
  ...PAPER_SETTINGS,
  ops: ['add', 'mul'],
  p: 7,
  frac: 0.6,
  seed: 0,
  steps: 30,
  evalEvery: 10,
  stopAfterGrok: null,
  checkpointEvery: 20,
  dModel: 8,
  heads: 2,
  dHead: 4,
  dMlp: 16,
  measureEvery: 10,
}
const run = makeRunConfig(SETTINGS)
if (E.isLeft(run)) throw new Error(run.left)
const config = run.right
const CONFIG_DOC: unknown = JSON.parse(JSON.stringify(encodeRunConfig(config)))
const model = config.model

const stateDoc = (): unknown => {
  const s = initTrainState(initParams(model, 0))
  const doc: unknown = JSON.parse(JSON.stringify(stateDocument(config, s)))
  disposeTrainState(s)
  return doc
}
const STATE_DOC = stateDoc()

const metricsDoc = (): unknown => {
  const params = initParams(model, 1)
  const m = { loss: 1.5, accuracy: 0.25, perOp: [{ loss: 1, accuracy: 0.5 }, { loss: NaN, accuracy: NaN }] }
  const ops = config.task.ops.map((op) => ({ id: op.id, op }))
  const r = metricsRecord({
    step: 10,
    train: m,
    test: m,
    grokStep: null,
    host: toHost(params),
    config: model,
    p: 7,
    ops,
    seed: 0,
    measureLogits: true,
    elapsedS: 1.25,
    numTensors: 12,
  })
  tf.dispose(Object.values(params))
  return JSON.parse(JSON.stringify(r))
}
const METRICS_DOC = metricsDoc()

describe('settings', () => {
  it(`settings (${RUNS.settings} runs): a one-line Left, or a config that config.json gives back equal`, () => {
    const flags = fc.record({
      ops: fc.constantFrom(
        ['add'],
        ['mul'],
        ['a^2+b'],
        ['a/b'],
        ['a + * b'],
        [''],
        ['rand'],
        ['add', 'mul'],
        ['add', 'add'],
        ['sub', ''],
        ['a-b', '(a+b)^2'],
      ),
      p: fc.constantFrom(3, 5, 7, 31),
      frac: fc.constantFrom(0.01, 0.1, 0.5, 0.99),
      seed: fc.nat(),
      steps: fc.integer({ min: 1, max: 1e9 }),
      evalEvery: fc.integer({ min: 1, max: 1000 }),
      stopAfterGrok: fc.option(fc.nat(), { nil: null }),
      dModel: fc.integer({ min: 1, max: 64 }),
      layers: fc.integer({ min: 1, max: 3 }),
      act: fc.constantFrom('relu' as const, 'gelu' as const),
      posEmbed: fc.boolean(),
      lr: fc.double({ min: 1e-6, max: 1, noNaN: true }),
      wd: fc.double({ min: 0, max: 10, noNaN: true }),
      measureEvery: fc.nat(),
    })
    fc.assert(
      fc.property(flags, (f) => {
        const r = makeRunConfig({ ...SETTINGS, ...f })
        if (E.isLeft(r)) {
          expect(r.left).not.toMatch(LINE_BREAK)
          return
        }
        const back = decodeRunConfig(JSON.parse(JSON.stringify(encodeRunConfig(r.right))))
        expect(back).toEqual(r)
      }),
      { numRuns: RUNS.settings },
    )
  })
})

/** A decoder's outcome on `u`: Right, or a Left on one line; a throw fails the property. */
const decodes = <A>(decode: (u: unknown) => E.Either<string, A>, u: unknown, dispose: (a: A) => void = () => undefined): void => {
  const r = decode(u)
  if (E.isLeft(r)) {
    expect(typeof r.left).toBe('string')
    expect(r.left.length).toBeGreaterThan(0)
    expect(r.left).not.toMatch(LINE_BREAK)
  } else dispose(r.right)
}

/**
 * A metrics line as metrics.jsonl is decoded (file and line number, the problem on one line).
 * `decodeMetricsLine` itself can put a line break in its Left: it writes record keys
 * (`weight_norms."a\nb"`) and U+2028 raw, which `decodeMetricsLog` escapes.
 */
const decodeLine = (u: unknown) => decodeMetricsLog('runs/x/metrics.jsonl', `${JSON.stringify(u) ?? 'undefined'}\n`)

const decodeState = (u: unknown) => {
  const before = tf.memory().numTensors
  decodes((x) => decodeStateDocument(x, config, { state: 'state.json', config: 'config.json' }), u, disposeTrainState)
  expect(tf.memory().numTensors).toBe(before)
}

describe('run files: a one-line Left or a Right, never a throw', () => {
  it('regression (seed 702672420): a state.json whose fingerprint names an operation with a line separator gives one line', () => {
    const doc = { ...(STATE_DOC as object), fingerprint: { ...runFingerprint(config), ops: ['\u2028', 'mul'] } }
    const r = decodeStateDocument(doc, config, { state: 'state.json', config: 'config.json' })
    expect(r).toEqual(E.left('state.json is from op=\\u2028+mul p=7 frac=0.6 seed=0, config.json says op=add+mul (the files of another run; allowed: a run folder\'s own files)'))
  })

  it('regression: a record key with a line break still gives one line', () => {
    const r = decodeLine({ ...(METRICS_DOC as object), weight_norms: { 'a\nb\u2028': 'x' } })
    expect(r).toEqual(E.left('runs/x/metrics.jsonl:1: weight_norms."a\\nb\\u2028" is "x" (expected a number or null)'))
  })

  it('the valid documents decode', () => {
    expect(E.isRight(decodeRunConfig(CONFIG_DOC))).toBe(true)
    expect(E.isRight(decodeMetricsLine(METRICS_DOC))).toBe(true)
    const s = decodeStateDocument(STATE_DOC, config, { state: 'state.json', config: 'config.json' })
    if (E.isLeft(s)) throw new Error(s.left)
    disposeTrainState(s.right)
  })

  it.each<[string, (u: unknown) => void]>([
    ['config.json', (u) => decodes(decodeRunConfig, u)],
    ['state.json', decodeState],
    ['a metrics line', (u) => decodes(decodeLine, u)],
  ])(`%s, random JSON values (${RUNS.randomJson} runs)`, (_, check) => {
    fc.assert(fc.property(weird, check), { numRuns: RUNS.randomJson })
  })

  it.each<[string, number, unknown, (u: unknown) => void]>([
    ['config.json', RUNS.mutated, CONFIG_DOC, (u) => decodes(decodeRunConfig, u)],
    ['state.json', RUNS.mutatedState, STATE_DOC, decodeState],
    ['a metrics line', RUNS.mutated, METRICS_DOC, (u) => decodes(decodeLine, u)],
  ])(
    '%s, mutated valid documents (%i runs: fields deleted, wrong types, NaN and huge numbers, truncated base64)',
    (_, numRuns, doc, check) => {
      fc.assert(fc.property(mutated(doc), check), { numRuns })
    },
  )

  it(`metrics.jsonl text, cut and spliced (${RUNS.text} runs): torn last lines dropped, other bad lines a one-line Left`, () => {
    const line = JSON.stringify(METRICS_DOC)
    const text = [1, 2, 3].map((s) => `${line.replace('"step":10', `"step":${10 * s}`)}\n`).join('')
    const edit = fc.record({
      cut: fc.nat({ max: text.length }),
      insert: fc.oneof(fc.constant(''), fc.string({ unit: 'binary', maxLength: 4 }), fc.constantFrom('\n', '\u0000\u0000', '}\n{')),
      drop: fc.nat({ max: 3 }),
    })
    fc.assert(
      fc.property(edit, ({ cut, insert, drop }) => {
        const damaged = `${text.slice(0, cut)}${insert}${text.slice(cut + drop)}`
        const r = decodeMetricsLog('runs/x/metrics.jsonl', damaged)
        if (E.isLeft(r)) expect(r.left).not.toMatch(LINE_BREAK)
        else {
          const steps = r.right.records.map((x) => x.step)
          expect(steps.every((x, i) => i === 0 || x > steps[i - 1]!)).toBe(true)
          if (r.right.warning !== null) expect(r.right.warning).not.toMatch(LINE_BREAK)
        }
        // A crash only ever cuts the end: that is never an error.
        const cutOnly = decodeMetricsLog('runs/x/metrics.jsonl', text.slice(0, cut))
        expect(E.isRight(cutOnly)).toBe(true)
      }),
      { numRuns: RUNS.text },
    )
  })
})

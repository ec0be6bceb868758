// Fuzzing what a user can hand the CLI: flag values, and the run files it reads back.
// Every flag value gives a valid value or a one-line error; every decoder gives Right
// or a one-line Left, never a throw.
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '@commander-js/extra-typings'
import { decodeMetricsLine, metricsRecord } from '@grokscope/analysis'
import { isPrime } from '@grokscope/data'
import type { KeyRule } from '@grokscope/measures'
import { initParams, toHost } from '@grokscope/model'
import { decodeTrainState, disposeTrainState, encodeTrainState, initTrainState } from '@grokscope/train'
import { parsePairs } from '../src/commands/predict.js'
import { UsageError } from '../src/files.js'
import { MAX_THREADS, decimal, eta, fraction, integer, keyRule, nonNegative, positive, prime, seed, stopAfter, threads } from '../src/flags.js'
import { oneLine } from '../src/format.js'
import { type TrainFlags, decodeRunConfig, encodeRunConfig, runConfigFromFlags } from '../src/run-config.js'
import { decodeMetricsLog } from '../src/run-folder.js'
import { cli } from './run-cli.js'

// ─────────────────────────────────────────────────────────────────────────────
// generators
// ─────────────────────────────────────────────────────────────────────────────

/** Runs per property; the spawned ones cost ~1 s each. */
const RUNS = { parser: 1000, randomJson: 500, mutated: 400, mutatedState: 300, text: 300, flags: 300, spawned: 16 } as const

const LINE_BREAK = /[\n\r\u2028\u2029]/

/** Strings a user might type, and many they would not. */
const flagValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'binary-ascii', maxLength: 6 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.nat({ max: 2000 }).map(String),
  fc.double({ min: -2, max: 2 }).map((x) => x.toExponential()),
  fc.constantFrom('', ' ', '0', '-0', '+1', '1.', '.5', '1e3', '1e400', '-1e-400', '0x1F', '0b11', '0o7', 'Infinity', '-Infinity', 'NaN', 'never', ' never ', '97\n', '3\u20285', '9007199254740993', '1_000', '１２', '٣'),
)

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
  ...(Array.isArray(u) ? u.flatMap((x, i) => paths(x, [...at, i])) : typeof u === 'object' && u !== null ? Object.entries(u).flatMap(([k, x]) => paths(x, [...at, k])) : []),
]

type Mutation = { readonly at: number; readonly kind: 'delete' | 'replace' | 'truncate' | 'flip'; readonly value: unknown; readonly cut: number }

const mutation: fc.Arbitrary<Mutation> = fc.record({ at: fc.nat(), kind: fc.constantFrom('delete', 'replace', 'truncate', 'flip'), value: weird, cut: fc.nat() })

/** A copy of `doc` with one mutation at one of its paths: a field deleted, replaced by a weird value, a string or array cut short, a character changed. */
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
        return typeof u === 'string' && u.length > 0 ? `${u.slice(0, m.cut % u.length)}${'*A=/'[m.cut % 4]}${u.slice((m.cut % u.length) + 1)}` : typeof u === 'number' ? -u - 1 : m.value
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

// ─────────────────────────────────────────────────────────────────────────────
// valid documents
// ─────────────────────────────────────────────────────────────────────────────

const FLAGS: TrainFlags = {
  ops: 'add,mul',
  p: 7,
  frac: 0.6,
  seed: 0,
  steps: 30,
  evalEvery: 10,
  stopAfterGrok: 'never',
  checkpointEvery: 20,
  progress: false,
  dModel: 8,
  heads: 2,
  dHead: 4,
  dMlp: 16,
  layers: 1,
  act: 'relu',
  lr: 1e-3,
  wd: 1,
  optimizer: 'adamw',
  warmup: 0,
  initScale: 1,
  threads: 1,
  measureEvery: 10,
}
const run = runConfigFromFlags(FLAGS)
if (E.isLeft(run)) throw new Error(run.left)
const CONFIG_DOC: unknown = JSON.parse(JSON.stringify(encodeRunConfig(run.right)))
const model = run.right.model

const stateDoc = (): unknown => {
  const s = initTrainState(initParams(model, 0))
  const doc: unknown = JSON.parse(JSON.stringify(encodeTrainState(s)))
  disposeTrainState(s)
  return doc
}
const STATE_DOC = stateDoc()

const metricsDoc = (): unknown => {
  const params = initParams(model, 1)
  const m = { loss: 1.5, accuracy: 0.25, perOp: [{ loss: 1, accuracy: 0.5 }, { loss: NaN, accuracy: NaN }] }
  const ops = run.right.task.ops.map((op) => ({ id: op.id, op }))
  const r = metricsRecord({ step: 10, train: m, test: m, grokStep: null, host: toHost(params), config: model, p: 7, ops, seed: 0, measureLogits: true, elapsedS: 1.25, numTensors: 12 })
  tf.dispose(Object.values(params))
  return JSON.parse(JSON.stringify(r))
}
const METRICS_DOC = metricsDoc()

// ─────────────────────────────────────────────────────────────────────────────
// laws
// ─────────────────────────────────────────────────────────────────────────────

/** A parser's outcome: a value, or the one-line error commander (or the command) prints. */
const outcome = <A>(parse: () => A, errors: ReadonlyArray<new (...a: never[]) => Error> = [InvalidArgumentError]): { ok: true; value: A } | { ok: false } => {
  try {
    return { ok: true, value: parse() }
  } catch (e) {
    expect(errors.some((k) => e instanceof k), String(e)).toBe(true)
    expect((e as Error).message).not.toMatch(LINE_BREAK)
    return { ok: false }
  }
}

const digitsOnly = (v: string) => /^\d+$/.test(v.trim())

/** What `--key-freqs` may give: auto with a finite factor ≥ 1, energy with a threshold in [0, 1), or distinct integers ≥ 1. */
const validKeyRule = (r: KeyRule): boolean =>
  r.kind === 'auto'
    ? Number.isFinite(r.factor) && r.factor >= 1
    : r.kind === 'energy'
      ? r.threshold >= 0 && r.threshold < 1
      : r.frequencies.length > 0 && r.frequencies.every((k) => Number.isSafeInteger(k) && k >= 1) && new Set(r.frequencies).size === r.frequencies.length

describe('flag values: a valid value or a one-line InvalidArgumentError, nothing else', () => {
  it.each<[string, (v: string) => unknown, (value: unknown, v: string) => boolean]>([
    ['--p', prime, (n, v) => typeof n === 'number' && isPrime(n) && n >= 3 && n <= 997 && n === decimal(v)],
    ['--frac', fraction, (n, v) => typeof n === 'number' && n > 0 && n < 1 && n === decimal(v)],
    ['--seed', seed, (n, v) => Number.isSafeInteger(n) && (n as number) >= 0 && n === decimal(v) && !Object.is(n, -0)],
    ['--steps', integer(1), (n, v) => Number.isSafeInteger(n) && (n as number) >= 1 && digitsOnly(v)],
    ['--eval-every', integer(1), (n, v) => Number.isSafeInteger(n) && (n as number) >= 1 && digitsOnly(v)],
    ['--stop-after-grok', stopAfter, (n, v) => (n === 'never' && v.trim() === 'never') || (Number.isSafeInteger(n) && (n as number) >= 0 && digitsOnly(v))],
    ['--lr', positive, (n, v) => typeof n === 'number' && Number.isFinite(n) && n > 0 && n === decimal(v)],
    ['--wd', nonNegative, (n, v) => typeof n === 'number' && Number.isFinite(n) && n >= 0 && n === decimal(v) && !Object.is(n, -0)],
    ['--threads', threads, (n, v) => Number.isSafeInteger(n) && (n as number) >= 1 && (n as number) <= MAX_THREADS && digitsOnly(v)],
    ['--eta', eta, (n, v) => typeof n === 'number' && n >= 0 && n < 1 && n === decimal(v)],
    ['--key-freqs', keyRule, (r) => validKeyRule(r as KeyRule)],
  ])(`%s (${RUNS.parser} runs)`, (_, parse, valid) => {
    fc.assert(
      fc.property(flagValue, (v) => {
        const r = outcome(() => parse(v))
        if (r.ok) expect(valid(r.value, v), `${JSON.stringify(v)} gave ${String(r.value)}`).toBe(true)
      }),
      { numRuns: RUNS.parser },
    )
  })

  it('regressions: no hex, no Infinity, no unsafe integers, -0 is 0, "never" alone', () => {
    for (const [parse, v] of [[prime, '0x1F'], [seed, '9007199254740993'], [integer(1), '99999999999999999999'], [positive, 'Infinity'], [nonNegative, '1e400'], [threads, '257'], [stopAfter, 'nevermore']] as const) {
      expect(() => parse(v)).toThrow(InvalidArgumentError)
    }
    expect([seed('-0'), nonNegative('-0'), prime(' 31 '), fraction('.5')]).toEqual([0, 0, 31, 0.5])
    expect(Object.is(seed('-0'), 0)).toBe(true)
  })

  it(`--pairs (${RUNS.parser} runs): pairs of residues, or a UsageError that prints on one line`, () => {
    fc.assert(
      fc.property(fc.array(flagValue, { minLength: 1, maxLength: 3 }), fc.constantFrom(3, 7, 31, 97), (values, p) => {
        try {
          const pairs = parsePairs(values, p)
          expect(pairs).toHaveLength(values.length)
          for (const [a, b] of pairs) expect(Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b >= 0 && a < p && b < p).toBe(true)
        } catch (e) {
          expect(e).toBeInstanceOf(UsageError)
          // predict.ts quotes the value raw: its line breaks are escaped when main.ts prints the error.
          expect(oneLine((e as Error).message)).not.toMatch(LINE_BREAK)
        }
      }),
      { numRuns: RUNS.parser },
    )
  })

  it(`the flags' run config (${RUNS.flags} runs): a one-line Left, or a config that config.json gives back equal`, () => {
    const flags = fc.record({
      op: fc.option(fc.constantFrom('add', 'mul', 'a^2+b', 'a/b', 'a + * b', '', 'rand'), { nil: undefined }),
      ops: fc.option(fc.constantFrom('add,mul', 'add,add', 'sub,', 'a-b,(a+b)^2'), { nil: undefined }),
      p: fc.constantFrom(3, 5, 7, 31),
      frac: fc.constantFrom(0.01, 0.1, 0.5, 0.99),
      seed: fc.nat(),
      steps: fc.option(fc.integer({ min: 1, max: 1e9 }), { nil: undefined }),
      evalEvery: fc.integer({ min: 1, max: 1000 }),
      stopAfterGrok: fc.oneof(fc.nat(), fc.constant('never' as const)),
      dModel: fc.integer({ min: 1, max: 64 }),
      layers: fc.integer({ min: 1, max: 3 }),
      act: fc.constantFrom('relu' as const, 'gelu' as const),
      posEmbed: fc.option(fc.boolean(), { nil: undefined }),
      lr: fc.double({ min: 1e-6, max: 1, noNaN: true }),
      wd: fc.double({ min: 0, max: 10, noNaN: true }),
      measureEvery: fc.nat(),
    })
    fc.assert(
      fc.property(flags, (f) => {
        const r = runConfigFromFlags({ ...FLAGS, ...f })
        if (E.isLeft(r)) {
          expect(r.left).not.toMatch(LINE_BREAK)
          return
        }
        const back = decodeRunConfig(JSON.parse(JSON.stringify(encodeRunConfig(r.right))))
        expect(back).toEqual(r)
      }),
      { numRuns: RUNS.flags },
    )
  })
})

// ─────────────────────────────────────────────────────────────────────────────

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
 * A metrics line as the CLI decodes it (file and line number, the problem on one line).
 * `decodeMetricsLine` of @grokscope/analysis itself can put a line break in its Left:
 * it writes record keys (`weight_norms."a\nb"`) and U+2028 raw, which the CLI escapes.
 */
const decodeLine = (u: unknown) => decodeMetricsLog('runs/x/metrics.jsonl', `${JSON.stringify(u) ?? 'undefined'}\n`)

const decodeState = (u: unknown) => {
  const before = tf.memory().numTensors
  decodes((x) => decodeTrainState(x, model), u, disposeTrainState)
  expect(tf.memory().numTensors).toBe(before)
}

describe('run files: a one-line Left or a Right, never a throw', () => {
  it('regression: a record key with a line break still gives one line', () => {
    const r = decodeLine({ ...(METRICS_DOC as object), weight_norms: { 'a\nb\u2028': 'x' } })
    expect(r).toEqual(E.left('runs/x/metrics.jsonl:1: weight_norms."a\\nb\\u2028" is "x" (expected a number or null)'))
  })

  it('the valid documents decode', () => {
    expect(E.isRight(decodeRunConfig(CONFIG_DOC))).toBe(true)
    expect(E.isRight(decodeMetricsLine(METRICS_DOC))).toBe(true)
    const s = decodeTrainState(STATE_DOC, model)
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
  ])('%s, mutated valid documents (%i runs: fields deleted, wrong types, NaN and huge numbers, truncated base64)', (_, numRuns, doc, check) => {
    fc.assert(fc.property(mutated(doc), check), { numRuns })
  })

  it(`metrics.jsonl text, cut and spliced (${RUNS.text} runs): torn last lines dropped, other bad lines a one-line Left`, () => {
    const line = JSON.stringify(METRICS_DOC)
    const text = [1, 2, 3].map((s) => `${line.replace('"step":10', `"step":${10 * s}`)}\n`).join('')
    const edit = fc.record({ cut: fc.nat({ max: text.length }), insert: fc.oneof(fc.constant(''), fc.string({ unit: 'binary', maxLength: 4 }), fc.constantFrom('\n', '\u0000\u0000', '}\n{')), drop: fc.nat({ max: 3 }) })
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

// ─────────────────────────────────────────────────────────────────────────────

describe('the CLI on bad flag values', () => {
  const rejected = (parse: (v: string) => unknown) => (v: string) => {
    try {
      parse(v)
      return false
    } catch {
      return true
    }
  }
  const cases = fc.oneof(
    ...(
      [
        ['--p', prime],
        ['--frac', fraction],
        ['--seed', seed],
        ['--steps', integer(1)],
        ['--eval-every', integer(1)],
        ['--stop-after-grok', stopAfter],
        ['--lr', positive],
        ['--wd', nonNegative],
        ['--threads', threads],
      ] as const
    ).map(([flag, parse]) => flagValue.filter((v) => !v.includes('\u0000') && rejected(parse)(v)).map((v) => [flag, v] as const)),
  )

  it(`train --flag=<random bad value> (${RUNS.spawned} runs): one line on stderr, exit 2, nothing written`, async () => {
    await fc.assert(
      fc.asyncProperty(cases, async ([flag, v]) => {
        const dir = mkdtempSync(path.join(tmpdir(), 'grokscope-fuzz-'))
        const r = await cli(['train', `${flag}=${v}`, '--out', path.join(dir, 'run')], { cwd: dir })
        expect(r.code).toBe(2)
        expect(r.stdout).toBe('')
        expect(r.stderr).toMatch(/^[^\n\r\u2028\u2029]+\n$/)
        expect(r.stderr).toContain(flag)
        expect(readdirSync(dir)).toEqual([])
      }),
      { numRuns: RUNS.spawned },
    )
  }, 120_000)
})

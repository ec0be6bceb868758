// Fuzzing what a user can hand the CLI: flag values. Every flag value gives a valid value or a
// one-line error (the documents it reads back are fuzzed in packages/runs/test/fuzz.test.ts).
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '@commander-js/extra-typings'
import { isPrime, oneLine } from '@grokscope/data'
import type { KeyRule } from '@grokscope/measures'
import { UsageError } from '@grokscope/node'
import { parsePairs } from '../src/commands/predict.js'
import {
  MAX_THREADS,
  decimal,
  eta,
  fraction,
  integer,
  keyRule,
  nonNegative,
  positive,
  prime,
  seed,
  stopAfter,
  threads,
} from '../src/flags.js'
import { cli } from './run-cli.js'

// ─────────────────────────────────────────────────────────────────────────────
// generators
// ─────────────────────────────────────────────────────────────────────────────

/** Runs per property; the spawned ones cost ~1 s each. */
const RUNS = { parser: 1000, spawned: 16 } as const

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
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-0',
    '+1',
    '1.',
    '.5',
    '1e3',
    '1e400',
    '-1e-400',
    '0x1F',
    '0b11',
    '0o7',
    'Infinity',
    '-Infinity',
    'NaN',
    'never',
    ' never ',
    '97\n',
    '3\u20285',
    '9007199254740993',
    '1_000',
    '１２',
    '٣',
  ),
)

// ─────────────────────────────────────────────────────────────────────────────
// laws
// ─────────────────────────────────────────────────────────────────────────────

/** A parser's outcome: a value, or the one-line error commander (or the command) prints. */
const outcome = <A>(
  parse: () => A,
  errors: ReadonlyArray<new (...a: never[]) => Error> = [InvalidArgumentError],
): { ok: true; value: A } | { ok: false } => {
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
      : r.frequencies.length > 0 && r.frequencies.every((k) => Number.isSafeInteger(k) && k >= 1) &&
        new Set(r.frequencies).size === r.frequencies.length

describe('flag values: a valid value or a one-line InvalidArgumentError, nothing else', () => {
  it.each<[string, (v: string) => unknown, (value: unknown, v: string) => boolean]>([
    ['--p', prime, (n, v) => typeof n === 'number' && isPrime(n) && n >= 3 && n <= 997 && n === decimal(v)],
    ['--frac', fraction, (n, v) => typeof n === 'number' && n > 0 && n < 1 && n === decimal(v)],
    ['--seed', seed, (n, v) => Number.isSafeInteger(n) && (n as number) >= 0 && n === decimal(v) && !Object.is(n, -0)],
    ['--steps', integer(1), (n, v) => Number.isSafeInteger(n) && (n as number) >= 1 && digitsOnly(v)],
    ['--eval-every', integer(1), (n, v) => Number.isSafeInteger(n) && (n as number) >= 1 && digitsOnly(v)],
    [
      '--stop-after-grok',
      stopAfter,
      (n, v) => (n === 'never' && v.trim() === 'never') || (Number.isSafeInteger(n) && (n as number) >= 0 && digitsOnly(v)),
    ],
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
    for (const [parse, v] of [
      [prime, '0x1F'],
      [seed, '9007199254740993'],
      [integer(1), '99999999999999999999'],
      [positive, 'Infinity'],
      [nonNegative, '1e400'],
      [threads, '257'],
      [stopAfter, 'nevermore'],
    ] as const) {
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

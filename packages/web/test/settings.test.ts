// The page's settings: URL parameters and form fields, decoded into a run's config and its threads.
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { OPERATIONS, isPrime } from '@grokscope/data'
import { PAPER_SETTINGS, RECIPES, RECIPE_IDS, makeRunConfig } from '@grokscope/runs'
import {
  DEFAULT_FIELDS,
  MAX_WASM_THREADS,
  ONE_THREAD,
  decodeFields,
  fieldsFromQuery,
  queryOf,
  settingsFromQuery,
  threadLimit,
} from '../src/settings.js'
import { BACKEND_CHOICES } from '../src/backend.js'

const primes = Array.from({ length: 200 }, (_, i) => i).filter((n) => n >= 3 && isPrime(n))
/** The limit of an isolated page on 16 logical cores: 8 threads. */
const EIGHT = threadLimit(true, 16)

const right = <A>(e: E.Either<string, A>): A => {
  if (E.isLeft(e)) throw new Error(e.left)
  return e.right
}

describe('settings', () => {
  it('the query a choice is shown with decodes back to that choice', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom(...OPERATIONS.map((op) => op.id)),
          fc.constantFrom('a^3 + 2*a*b - b', 'a^2 + 3*b', '(a - 2*b)^3 + a', 'a/(b + 1)'),
        ),
        fc.constantFrom(...primes),
        fc.integer({ min: 1, max: 99 }),
        fc.nat(1_000_000),
        fc.constantFrom('', ...RECIPE_IDS),
        fc.integer({ min: 1, max: 400_000 }),
        fc.constantFrom(...BACKEND_CHOICES),
        fc.integer({ min: 1, max: MAX_WASM_THREADS }),
        (op, p, percent, seed, recipe, steps, backend, threads) => {
          const fields = {
            ...{ op, p: String(p), frac: String(percent / 100), seed: String(seed) },
            ...{ recipe, steps: String(steps), backend, threads: String(threads) },
          }
          const decoded = decodeFields(fields, EIGHT)
          fc.pre(E.isRight(decoded))
          if (E.isLeft(decoded)) return
          const again = settingsFromQuery(`?${queryOf(decoded.right)}`, EIGHT)
          expect(again).toEqual(E.right({ ...decoded.right, autostart: false }))
          expect(settingsFromQuery(`?${queryOf(decoded.right, true)}`, EIGHT)).toEqual(E.right({ ...decoded.right, autostart: true }))
        },
      ),
    )
  })

  it('a + in the URL is a plus, as %2B is: ?op=a2+b2 is a2+b2', () => {
    for (const query of ['?op=a2+b2', '?op=a2%2Bb2', '?op=a2+b2&p=23']) {
      expect(right(settingsFromQuery(query, ONE_THREAD)).config.task.ops[0]!.id).toBe('a2+b2')
    }
    expect(right(settingsFromQuery('?op=a^2+b', ONE_THREAD)).config.task.ops[0]!.id).toBe('a2+b')
    expect(right(settingsFromQuery('?op=(a+b)3', ONE_THREAD)).config.task.ops[0]!.id).toBe('(a+b)3')
    expect(right(settingsFromQuery('?op=a2+b2&seed=1e+3', ONE_THREAD)).config.task.seed).toBe(1000)
  })

  it("a link whose spaces are + (URLSearchParams' encoding) still gives its expression", () => {
    const query = new URLSearchParams({ op: 'a^3 + 2*a*b - b' }).toString()
    expect(query).toContain('+%2B+')
    expect(right(settingsFromQuery(`?${query}`, ONE_THREAD)).config.task.ops[0]!.id).toBe('a^3 + 2*a*b - b')
  })

  it('the URL the page writes percent-encodes the operation', () => {
    const choice = right(decodeFields({ ...DEFAULT_FIELDS, op: 'a2+b2' }, ONE_THREAD))
    expect(queryOf(choice)).toBe('op=a2%2Bb2&p=23&frac=0.6&seed=0&steps=300000&threads=1')
    const expr = right(decodeFields({ ...DEFAULT_FIELDS, op: 'a^3 + 2ab - b', recipe: 'fast', steps: '3000' }, ONE_THREAD))
    expect(queryOf(expr, true)).toBe('op=a%5E3%20%2B%202*a*b%20-%20b&p=23&frac=0.6&seed=0&recipe=fast&steps=3000&threads=1&autostart=1')
  })

  it('the backend is auto unless chosen, and the URL names it only when it is not auto', () => {
    expect(right(settingsFromQuery('?op=add', ONE_THREAD)).backend).toBe('auto')
    const gpu = right(settingsFromQuery('?op=add&backend=webgpu', ONE_THREAD))
    expect(gpu.backend).toBe('webgpu')
    expect(queryOf(gpu)).toBe('op=add&p=23&frac=0.6&seed=0&steps=300000&backend=webgpu&threads=1')
    expect(queryOf(right(decodeFields({ ...DEFAULT_FIELDS, backend: 'wasm' }, ONE_THREAD)))).toContain('&backend=wasm&')
    expect(queryOf(right(decodeFields(DEFAULT_FIELDS, ONE_THREAD)))).not.toContain('backend')
  })

  it('the recipe and the steps make the config the CLI makes of --recipe and --steps', () => {
    const choice = right(decodeFields({ ...DEFAULT_FIELDS, op: 'mul', recipe: 'fast', steps: '1500', threads: '3' }, EIGHT))
    const cli = right(
      makeRunConfig({ ...PAPER_SETTINGS, ...RECIPES.fast.settings, recipe: 'fast', ops: ['mul'], p: 23, frac: 0.6, seed: 0, steps: 1500 }),
    )
    expect(choice).toEqual({ config: cli, backend: 'auto', threads: 3 })
    expect(choice.config.optimizer.lr).toBe(0.02)
    const paper = right(decodeFields(DEFAULT_FIELDS, ONE_THREAD))
    expect(paper.config).toEqual(right(makeRunConfig({ ...PAPER_SETTINGS, ops: ['add'], p: 23, frac: 0.6, seed: 0 })))
  })

  it('reads the URL parameters of the contract, and autostart only when asked', () => {
    const s = right(settingsFromQuery('?op=add&p=23&frac=0.5&seed=0&autostart=1', EIGHT))
    expect(s.autostart).toBe(true)
    expect(s.threads).toBe(EIGHT.default)
    expect({ p: s.config.task.p, frac: s.config.task.frac, seed: s.config.task.seed, op: s.config.task.ops[0]!.id }).toEqual({
      p: 23,
      frac: 0.5,
      seed: 0,
      op: 'add',
    })
    expect(right(settingsFromQuery('?op=mul&p=31', ONE_THREAD)).autostart).toBe(false)
  })

  it('an expression is an operation, named by its canonical formula', () => {
    const s = right(settingsFromQuery(`?op=${encodeURIComponent('a^2 + b')}&p=31&frac=0.4&seed=2`, ONE_THREAD))
    expect(s.config.task.ops[0]!.id).toBe('a2+b')
  })

  it('missing parameters take the defaults', () => {
    expect(fieldsFromQuery('')).toEqual(DEFAULT_FIELDS)
    expect(E.isRight(decodeFields(DEFAULT_FIELDS, ONE_THREAD))).toBe(true)
  })

  it('threads: half the logical cores from 1 to 8 when cross-origin isolated, else 1, and why', () => {
    expect([1, 2, 3, 4, 8, 16, 64].map((cores) => threadLimit(true, cores).max)).toEqual([1, 1, 1, 2, 4, 8, 8])
    expect(threadLimit(true, 8)).toEqual({ max: 4, default: 4, onlyOne: null })
    expect(threadLimit(true, 2).onlyOne).toMatch(/reports 2 logical cores.*at most half/)
    expect(threadLimit(false, 64)).toBe(ONE_THREAD)
    expect(ONE_THREAD.onlyOne).toMatch(/not cross-origin isolated/)
  })

  it('a bad field is a one-line Left that names it and what is allowed', () => {
    const cases: Array<[Partial<typeof DEFAULT_FIELDS>, RegExp]> = [
      [{ p: '24' }, /^p: 24 is not allowed \(a prime from 3 to 997\)/],
      [{ p: 'x' }, /^p: "x" is not a number$/],
      [{ p: '' }, /^p: "" is not a number$/],
      [{ frac: '1' }, /^frac: 1 /],
      [{ seed: '-1' }, /^seed: -1 /],
      [{ seed: '0x10' }, /^seed: "0x10" is not a number$/],
      [{ op: 'a + * b' }, /^op: .*column 5.* \(allowed: an id that grokscope ops lists, or an expression in a and b\)$/],
      [{ op: 'a2 b2' }, /^op: .*"a2 b2" \(allowed: an id that grokscope ops lists/],
      [{ recipe: 'slow' }, /^recipe: "slow" is not allowed \(fast, or none: the paper's AdamW\)$/],
      [{ steps: '0' }, /^steps: "0" is not allowed \(an integer ≥ 1\)$/],
      [{ steps: '1.5' }, /^steps: "1.5" is not allowed \(an integer ≥ 1\)$/],
      [{ threads: '9' }, /^threads: "9" is not allowed \(an integer from 1 to 8\)$/],
      [{ threads: '0' }, /^threads: "0" is not allowed/],
      [{ backend: 'gpu' }, /^backend: "gpu" is not allowed \(auto, webgpu, wasm\)$/],
    ]
    for (const [change, message] of cases) {
      const r = decodeFields({ ...DEFAULT_FIELDS, ...change }, EIGHT)
      if (E.isRight(r)) throw new Error(`${JSON.stringify(change)} was accepted`)
      expect(r.left).toMatch(message)
      expect(r.left).not.toContain('\n')
      expect(r.left).not.toMatch(/ops\.\d/)
    }
    const one = decodeFields({ ...DEFAULT_FIELDS, threads: '2' }, threadLimit(true, 2))
    expect(one).toEqual(E.left(`threads: "2" is not allowed (an integer from 1 to 1): ${threadLimit(true, 2).onlyOne}`))
  })
})

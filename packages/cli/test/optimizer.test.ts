// The optimiser's flags through the CLI: their errors, config.json's chain, exact resume with a filter, old configs,
// --init-scale, --recipe, Adam's --beta1/--beta2/--eps.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { PAPER_SETTINGS, RECIPES, optimizerOf } from '@grokscope/runs'
import { cli } from './run-cli.js'

const tmp = () => mkdtempSync(path.join(tmpdir(), 'grokscope-opt-'))
const json = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
const TINY = [
  '--p', '7', '--frac', '0.6', '--d-model', '16', '--heads', '2', '--d-head', '8', '--d-mlp', '32', '--eval-every', '10', '--no-progress',
  '--threads', '1',
]

describe('optimiser flags: bad input is one line, exit code 2, nothing written', { timeout: 60_000 }, () => {
  it.each([
    [['--momentum', '0.9'], '--momentum is for --optimizer sgd (got --optimizer adamw)'],
    [['--optimizer', 'sgd', '--momentum', '1'], '"1" is not allowed (a number with 0 ≤ x < 1)'],
    [['--optimizer', 'rmsprop'], '--optimizer: "rmsprop" is not allowed (allowed: adamw, adam, sgd)'],
    [['--grokfast-lambda', '2'], '--grokfast-lambda needs --grokfast ema or ma'],
    [['--grokfast', 'ema', '--grokfast-window', '10'], '--grokfast-window is for --grokfast ma'],
    [['--grokfast', 'ma', '--grokfast-alpha', '0.9'], '--grokfast-alpha is for --grokfast ema'],
    [['--grokfast', 'ma', '--grokfast-window', '0'], '--grokfast-window: "0" is not allowed (an integer from 1 to 100000)'],
    [['--beta2', '1'], '"1" is not allowed (a number with 0 ≤ x < 1)'],
    [['--beta1', '-0.1'], '"-0.1" is not allowed (a number with 0 ≤ x < 1)'],
    [['--eps', '0'], '"0" is not allowed (a finite number > 0)'],
    [['--warmup', '-1'], '--warmup: "-1" is not allowed (an integer from 0 to 1000000000)'],
    [['--wd-exclude', 'embed.W_X'], '--wd-exclude: "embed.W_X" is not a weight of the model'],
    [['--init-scale', '0'], '"0" is not allowed (a finite number > 0)'],
    [['--recipe', 'slow'], `--recipe: "slow" is not allowed (allowed: ${Object.keys(RECIPES).join(', ')})`],
  ])('%j', async (args, message) => {
    const dir = tmp()
    const r = await cli(['train', ...TINY, ...args, '--out', path.join(dir, 'run')])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(message)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(existsSync(path.join(dir, 'run'))).toBe(false)
  })
})

describe('a run with a chain', { timeout: 180_000 }, () => {
  it('config.json records the whole chain; a run resumed from a checkpoint ends bit for bit as one run straight through', async () => {
    const dir = tmp()
    const chain = [
      '--grokfast', 'ma', '--grokfast-window', '4', '--grokfast-lambda', '3', '--warmup', '5', '--wd-exclude', 'unembed.W_U',
      '--beta1', '0.8', '--beta2', '0.95', '--eps', '1e-7', '--checkpoint-every', '10',
    ]
    const straight = await cli(['train', ...TINY, ...chain, '--steps', '30', '--out', path.join(dir, 'a')])
    expect(straight.code, straight.stderr).toBe(0)
    expect(json(path.join(dir, 'a', 'config.json')).optimizer).toEqual({
      lr: 1e-3, weightDecay: 1, beta1: 0.8, beta2: 0.95, eps: 1e-7, frozen: [],
      kind: 'adamw', momentum: 0, warmup: 5, noDecay: ['unembed.W_U'], filters: [{ kind: 'grokfast-ma', window: 4, lambda: 3 }],
    })
    const half = await cli(['train', ...TINY, ...chain, '--steps', '17', '--out', path.join(dir, 'b')])
    expect(half.code, half.stderr).toBe(0)
    const rest = await cli(['train', '--resume', '--steps', '30', '--no-progress', '--threads', '1', '--out', path.join(dir, 'b')])
    expect(rest.code, rest.stderr).toBe(0)
    const [a, b] = [json(path.join(dir, 'a', 'state.json')), json(path.join(dir, 'b', 'state.json'))]
    expect(b.step).toBe(30)
    expect([b.params, b.opt]).toEqual([a.params, a.opt])
    // The filter's window is in the state: four ring slots of gradients.
    expect(Object.keys((a.opt as Array<{ slots: object }>)[0]!.slots).sort()).toEqual(['0', '1', '2', '3'])
  })

  it('an old config.json (the paper’s AdamW fields only) resumes as the paper’s AdamW', async () => {
    const dir = tmp()
    const [a, b] = [path.join(dir, 'a'), path.join(dir, 'b')]
    expect((await cli(['train', ...TINY, '--steps', '20', '--out', a])).code).toBe(0)
    expect((await cli(['train', ...TINY, '--steps', '10', '--out', b])).code).toBe(0)
    const config = json(path.join(b, 'config.json'))
    const { lr, weightDecay, beta1, beta2, eps, frozen } = config.optimizer as Record<string, unknown>
    const { init_scale: _, ...rest } = config
    const old = { ...rest, optimizer: { lr, weightDecay, beta1, beta2, eps, frozen } }
    writeFileSync(path.join(b, 'config.json'), JSON.stringify(old))
    const r = await cli(['train', '--resume', '--steps', '20', '--no-progress', '--threads', '1', '--out', b])
    expect(r.code, r.stderr).toBe(0)
    expect(json(path.join(b, 'state.json')).params).toEqual(json(path.join(a, 'state.json')).params)
  })

  it('--init-scale α multiplies every initial weight by α', async () => {
    const dir = tmp()
    // SGD with a learning rate far below float32's resolution of the weights: one step leaves them as they were initialised.
    const still = ['--optimizer', 'sgd', '--lr', '1e-30', '--wd', '0', '--steps', '1']
    expect((await cli(['train', ...TINY, ...still, '--out', path.join(dir, 'one')])).code).toBe(0)
    expect((await cli(['train', ...TINY, ...still, '--init-scale', '2', '--out', path.join(dir, 'two')])).code).toBe(0)
    expect(json(path.join(dir, 'two', 'config.json')).init_scale).toBe(2)
    const weights = (run: string) => json(path.join(dir, run, 'weights.json')).weights as Record<string, unknown>
    const double = (u: unknown): unknown => (Array.isArray(u) ? u.map(double) : typeof u === 'number' ? 2 * u : u)
    const one = weights('one')
    expect(Object.keys(one)).toHaveLength(8)
    expect(weights('two')).toEqual(Object.fromEntries(Object.entries(one).map(([k, w]) => [k, double(w)])))
  })
})

describe('--recipe', { timeout: 120_000 }, () => {
  it('sets the recipe’s flags and config.json names it; a flag given explicitly wins', async () => {
    const dir = tmp()
    const chain = optimizerOf({ ...PAPER_SETTINGS, ...RECIPES.fast.settings })
    if (E.isLeft(chain)) throw new Error(chain.left)
    const fast = { optimizer: chain.right, initScale: PAPER_SETTINGS.initScale }
    expect((await cli(['train', ...TINY, '--steps', '2', '--recipe', 'fast', '--out', path.join(dir, 'a')])).code).toBe(0)
    const a = json(path.join(dir, 'a', 'config.json'))
    expect([a.recipe, a.optimizer, a.init_scale]).toEqual(['fast', fast.optimizer, fast.initScale])
    // Not the defaults: without --recipe the chain is another.
    expect((await cli(['train', ...TINY, '--steps', '2', '--out', path.join(dir, 'plain')])).code).toBe(0)
    expect(json(path.join(dir, 'plain', 'config.json')).optimizer).not.toEqual(fast.optimizer)
    expect((await cli(['train', ...TINY, '--steps', '2', '--recipe', 'fast', '--lr', '0.0042', '--out', path.join(dir, 'b')])).code).toBe(0)
    expect(json(path.join(dir, 'b', 'config.json')).optimizer).toEqual({ ...fast.optimizer, lr: 0.0042 })
  })

  it('a sweep passes the recipe’s flags to every run', async () => {
    const dir = tmp()
    const grid = [
      'sweep', '--ops', 'add', '--p', '7', '--fracs', '0.6', '--seeds', '0', '--steps', '2', '--d-model', '16', '--heads', '2',
      '--d-head', '8', '--d-mlp', '32',
    ]
    const r = await cli([...grid, '--recipe', 'fast', '--out', path.join(dir, 'sweep')])
    expect(r.code, r.stderr).toBe(0)
    const run = json(path.join(dir, 'sweep', 'add-p7-r0.6-s0', 'config.json'))
    expect([run.recipe, run.optimizer]).toEqual([
      'fast',
      E.getOrElseW(() => null)(optimizerOf({ ...PAPER_SETTINGS, ...RECIPES.fast.settings })),
    ])
  })
})

// The PyTorch comparison program (python/grokscope_torch.py) against the fixtures and against grokscope's data package:
// its model reproduces the fixtures' logits and Fourier measures, its split and labels are makeDataset's, its Grokfast
// filters are Lee et al.'s, and its command line prints what `bench` and `bench --to-grok` read.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { type Examples, OPERATIONS, decodeTask, makeDataset } from '@grokscope/data'
import { FIXTURES, fixturePath } from '../../../test-support/fixtures.js'
import { TORCH_PROGRAM } from '../src/torch-program.js'
import { cli } from './run-cli.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const PYTHON = '/usr/bin/python3'
const INSTALL = 'apt-get install -y python3-torch libopenblas0-pthread'

/** Runs Python with these arguments; a missing Python or torch fails with the install line, never a skip. */
const python = (args: ReadonlyArray<string>): { status: number | null; stdout: string; stderr: string } => {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} not found: ${INSTALL}`)
  if (!existsSync(TORCH_PROGRAM)) throw new Error(`${TORCH_PROGRAM} not found: the PyTorch comparison program is part of the repository`)
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', maxBuffer: 256 << 20 })
  if (/No module named 'torch'|torch is missing/.test(r.stderr)) throw new Error(`torch is missing: ${INSTALL}`)
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** The program itself, on the command line. */
const program = (args: ReadonlyArray<string>) => python([TORCH_PROGRAM, ...args])

interface Measures {
  readonly cos_norms: ReadonlyArray<number>
  readonly sin_norms: ReadonlyArray<number>
  readonly ffd_eta_0_5: number
  readonly fcr: number
}

interface Fixture {
  readonly config: { readonly p: number }
  readonly probe_inputs: ReadonlyArray<ReadonlyArray<number>>
  readonly probe_logits: ReadonlyArray<ReadonlyArray<number>>
  readonly embedding: Measures
  readonly neuron_logit_map: Measures
}

interface TaskRequest {
  readonly op: string
  readonly p: number
  readonly frac: number
  readonly seed: number
}

interface ProgramExamples {
  readonly tokens: ReadonlyArray<number>
  readonly labels: ReadonlyArray<number>
}

interface Answers {
  readonly operations: Readonly<Record<string, string>>
  readonly fixtures: ReadonlyArray<{ logits64: number[][]; logits32: number[][]; embedding: Measures; neuron_logit_map: Measures }>
  readonly tasks: ReadonlyArray<{ train: ProgramExamples; test: ProgramExamples }>
  readonly filters: { ema: number[]; ma: number[] } | null
  readonly refusals: ReadonlyArray<string | null>
}

interface Request {
  readonly fixtures: ReadonlyArray<string>
  readonly tasks: ReadonlyArray<TaskRequest>
  readonly filters: {
    readonly gradients: ReadonlyArray<number>
    readonly ema: readonly [number, number]
    readonly ma: readonly [number, number]
  }
  readonly refusals: ReadonlyArray<ReadonlyArray<string>>
}

/** One call of test/python/torch_program.py: the program imported as a module answers every question at once. */
const ask = (request: Request): Answers => {
  const r = python([path.join(here, 'python', 'torch_program.py'), path.dirname(TORCH_PROGRAM), JSON.stringify(request)])
  if (r.status !== 0) throw new Error(`torch_program.py failed: ${r.stderr}`)
  return JSON.parse(r.stdout) as Answers
}

const FILES = FIXTURES.map(fixturePath)

/** Every registered operation at p = 11 and 31, and a few more splits. */
const TASKS: ReadonlyArray<TaskRequest> = [
  ...OPERATIONS.flatMap((op) => [
    { op: op.id, p: 11, frac: 0.3, seed: 1 },
    { op: op.id, p: 31, frac: 0.5, seed: 0 },
  ]),
  { op: 'add', p: 31, frac: 0.7, seed: 2 ** 40 + 3 },
  { op: 'div', p: 13, frac: 0.45, seed: 12345678901 },
  { op: 'rand', p: 31, frac: 0.3, seed: 7 },
]

/** Command lines the program refuses, and what its one-line error says (after `grokscope_torch.py: error: `). */
const REFUSALS: ReadonlyArray<readonly [ReadonlyArray<string>, RegExp]> = [
  [['--ops', 'add,nope'], /unknown operation 'nope' \(allowed: add, sub, mul, div, .*, rand\)/],
  [['--ops', 'a+*b'], /unknown operation 'a\+\*b'/],
  [['--p', '12'], /'12' is not a prime from 3 to 997/],
  [['--frac', '1.5'], /'1\.5' is not a fraction strictly between 0 and 1/],
  [['--seeds', '0,,1'], /'0,,1' is not a list of seeds/],
  [['--grokfast', '0.98'], /'0\.98' is not alpha,lamb/],
  [['--grokfast-ma', '0,5'], /'0' is not an integer >= 1/],
  [['--grokfast', '0.98,2', '--grokfast-ma', '100,5'], /choose one filter/],
  [['--ops', 'add,mul', '--export', 'x.json'], /--export writes one run/],
  [['--p', '3', '--frac', '0.1'], /add mod 3 at frac 0\.1: 0 training and 9 test examples/],
  [['--device', 'tpu'], /--device: 'tpu' is not available here/],
  [['--beta2', '1'], /argument --beta2: '1' is not a number in \[0, 1\)/],
  [['--eps', '0'], /argument --eps: '0' is not a positive number/],
]

const answers = ask({
  fixtures: FILES,
  tasks: TASKS,
  filters: { gradients: [1, 2, 3, 4, 5], ema: [0.5, 2], ma: [3, 2] },
  refusals: REFUSALS.map(([argv]) => ['--steps', '1', ...argv]),
})

const maxAbsDiff = (a: ReadonlyArray<ReadonlyArray<number>>, b: ReadonlyArray<ReadonlyArray<number>>): number => {
  expect(a.length).toBe(b.length)
  return Math.max(...a.map((row, i) => (expect(row.length).toBe(b[i]!.length), Math.max(...row.map((x, j) => Math.abs(x - b[i]![j]!))))))
}

const largestGap = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): number => {
  expect(a.length).toBe(b.length)
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]!)))
}

/** A fixture's logits in float64 and float32 and the spectra, FFD and FCR of W_E and W_L, recomputed by the program. */
describe('the program’s model on the PyTorch fixtures', () => {
  it.each(FIXTURES.map((name, i) => [name, i] as const))('%s: probe logits within 1e-6 in float64 and 1e-4 in float32', (name, i) => {
    const fx = JSON.parse(readFileSync(FILES[i]!, 'utf8')) as Fixture
    const got = answers.fixtures[i]!
    const [d64, d32] = [maxAbsDiff(got.logits64, fx.probe_logits), maxAbsDiff(got.logits32, fx.probe_logits)]
    process.stdout.write(
      `${name}: max |Δlogit| float64 ${d64.toExponential(2)}, ` +
        `float32 ${d32.toExponential(2)} over ${fx.probe_inputs.length} probe inputs\n`,
    )
    expect(d64).toBeLessThan(1e-6)
    expect(d32).toBeLessThan(1e-4)
  })

  it.each(FIXTURES.map((name, i) => [name, i] as const))('%s: cos/sin norms, FFD and FCR of W_E and W_L within 1e-6', (name, i) => {
    const fx = JSON.parse(readFileSync(FILES[i]!, 'utf8')) as Fixture
    for (const key of ['embedding', 'neuron_logit_map'] as const) {
      const [got, want] = [answers.fixtures[i]![key], fx[key]]
      const norms = Math.max(largestGap(got.cos_norms, want.cos_norms), largestGap(got.sin_norms, want.sin_norms))
      const [dFfd, dFcr] = [Math.abs(got.ffd_eta_0_5 - want.ffd_eta_0_5), Math.abs(got.fcr - want.fcr)]
      process.stdout.write(
        `${name} ${key}: max |Δnorm| ${norms.toExponential(2)}, |ΔFFD| ${dFfd.toExponential(2)}, |ΔFCR| ${dFcr.toExponential(2)}\n`,
      )
      expect(got.cos_norms).toHaveLength(Math.floor(fx.config.p / 2))
      expect(norms).toBeLessThan(1e-6)
      expect(dFfd).toBeLessThan(1e-6)
      expect(dFcr).toBeLessThan(1e-6)
    }
  })
})

/** The program's examples are makeDataset's, in order. */
describe('the program’s split and labels are grokscope’s', () => {
  it('knows every registered operation by grokscope’s id, with grokscope’s formula', () => {
    expect(answers.operations).toEqual(Object.fromEntries(OPERATIONS.map((op) => [op.id, op.formula])))
  })

  it.each(TASKS.map((t, i) => [`${t.op} mod ${t.p}, r = ${t.frac}, seed ${t.seed}`, t, i] as const))(
    '%s: the same train and test examples', (_, t, i) => {
    const task = decodeTask({ p: t.p, ops: [t.op], frac: t.frac, seed: t.seed })
    if (E.isLeft(task)) throw new Error(`${t.op}: not a task`)
    const ours = makeDataset(task.right)
    const theirs = answers.tasks[i]!
    const same = (a: Examples, b: ProgramExamples) => {
      expect(b.labels).toEqual(Array.from(a.labels))
      expect(b.tokens).toEqual(Array.from(a.tokens))
    }
    same(ours.train, theirs.train)
    same(ours.test, theirs.test)
    // div leaves out b = 0 in both sets; every other operation labels all p² pairs.
    expect(theirs.train.labels.length + theirs.test.labels.length).toBe(t.op === 'div' ? t.p * (t.p - 1) : t.p * t.p)
  })
})

describe('the program’s Grokfast filters (Lee et al. 2024)', () => {
  it('EMA: e ← αe + (1−α)g from the first gradient, g + λe; MA: g alone until w gradients, then g + λ·mean(last w)', () => {
    const f = answers.filters!
    // e = 1, 1.5, 2.25, 3.125, 4.0625
    expect(f.ema).toEqual([3, 5, 7.5, 10.25, 13.125])
    expect(f.ma).toEqual([1, 2, 3 + 2 * 2, 4 + 2 * 3, 5 + 2 * 4])
  })
})

describe('the program’s command line', () => {
  it('trains: an H line of 10 fields per evaluation, a done line; ' +
    '--export writes a fixture that grokscope predict reads with the same logits', async () => {
    const fx = path.join(mkdtempSync(path.join(tmpdir(), 'grokscope-torch-')), 'fx.json')
    const r = program([
      '--ops', 'add', '--seeds', '3', '--p', '7', '--frac', '0.5', '--steps', '20', '--every', '10', '--device', 'cpu',
      '--grokfast-ma', '5,5', '--export', fx,
    ])
    expect(r.status, r.stderr).toBe(0)
    const lines = r.stdout.trim().split('\n')
    const history = lines.filter((l) => l.startsWith('H '))
    expect(history.map((l) => l.split(/\s+/).slice(0, 4))).toEqual([
      ['H', 'add', '3', '10'],
      ['H', 'add', '3', '20'],
    ])
    for (const l of history) {
      const w = l.split(/\s+/)
      expect(w).toHaveLength(10)
      expect(w.slice(4).map(Number).every(Number.isFinite)).toBe(true)
    }
    expect(lines.at(-1)).toMatch(/^done: add mod 7, seed 3, .*; 20 steps in \d+\.\d s; W_E FFD \d\.\d{3} FCR \d\.\d{3}$/)
    const written = JSON.parse(readFileSync(fx, 'utf8')) as Fixture & { config: { op: string; seed: number; steps: number } }
    expect(written.config).toMatchObject({ op: 'add', p: 7, seed: 3, steps: 20 })
    const pairs = written.probe_inputs.map(([a, , b]) => `${a},${b}`)
    const predicted = await cli(['predict', fx, '--json', '--pairs', ...pairs])
    expect(predicted.code, predicted.stderr).toBe(0)
    const logits = (JSON.parse(predicted.stdout) as Array<{ logits: number[] }>).map((x) => x.logits)
    expect(maxAbsDiff(logits, written.probe_logits)).toBeLessThan(1e-4)
  })

  it('--beta1, --beta2, --eps set AdamW’s and --out records them; they change the trajectory', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'grokscope-torch-'))
    const run = (name: string, extra: ReadonlyArray<string>) => {
      const out = path.join(dir, `${name}.jsonl`)
      const r = program(['--ops', 'add', '--p', '7', '--frac', '0.5', '--steps', '10', '--every', '10', '--out', out, ...extra])
      expect(r.status, r.stderr).toBe(0)
      return JSON.parse(readFileSync(out, 'utf8')) as { betas: number[]; eps: number; history: number[][] }
    }
    const paper = run('paper', [])
    const other = run('other', ['--beta1', '0.8', '--beta2', '0.95', '--eps', '1e-6'])
    expect([paper.betas, paper.eps]).toEqual([[0.9, 0.98], 1e-8])
    expect([other.betas, other.eps]).toEqual([[0.8, 0.95], 1e-6])
    expect(other.history.at(-1)![1]).not.toBe(paper.history.at(-1)![1])
  })

  it('--elapsed: a T line after each H line, its seconds since the first step rising; --threads N sets torch’s threads; ' +
    '--warmup and --init-scale change the training, --warmup 1 and --init-scale 1 do not (grokscope’s definitions)', () => {
    const run = (...more: string[]) => {
      const r = program(['--ops', 'add', '--seeds', '1', '--p', '7', '--frac', '0.5', '--steps', '20', '--every', '10', ...more])
      expect(r.status, r.stderr).toBe(0)
      return r.stdout.trim().split('\n')
    }
    const timed = run('--elapsed', '--threads', '1')
    const history = timed.filter((l) => l.startsWith('H ') || l.startsWith('T '))
    expect(history.map((l) => l.split(/\s+/).slice(0, 4).join(' '))).toEqual(['H add 1 10', 'T add 1 10', 'H add 1 20', 'T add 1 20'])
    const seconds = history.filter((l) => l.startsWith('T ')).map((l) => Number(l.split(/\s+/)[4]))
    expect(seconds[0]).toBeGreaterThan(0)
    expect(seconds[1]).toBeGreaterThan(seconds[0]!)
    const h = (lines: string[]) => lines.filter((l) => l.startsWith('H '))
    const plain = h(run())
    expect(h(timed)).toEqual(plain)
    expect(h(run('--warmup', '1', '--init-scale', '1'))).toEqual(plain)
    expect(h(run('--warmup', '5'))).not.toEqual(plain)
    expect(h(run('--init-scale', '0.5'))).not.toEqual(plain)
  })

  it('--bench N: the last line is JSON with ms_per_step, threads, n_train and p', () => {
    const r = program(['--bench', '2', '--p', '5', '--frac', '0.5', '--device', 'cpu'])
    expect(r.status, r.stderr).toBe(0)
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>
    expect(last).toMatchObject({ p: 5, n_train: 12, steps: 2 })
    expect(last.ms_per_step).toBeGreaterThan(0)
    expect(Number.isInteger(last.threads)).toBe(true)
  })

  it.each(REFUSALS.map(([argv, message], i) => [argv, message, i] as const))('refuses %j with its reason', (_, message, i) => {
    expect(answers.refusals[i]).toMatch(message)
  })

  it.each([
    [['--ops', 'add,nope'], /unknown operation 'nope'/],
    [['--bogus'], /unrecognized arguments: --bogus/],
  ])('%j: one line on stderr, nothing on stdout, exit code 2', (args, message) => {
    const r = program(['--steps', '1', ...args])
    expect(r.status).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/^grokscope_torch\.py: error: /)
    expect(r.stderr).toMatch(message)
  })
})

import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { OPERATIONS } from '@grokscope/data'
import { FIXTURES, fixturePath } from '../../../test-support/fixtures.js'
import { cli } from './run-cli.js'

const tmp = () => mkdtempSync(path.join(tmpdir(), 'grokscope-'))
const digest = (dir: string) =>
  readdirSync(dir)
    .sort()
    .map((f) => `${f}:${createHash('sha256').update(readFileSync(path.join(dir, f))).digest('hex')}`)
    .join('\n')
const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>)

// A small, fast configuration for the run-folder tests.
const TINY_MODEL = ['--p', '7', '--frac', '0.6', '--d-model', '16', '--heads', '2', '--d-head', '8', '--d-mlp', '32', '--eval-every', '10']
const SMALL = [...TINY_MODEL, '--no-progress']

describe('grokscope ops', () => {
  it('lists every registered operation with its formula and the paper’s verdict', async () => {
    const r = await cli(['ops', '--json'])
    expect(r.code).toBe(0)
    const rows = JSON.parse(r.stdout) as Array<{ id: string; formula: string; groks_in_paper: boolean | null }>
    expect(rows.map((x) => x.id)).toEqual(OPERATIONS.map((op) => op.id))
    expect(rows.find((x) => x.id === 'add')).toMatchObject({ formula: 'a + b', groks_in_paper: true })
    expect(rows.find((x) => x.id === '2a+b')?.groks_in_paper).toBe(false)
    const text = await cli(['ops'])
    expect(text.stdout).toMatch(/^a3\+ab2\+b\s+a\^3 \+ a\*b\^2 \+ b\s+non-factorizable\s+no$/m)
  })
})

describe('bad input: one line naming the problem, exit code 2, nothing written', () => {
  it.each([
    [['train', '--p', '91'], 'grokscope: error: --p: 91 is not allowed (a prime from 3 to 997)'],
    [['train', '--p', 'x'], 'is not allowed (a prime from 3 to 997)'],
    [['train', '--frac', '1.5'], 'not allowed (a number with 0 < r < 1)'],
    [['train', '--seed', '-3'], 'grokscope: error: --seed: -3 is not allowed (an integer from 0 to 2^53 - 1)'],
    [['train', '--steps', '0'], 'grokscope: error: --steps: "0" is not allowed (an integer from 1 to 1000000000)'],
    [
      ['train', '--op', 'a + * b'],
      "--op: not a registered operation id, and not a valid expression: column 5: expected a number, a, b or '(', got '*'",
    ],
    [['train', '--ops', 'add,add'], '--ops: add is listed twice'],
    [['train', '--op', 'add', '--ops', 'mul'], '--op and --ops exclude each other'],
    [['train', '--act', 'tanh'], 'grokscope: error: --act: "tanh" is not allowed (allowed: relu, gelu)'],
    [['train', '--bogus'], 'grokscope: error: --bogus: not an option of grokscope train (see grokscope train --help)'],
    [['train', '--progress'], 'grokscope: error: --progress: not an option of grokscope train (did you mean --no-progress?)'],
    [['train', '--resume'], 'holds no run to resume'],
    [['analyze', '/nonexistent.json'], '/nonexistent.json does not exist'],
    [['analyze', 'x', '--eta', '2'], '"2" is not allowed (a number with 0 ≤ η < 1)'],
    [
      ['analyze', 'x', '--key-freqs', 'auto:0.5'],
      '"auto:0.5": the factor must be a number ≥ 1 ' +
        '(allowed: auto, auto:<factor ≥ 1>, energy, energy:<threshold in [0, 1)> or frequencies such as 6,29,42)',
    ],
    [['analyze', 'x', '--key-freqs', 'top3'], '"top3": not a rule nor a list of frequencies'],
    [['report', 'x', '--key-freqs', '4,4'], '"4,4": a frequency is listed twice'],
    [['analyze', fixturePath(FIXTURES[0]), '--key-freqs', '3,16'], '--key-freqs: key frequencies 16: p = 31 has frequencies 1 to 15'],
    [['predict', 'x'], 'give either --pairs (pairs such as 3,5 7,2) or --test-errors'],
    [['predict', 'x', '--pairs', '3,5', '--test-errors'], 'give either --pairs (pairs such as 3,5 7,2) or --test-errors'],
    [
      ['predict', fixturePath(FIXTURES[0]), '--test-errors'],
      'does not record a split grokscope made (ops, frac and seed; allowed: a run folder,',
    ],
    [['frobnicate'], 'grokscope: error: frobnicate: not a command of grokscope (see grokscope --help)'],
    [['plot', '/nonexistent'], '/nonexistent has no metrics.jsonl'],
    [['train', '--memory', '10'], '"10" is not allowed (an integer from 64 to 1048576)'],
    [
      ['train', '--memory', '64', '--threads', '2'],
      '--memory: 64 MiB cannot hold one example per thread with this model and 2 thread(s) (allowed: --memory ≥',
    ],
    [['train', '--p', '997', '--measure-every', '100'], '--measure-every: the all-pairs analyses of p = 997 need about'],
    [['analyze', fixturePath(FIXTURES[0]), '--memory', '64'], 'analyze: the all-pairs analyses of p = 31 need about'],
    [['bench', '--p', '97,x'], 'is not allowed (a prime from 3 to 997)'],
    [['bench', '--p', '97,'], 'a prime from 3 to 997, or a comma-separated list of them'],
  ])('%j', async (args, message) => {
    const dir = tmp()
    const r = await cli(args[0] === 'train' ? [...args, '--out', path.join(dir, 'run')] : args, { cwd: dir })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(message)
    expect(r.stderr).toMatch(/^grokscope: error: [^\n]+\n$/)
    expect(readdirSync(dir)).toEqual([])
  })

  it('a folder that already holds a run is left untouched without --resume', async () => {
    const dir = tmp()
    const out = path.join(dir, 'run')
    expect((await cli(['train', ...SMALL, '--steps', '20', '--out', out])).code).toBe(0)
    const before = digest(out)
    const r = await cli(['train', ...SMALL, '--steps', '20', '--out', out])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('already holds a run (pass --resume to continue it, or choose another --out)')
    expect(digest(out)).toBe(before)
  })

  it('predict rejects pairs outside ℤ_p and unknown operations', async () => {
    const fx = fixturePath(FIXTURES[0])
    const out = await cli(['predict', fx, '--pairs', '3,5', '31,2'])
    expect(out.code).toBe(2)
    expect(out.stderr).toContain('--pairs: "31,2" is out of range (allowed: 0 ≤ a, b < 31)')
    const bad = await cli(['predict', fx, '--pairs', '3;5'])
    expect(bad.stderr).toContain('--pairs: "3;5" is not a pair')
    const op = await cli(['predict', fx, '--pairs', '3,5', '--op', 'mul'])
    expect(op.stderr).toContain('--op: mul is not an operation of this model (allowed: add)')
  })
})

describe('a run folder', () => {
  it('has config, metrics, weights, state and summary; a resumed run continues where it stopped', async () => {
    const out = path.join(tmp(), 'run')
    const first = await cli([
      'train', ...SMALL, '--ops', 'add,mul', '--steps', '30', '--checkpoint-every', '10', '--measure-every', '20', '--out', out,
    ])
    expect(first.code).toBe(0)
    expect(first.stdout).toContain(`results in ${out}/`)
    expect(readdirSync(out).sort()).toEqual(['config.json', 'curves.svg', 'metrics.jsonl', 'state.json', 'summary.json', 'weights.json'])
    const svg = readFileSync(path.join(out, 'curves.svg'), 'utf8')
    expect(svg).toMatch(/^<svg /)
    for (const label of ['accuracy', 'loss (log)', 'FFD / FCR', 'FFD(W_E)', 'FCR(W_L)', 'add, mul mod 7']) expect(svg).toContain(label)
    const m = lines(path.join(out, 'metrics.jsonl'))
    // The first record is of the initial weights (step 0, before any update).
    expect(m.map((x) => x.step)).toEqual([0, 10, 20, 30])
    expect(m[0]).toMatchObject({
      W_E: { ffd: expect.any(Number), fcr: expect.any(Number) },
      W_L: { ffd: expect.any(Number), fcr: expect.any(Number) },
    })
    expect(Object.keys(m[0]!.per_op as object)).toEqual(['add', 'mul'])
    expect(m[0]).toMatchObject({ W_E: { ffd_mult: expect.any(Number), fcr_mult: expect.any(Number) }, weight_norm: expect.any(Number) })
    // All-pairs logit measures only at multiples of --measure-every.
    expect(m.map((x) => x.logits !== undefined)).toEqual([true, false, true, false])
    expect(m[2]!.logits).toMatchObject({
      add: { asymmetry: expect.any(Number), n_key: expect.any(Number), restricted_loss: expect.any(Number) },
      mul: expect.any(Object),
    })
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'))
    expect(summary).toMatchObject({ status: 'finished', stopped_by: 'max-steps', steps: 30, backend: 'wasm' })
    expect(summary.steps_per_s).toBeGreaterThan(0)

    const second = await cli(['train', '--resume', '--steps', '50', '--out', out, '--no-progress'])
    expect(second.code).toBe(0)
    expect(lines(path.join(out, 'metrics.jsonl')).map((x) => x.step)).toEqual([0, 10, 20, 30, 40, 50])
    expect(JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'))).toMatchObject({ steps: 50, resumed_from_step: 30 })
    const analyzed = await cli(['analyze', out, '--json'])
    expect(JSON.parse(analyzed.stdout).ops).toEqual(['add', 'mul'])
    const plotted = await cli(['plot', out, '--out', path.join(out, 'again.svg')])
    expect(plotted.stdout.trim()).toBe(path.join(out, 'again.svg'))
    expect(readFileSync(path.join(out, 'again.svg'), 'utf8')).toContain('step')
    const predicted = await cli(['predict', out, '--op', 'mul', '--pairs', '3,5', '--json'])
    expect(JSON.parse(predicted.stdout)[0]).toMatchObject({ a: 3, b: 5, op: 'mul', input: [3, 8, 5], expected: 1 })
    // The test pairs it gets wrong: as many as its last evaluation's test accuracy says, each with its true residue.
    const errors = await cli(['predict', out, '--test-errors'])
    expect(errors.code, errors.stderr).toBe(0)
    const [, nWrong, nTest] = /^(\d+) of (\d+) test pairs wrong/m.exec(errors.stdout)!.map(Number) as [number, number, number]
    const acc = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')).final.test.acc as number
    expect(nTest - nWrong).toBe(Math.round(acc * nTest))
    const wrong = JSON.parse((await cli(['predict', out, '--test-errors', '--json'])).stdout) as Array<{
      a: number
      b: number
      op: string
      predicted: number
      expected: number
    }>
    expect(wrong).toHaveLength(nWrong)
    for (const w of wrong) {
      expect(w.predicted).not.toBe(w.expected)
      expect(w.expected).toBe(w.op === 'add' ? (w.a + w.b) % 7 : (w.a * w.b) % 7)
    }
    const mulOnly = JSON.parse((await cli(['predict', out, '--test-errors', '--op', 'mul', '--json'])).stdout) as Array<{ op: string }>
    expect(mulOnly).toEqual(wrong.filter((w) => w.op === 'mul'))
  }, 30_000)

  it('the smallest modulus, p = 3, trains and is analysed (no multiplicative measures: its group has order 2)', async () => {
    const out = path.join(tmp(), 'run')
    const r = await cli(['train', '--p', '3', '--frac', '0.5', '--steps', '20', '--eval-every', '10', '--no-progress', '--out', out])
    expect(r.code, r.stderr).toBe(0)
    expect(lines(path.join(out, 'metrics.jsonl'))[0]!.W_E).not.toHaveProperty('ffd_mult')
    const a = JSON.parse((await cli(['analyze', out, '--json'])).stdout)
    expect(a.embedding.multiplicative).toBeNull()
    expect(a.per_op[0].logits_map.norms).toHaveLength(3)
  }, 30_000)

  it('an interrupted run saves its state, exits 130, and resumes', async () => {
    const out = path.join(tmp(), 'run')
    const r = await cli(['train', ...TINY_MODEL, '--steps', '100000', '--out', out], {
      onStderr: (text, kill) => {
        // The progress lines: a heading, then one row per evaluation, the step first.
        if (/^ +step +train loss/m.test(text) && /^ +30 /m.test(text)) kill('SIGINT')
      },
    })
    expect(r.code).toBe(130)
    expect(r.stdout).toContain('continue with --resume')
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'))
    expect(summary).toMatchObject({ status: 'interrupted', stopped_by: 'interrupt' })
    const resumed = await cli(['train', '--resume', '--steps', String(summary.steps + 5), '--out', out, '--no-progress'])
    expect(resumed.code).toBe(0)
    expect(JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')).steps).toBe(summary.steps + 5)
  }, 30_000)
})

describe.each(FIXTURES)('parity with the PyTorch fixture %s through the CLI', (name) => {
  const file = fixturePath(name)
  const fx = JSON.parse(readFileSync(file, 'utf8')) as {
    probe_inputs: number[][]
    probe_logits: number[][]
    embedding: { cos_norms: number[]; sin_norms: number[]; ffd_eta_0_5: number; fcr: number }
    neuron_logit_map: { cos_norms: number[]; sin_norms: number[]; ffd_eta_0_5: number; fcr: number }
  }

  it('predict on the probe inputs matches the probe logits within 1e-3', async () => {
    const r = await cli(['predict', file, '--json', '--pairs', ...fx.probe_inputs.map(([a, , b]) => `${a},${b}`)])
    expect(r.code).toBe(0)
    const rows = JSON.parse(r.stdout) as Array<{ input: number[]; logits: number[] }>
    expect(rows.map((x) => x.input)).toEqual(fx.probe_inputs)
    const worst = Math.max(...rows.flatMap((x, i) => x.logits.map((y, j) => Math.abs(y - fx.probe_logits[i]![j]!))))
    expect(worst).toBeLessThan(1e-3)
  })

  it('analyze reproduces the cos/sin norms, FFD and FCR of W_E and W_L within 1e-6', async () => {
    const r = await cli(['analyze', file, '--json'])
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout)
    for (const key of ['embedding', 'neuron_logit_map'] as const) {
      const [got, want] = [doc[key], fx[key]]
      const worst = Math.max(
        ...want.cos_norms.map((x, i) => Math.abs(x - got.cos_norms[i])),
        ...want.sin_norms.map((x, i) => Math.abs(x - got.sin_norms[i])),
      )
      expect(worst).toBeLessThan(1e-6)
      expect(Math.abs(got.ffd - want.ffd_eta_0_5)).toBeLessThan(1e-6)
      expect(Math.abs(got.fcr - want.fcr)).toBeLessThan(1e-6)
    }
    // The rest of the suite is there too, per operation.
    const [op] = doc.per_op
    expect(op.logits_map.norms).toHaveLength(31)
    expect(op.logits_map.names.slice(0, 3)).toEqual(['const', 'cos 1', 'sin 1'])
    expect(op.key_frequencies.rule).toBe('auto:2')
    // For addition the key frequencies carry the answer: removing any of them hurts, keeping only them does not.
    if (name.startsWith('add')) {
      expect(op.key_frequencies.key.length).toBeGreaterThan(0)
      expect(op.key_frequencies.dependent).toEqual(expect.arrayContaining(op.key_frequencies.key))
      expect(op.key_frequencies.losses.key_only).toBeLessThan(op.key_frequencies.losses.all)
      expect(op.key_frequencies.warning).toBeNull()
      expect(r.stderr).toBe('')
    } else {
      // Multiplication is not carried by the additive frequencies: one warning line on stderr, the same in the document.
      expect(op.key_frequencies.warning).toContain('(more than 2×)')
      expect(r.stderr).toBe(`grokscope: warning: ${op.op}: ${op.key_frequencies.warning}\n`)
    }
    expect(op.neurons.counts.reduce((s: number, n: number) => s + n, 0)).toBe(512)
    expect(doc.weight_norms.total).toBeGreaterThan(0)
  })

  it('the summary names every section', async () => {
    const r = await cli(['analyze', file])
    for (const s of [
      'FFD mult.',
      'Top 10 frequencies',
      'Weight norms',
      'asymmetry',
      'key frequencies',
      'restricted loss as the frequencies are added',
      'key only (restricted)',
      'neurons by dominant frequency',
      'Timings',
    ]) {
      expect(r.stdout).toContain(s)
    }
  })

  it('--key-freqs: the old energy rule and a list are reachable, each named in the document, ' +
    'and a list too short to carry the answer warns', async () => {
    const energy = JSON.parse((await cli(['analyze', file, '--json', '--key-freqs', 'energy:0.1'])).stdout).per_op[0].key_frequencies
    expect(energy.rule).toBe('energy:0.1')
    expect(energy.prefix_losses).toEqual([])
    const one = await cli(['analyze', file, '--key-freqs', '1'])
    expect(one.code).toBe(0)
    expect(one.stdout).toContain('key frequencies (as given): 1;')
    expect(one.stderr).toMatch(
      /^grokscope: warning: \S+: the restricted loss \S+ of the key frequencies \{1\} is \S+× the full loss \S+ \(more than 2×\)/,
    )
    expect(one.stderr.trim().split('\n')).toHaveLength(1)
  })
})

it('report --key-freqs: the page names the rule and shows the warning that stderr prints once', async () => {
  const out = path.join(tmp(), 'mul.html')
  const r = await cli(['report', fixturePath('mul-p31-s0.json'), '--out', out])
  expect(r.code).toBe(0)
  expect(r.stderr).toMatch(
    /^grokscope: warning: mul: the restricted loss \S+ of the key frequencies \{\} is \S+× the full loss \S+ \(more than 2×\): they do not carry the model's answer\n$/,
  )
  const html = readFileSync(out, 'utf8')
  expect(html).toContain(
    'Key frequencies (the fewest by energy whose restricted loss is within 2× the lower of the full loss and that of all frequencies): ' +
      '<b>none</b>',
  )
  expect(html).toContain('<p class="key-warning" style="color:#a40">Warning: the restricted loss')
  const listed = path.join(tmp(), 'add.html')
  expect((await cli(['report', fixturePath('add-p31-s0.json'), '--out', listed, '--key-freqs', '1,5,14'])).stderr).toBe('')
  expect(readFileSync(listed, 'utf8')).toContain('Key frequencies (as given): <b>1, 5, 14</b>')
}, 120_000)

describe('help', () => {
  it.each([
    ['--help'],
    ['train', '--help'],
    ['analyze', '--help'],
    ['predict', '--help'],
    ['ops', '--help'],
    ['plot', '--help'],
    ['bench', '--help'],
  ])('%j prints usage and exits 0', async (...args) => {
    const r = await cli(args)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Usage: grokscope')
  })

  it('mentions FFS as the other name of FFD', async () => {
    expect((await cli(['train', '--help'])).stdout).toContain('FFS')
  })
})

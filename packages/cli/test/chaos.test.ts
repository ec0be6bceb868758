// Crash safety: a run killed with SIGKILL at random moments and resumed each time
// ends exactly as the same run straight through; a torn metrics line, a corrupt
// config.json or state.json are handled with one line.
import { createHash } from 'node:crypto'
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { cli } from './run-cli.js'

const tmp = () => mkdtempSync(path.join(tmpdir(), 'grokscope-chaos-'))
const read = (file: string) => readFileSync(file, 'utf8')
const json = (file: string): Record<string, unknown> => JSON.parse(read(file)) as Record<string, unknown>
const metrics = (dir: string) =>
  read(path.join(dir, 'metrics.jsonl'))
    .split('\n')
    .filter((l) => l !== '')
    .map(
      (l) =>
        JSON.parse(l) as {
          step: number
          train_loss: number
          train_acc: number
          test_loss: number
          test_acc: number
          grok_step: number | null
        },
    )
const digest = (dir: string) =>
  readdirSync(dir)
    .sort()
    .map((f) => `${f}:${createHash('sha256').update(readFileSync(path.join(dir, f))).digest('hex')}`)
    .join('\n')

/** mulberry32: a small seeded generator, so that the kill moments are the same on every run of the test. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

// Small and fast: ~100 steps/s. Checkpoints (30) fall between evaluations (20) and on them (60, 120, …);
// the weights history (40) on evaluations, between checkpoints and with them (120, 240, …).
const STEPS = 400
const RUN = [
  '--op', 'add', '--p', '23', '--frac', '0.5', '--d-model', '32', '--heads', '2', '--d-head', '16', '--d-mlp', '64',
  '--steps', String(STEPS), '--eval-every', '20', '--checkpoint-every', '30', '--stop-after-grok', 'never', '--save-every', '40',
]
// The thread count is not part of the run: the same on every start (the gradients' summation order depends on it).
const RUNTIME = ['--threads', '1']
const KILLS = 6
// Starts (1-based) killed at a random moment after the start rather than at a step.
const STARTUP_KILLS = [3, 6]

const lastStep = (stderr: string): number => {
  // The progress lines: a heading, then one row per evaluation, its step first (right-aligned).
  const steps = [...stderr.matchAll(/^ *(\d+) /gm)].map((m) => Number(m[1]))
  return steps.at(-1) ?? 0
}

describe('a run killed at random moments', () => {
  it('resumes every time and ends with the weights and metrics of the run straight through', async () => {
    const ref = path.join(tmp(), 'run')
    const straight = await cli(['train', ...RUN, ...RUNTIME, '--no-progress', '--out', ref])
    expect(straight.code, straight.stderr).toBe(0)

    const out = path.join(tmp(), 'run')
    const rand = random(20_241_127)
    const landed: string[] = []
    let starts = 0
    let target = 0
    let stepKills = 0
    for (;;) {
      starts++
      expect(starts, 'the run should finish after the kills').toBeLessThan(KILLS + STARTUP_KILLS.length + 3)
      const args = starts === 1 ? ['train', ...RUN, ...RUNTIME, '--out', out] : ['train', '--resume', '--out', out, ...RUNTIME]
      const stepKill = stepKills < KILLS && !STARTUP_KILLS.includes(starts)
      const startupKill = STARTUP_KILLS.includes(starts)
      // Most kills: when the progress lines (one per evaluation, after its metrics line) reach the next random
      // step, 20 or 40 steps after the last kill's, plus 0–100 ms (0–10 steps): the kill lands between evaluations,
      // in a checkpoint's writes or in a metrics append. A few: 0.2–1.5 s after the start (loading the folder,
      // rewriting its metrics, starting the backend, or the first steps).
      if (stepKill) target += 20 * (1 + Math.floor(rand() * 2))
      const delay = stepKill ? Math.floor(rand() * 100) : 200 + Math.floor(rand() * 1300)
      let sent = false
      const r = await cli(args, {
        onStart: (kill) => {
          if (startupKill) setTimeout(() => kill('SIGKILL'), delay)
        },
        onStderr: (text, kill) => {
          if (!stepKill || sent || lastStep(text) < target) return
          sent = true
          setTimeout(() => kill('SIGKILL'), delay)
        },
      })
      if (r.signal === 'SIGKILL') {
        if (stepKill) stepKills++
        const text = read(path.join(out, 'metrics.jsonl'))
        const steps = [...text.matchAll(/^\{"step":(\d+),.*\}$/gm)].map((x) => Number(x[1]))
        const state = json(path.join(out, 'state.json'))
        // Checkpoints fall at multiples of --checkpoint-every, evaluated or not.
        expect(Number(state.step) % 30).toBe(0)
        const torn = text !== '' && !text.endsWith('\n')
        const when = startupKill ? `${delay} ms after the start` : `progress at step ${lastStep(r.stderr)} + ${delay} ms`
        landed.push(
          `kill ${landed.length + 1} (${when}): state.json at step ${String(state.step)}, ` +
            `metrics.jsonl up to step ${steps.at(-1) ?? '-'}${torn ? ', torn last line' : ''}`,
        )
        continue
      }
      expect(r.code, r.stderr).toBe(0)
      break
    }
    console.log(`chaos: ${landed.length} kills, ${starts} starts\n${landed.join('\n')}`)
    expect(landed.length).toBeGreaterThanOrEqual(KILLS)

    // The final weights, bit for bit: the fixtures' JSON numbers are the float32 values exactly, state.json their bytes.
    expect(json(path.join(out, 'weights.json')).weights).toEqual(json(path.join(ref, 'weights.json')).weights)
    const [a, b] = [json(path.join(out, 'state.json')), json(path.join(ref, 'state.json'))]
    expect([a.params, a.opt, a.step]).toEqual([b.params, b.opt, b.step])
    // Every evaluation once, in order, with the same values.
    const pick = (m: ReturnType<typeof metrics>) =>
      m.map(({ step, train_loss, train_acc, test_loss, test_acc, grok_step }) => ({
        step,
        train_loss,
        train_acc,
        test_loss,
        test_acc,
        grok_step,
      }))
    expect(metrics(out).map((x) => x.step)).toEqual(Array.from({ length: STEPS / 20 + 1 }, (_, i) => 20 * i))
    expect(pick(metrics(out))).toEqual(pick(metrics(ref)))
    expect(json(path.join(out, 'summary.json'))).toMatchObject({ status: 'finished', stopped_by: 'max-steps', steps: STEPS })
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([])
    // The weights history: every saved step once, none lost or left half-written, byte for byte the run straight through's.
    const history = Array.from({ length: STEPS / 40 + 1 }, (_, i) => `step-${String(40 * i).padStart(6, '0')}.safetensors`)
    expect(readdirSync(path.join(ref, 'history'))).toEqual(history)
    expect(readdirSync(path.join(out, 'history'))).toEqual(history)
    expect(digest(path.join(out, 'history'))).toBe(digest(path.join(ref, 'history')))
  }, 120_000)
})

// A tiny run for the tests below.
const TINY_MODEL = [
  '--p', '7', '--frac', '0.6', '--d-model', '16', '--heads', '2', '--d-head', '8', '--d-mlp', '32', '--threads', '1', '--no-progress',
]
const TINY = [...TINY_MODEL, '--eval-every', '10']

describe('checkpoints', () => {
  it('are saved at every multiple of --checkpoint-every, with no evaluation in between', async () => {
    const out = path.join(tmp(), 'run')
    const state = path.join(out, 'state.json')
    const step = (): number => {
      try {
        return Number(json(state).step)
      } catch {
        return 0
      }
    }
    // Evaluations every 5000 steps, checkpoints every 10: kill once state.json has moved past step 20.
    const r = await cli(['train', ...TINY_MODEL, '--eval-every', '5000', '--checkpoint-every', '10', '--steps', '100000', '--out', out], {
      onStart: (kill) => {
        const timer = setInterval(() => {
          if (step() < 20) return
          clearInterval(timer)
          kill('SIGKILL')
        }, 20)
      },
    })
    expect(r.signal).toBe('SIGKILL')
    const at = step()
    expect(at).toBeGreaterThanOrEqual(20)
    expect(at % 10).toBe(0)
    // The only evaluation so far is the initial weights' (step 0).
    expect(metrics(out).map((m) => m.step)).toEqual([0])
    // state.json is written before weights.json: a kill between the two leaves weights.json one checkpoint behind, never more.
    expect([at, at - 10]).toContain((json(path.join(out, 'weights.json')).config as { steps: number }).steps)
    const resumed = await cli(['train', '--resume', '--steps', String(at + 5), '--out', out, '--threads', '1', '--no-progress'])
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(metrics(out).map((m) => m.step)).toEqual([0, at + 5])
  }, 60_000)
})


describe('a damaged run folder', () => {
  it('a torn last metrics line is dropped with a one-line warning, on resume and by plot', async () => {
    const out = path.join(tmp(), 'run')
    expect((await cli(['train', ...TINY, '--steps', '30', '--checkpoint-every', '20', '--out', out])).code).toBe(0)
    const file = path.join(out, 'metrics.jsonl')
    const whole = read(file)
    // A crash in the middle of appending the line of step 40.
    const next = whole.trimEnd().split('\n').at(-1)!.replace('"step":30', '"step":40')
    appendFileSync(file, next.slice(0, 57))
    const plotted = await cli(['plot', out, '--out', path.join(out, 'again.svg')])
    expect(plotted.code, plotted.stderr).toBe(0)
    expect(plotted.stderr.trim().split('\n')).toHaveLength(1)
    expect(plotted.stderr).toContain(`${file}:5: dropped a torn last line`)
    const r = await cli(['train', '--resume', '--steps', '50', '--out', out, '--threads', '1', '--no-progress'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(
      /^grokscope: warning: .*metrics\.jsonl:5: dropped a torn last line \(57 characters; a run stopped while writing it\)\n$/,
    )
    expect(metrics(out).map((m) => m.step)).toEqual([0, 10, 20, 30, 40, 50])
  }, 60_000)

  it('a bad line before the last is a one-line error naming the file and the line, exit 2, nothing changed', async () => {
    const out = path.join(tmp(), 'run')
    expect((await cli(['train', ...TINY, '--steps', '30', '--out', out])).code).toBe(0)
    const file = path.join(out, 'metrics.jsonl')
    const lines = read(file).split('\n')
    writeFileSync(file, [lines[0], lines[1]!.slice(0, 20), ...lines.slice(2)].join('\n'))
    const before = digest(out)
    const r = await cli(['train', '--resume', '--steps', '40', '--out', out, '--no-progress'])
    expect([r.code, r.stderr]).toEqual([2, `grokscope: error: ${file}:2: not a JSON line (a torn line can only be the last one)\n`])
    expect(digest(out)).toBe(before)
    writeFileSync(file, [lines[0], lines[1]!.replace('"train_loss":', '"train_loss":"x","was":'), ...lines.slice(2)].join('\n'))
    const typed = await cli(['plot', out])
    expect([typed.code, typed.stderr]).toEqual([2, `grokscope: error: ${file}:2: train_loss is "x" (expected a number or null)\n`])
    writeFileSync(file, [lines[1], lines[0], ...lines.slice(2)].join('\n'))
    expect((await cli(['plot', out])).stderr).toContain(`${file}:2: step 0 after step 10 (steps must increase)`)
  }, 60_000)

  it.each<[string, string, (text: string) => string, string]>([
    [
      'config.json',
      'a model size of the wrong type',
      (t) => t.replace('"d_model": 16', '"d_model": "a"'),
      'config.json: model.d_model is "a" (expected an integer ≥ 1)',
    ],
    [
      'config.json',
      'a model that does not fit the task',
      (t) => t.replace('"d_vocab": 8', '"d_vocab": 9'),
      'config.json: model.d_vocab is 9 (expected 8: p + the number of operations)',
    ],
    [
      'config.json',
      'an unknown operation',
      (t) => t.replace('"add"', '"a+"'),
      'config.json: task.ops.0: not a registered operation id, and not a valid expression',
    ],
    ['config.json', 'cut in half', (t) => t.slice(0, t.length / 2), 'config.json is not valid JSON'],
    ['state.json', 'cut in half', (t) => t.slice(0, t.length / 2), 'state.json is not valid JSON'],
    ['state.json', 'a negative step', (t) => t.replace(/"step":\d+/, '"step":-1'), 'state.json: step is -1 (expected an integer ≥ 0)'],
    [
      'state.json',
      'truncated base64',
      (t) => t.replace(/("unembed\.W_U":\{"shape":\[16,7\],"f32":")[^"]{8}/, '$1'),
      'state.json: params.unembed.W_U.f32 holds 442 bytes (expected 448: 4 per float32 of shape [16,7])',
    ],
    [
      'state.json',
      'another model’s weights',
      (t) => t.replace('"shape":[8,16]', '"shape":[16,8]'),
      'state.json: params.embed.W_E.shape is [16,8] (expected [8,16] from the config)',
    ],
  ])('%s %s: --resume gives one line naming the file and the field, exit 2, nothing changed', async (name, _, corrupt, message) => {
    const out = path.join(tmp(), 'run')
    expect((await cli(['train', ...TINY, '--steps', '20', '--out', out])).code).toBe(0)
    const file = path.join(out, name)
    copyFileSync(file, `${file}.orig`)
    writeFileSync(file, corrupt(read(file)))
    expect(read(file)).not.toBe(read(`${file}.orig`))
    const before = digest(out)
    const r = await cli(['train', '--resume', '--steps', '30', '--out', out, '--no-progress'])
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain(`grokscope: error: ${path.join(out, message)}`)
    expect(digest(out)).toBe(before)
  }, 30_000)

  it('the grok step of a resumed run comes only from metrics lines up to its checkpoint', async () => {
    const out = path.join(tmp(), 'run')
    expect((await cli(['train', ...TINY, '--steps', '20', '--out', out])).code).toBe(0)
    const at20 = read(path.join(out, 'state.json'))
    expect((await cli(['train', '--resume', '--steps', '40', '--out', out, '--threads', '1', '--no-progress'])).code).toBe(0)
    const honest = metrics(out)
    expect(honest.map((m) => m.grok_step)).toEqual([null, null, null, null, null])
    // Back to the checkpoint at step 20, with lines after it that claim a grok at 30 (as a run killed after writing them would leave).
    writeFileSync(path.join(out, 'state.json'), at20)
    const file = path.join(out, 'metrics.jsonl')
    writeFileSync(file, honest.map((m) => `${JSON.stringify(m.step > 20 ? { ...m, grok_step: 30 } : m)}\n`).join(''))
    expect(metrics(out).map((m) => m.grok_step)).toEqual([null, null, null, 30, 30])
    const r = await cli(['train', '--resume', '--out', out, '--threads', '1', '--no-progress'])
    expect(r.code, r.stderr).toBe(0)
    const values = (m: ReturnType<typeof metrics>) =>
      m.map(({ step, train_loss, test_acc, grok_step }) => ({ step, train_loss, test_acc, grok_step }))
    expect(values(metrics(out))).toEqual(values(honest))
    expect(json(path.join(out, 'summary.json'))).toMatchObject({ grokked: false, grok_step: null, steps: 40, resumed_from_step: 20 })
  }, 60_000)
})

// One writer per run folder, through the CLI (the lock itself: packages/node/test/lock.test.ts): two
// `train --resume` at once, two sweeps into one --out at once, the shares of an array started at once,
// a sweep killed with kill -9 (nothing of it keeps running), and N processes racing on one folder.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { LOCK_FILE, temporaryTarget } from '@grokscope/runs'
import { MAIN, alive, cli, metricSteps as steps } from './run-cli.js'

const tmp = () => mkdtempSync(path.join(tmpdir(), 'grokscope-lock-'))
const read = (file: string) => readFileSync(file, 'utf8')
const json = (file: string): Record<string, unknown> => JSON.parse(read(file)) as Record<string, unknown>


const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

const increasing = (xs: ReadonlyArray<number>): boolean => xs.every((x, i) => i === 0 || x > xs[i - 1]!)

/** Waits (polling) until `done()`; fails after a generous deadline (not a timing assertion: only a hang fails). */
const until = async (what: string, done: () => boolean, deadlineMs = 60_000): Promise<void> => {
  const t0 = Date.now()
  while (!done()) {
    if (Date.now() - t0 > deadlineMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

interface Spawned {
  readonly child: ChildProcess
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>
  readonly out: () => string
  readonly ended: () => boolean
}

/** Starts the CLI (or a script) and collects its output. */
const start = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = process.env, stdin: 'pipe' | 'ignore' = 'ignore'): Spawned => {
  const child = spawn(process.execPath, args, { stdio: [stdin, 'pipe', 'pipe'], env })
  let stdout = ''
  let stderr = ''
  let ended = false
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      ended = true
      resolve({ code, signal, stdout, stderr })
    })
  })
  return { child, done, out: () => stdout, ended: () => ended }
}

// A progress line's heading or one of its rows (a step, then the values).
const PROGRESS_LINE = /^ *(step|\d+) /
const HOLDER = /is locked by pid (\d+)@[^ ]+ since \d{4}-\d\d-\d\dT[\d:.]+Z \(.*\.lock\): another process is writing this run/

// Tiny runs: p = 11, a small model, one thread (results do not depend on the machine).
const MODEL = ['--p', '11', '--frac', '0.5', '--d-model', '16', '--heads', '2', '--d-head', '8', '--d-mlp', '32', '--threads', '1']
const RUN = ['--op', 'add', ...MODEL, '--eval-every', '20', '--checkpoint-every', '20', '--stop-after-grok', 'never']

// ─────────────────────────────────────────────────────────────────────────────
// case 1: two train --resume at once
// ─────────────────────────────────────────────────────────────────────────────

describe('two train --resume on one folder at once', () => {
  it('one trains; the other exits 2 with one line naming it; the metrics stay in order and the run resumes', async () => {
    const out = path.join(tmp(), 'run')
    expect((await cli(['train', ...RUN, '--steps', '40', '--no-progress', '--out', out])).code).toBe(0)
    // A budget no process reaches in this test: the one that trains is stopped with Ctrl-C once the other has been refused.
    const resume = [MAIN, 'train', '--resume', '--steps', '100000', '--threads', '1', '--no-progress', '--out', out]
    const a = start(resume)
    const b = start(resume)
    try {
      // Before the lock, neither ended: both trained, their metrics lines interleaved.
      await until('one of the two to be refused', () => a.ended() || b.ended())
      const [refusedOne, first] = a.ended() ? [a, b] : [b, a]
      const refused = await refusedOne.done
      expect(refused.code, refused.stderr).toBe(2)
      expect(refused.stderr.trimEnd().split('\n')).toHaveLength(1)
      expect(refused.stderr).toMatch(new RegExp(`^grokscope: error: ${escape(out)} ${HOLDER.source}`))
      expect(Number(HOLDER.exec(refused.stderr)![1])).toBe(first.child.pid)
      first.child.kill('SIGINT')
      const trained = await first.done
      expect(trained.code, trained.stderr).toBe(130)
    } finally {
      for (const x of [a, b]) if (!x.ended()) x.child.kill('SIGKILL')
    }
    expect(existsSync(path.join(out, LOCK_FILE))).toBe(false)
    const s = steps(out)
    expect(increasing(s)).toBe(true)
    expect(s.slice(0, 2)).toEqual([0, 20])
    expect((await cli(['plot', out])).code).toBe(0)
    const again = await cli(['train', '--resume', '--steps', String(s.at(-1)! + 20), '--threads', '1', '--no-progress', '--out', out])
    expect(again.code, again.stderr).toBe(0)
    expect(steps(out)).toEqual([...s, s.at(-1)! + 20])
  }, 120_000)
})

// ─────────────────────────────────────────────────────────────────────────────
// case 2: two sweeps into one --out at once
// ─────────────────────────────────────────────────────────────────────────────

describe('two sweeps into one --out at once', () => {
  it('no run is trained twice, every run decodes, results exits 0; a rerun calls a damaged run damaged', async () => {
    const out = path.join(tmp(), 'sweep')
    const sweep = [
      MAIN, 'sweep', '--ops', 'add,sub,mul', '--p', '11', '--fracs', '0.5', '--seeds', '0..1', '--steps', '60', ...MODEL.slice(4),
      '--eval-every', '20', '--out', out,
    ]
    const [a, b] = await Promise.all([start(sweep).done, start(sweep).done])
    expect([a.code, b.code], a.stdout + b.stdout).toEqual([0, 0])
    const names = readdirSync(out).filter((n) => n.endsWith('-s0') || n.endsWith('-s1'))
    expect(names).toHaveLength(6)
    const lines = `${a.stdout}${b.stdout}`.split('\n')
    for (const name of names) {
      // Trained: a line ending with the run's time; else skipped (the other sweep held it) or finished earlier.
      const trained = lines.filter((l) => l.includes(`] ${name}: `) && /\(\d+\.\d s\)$/.test(l))
      expect(trained, `${name}\n${lines.join('\n')}`).toHaveLength(1)
      expect(steps(path.join(out, name))).toEqual([0, 20, 40, 60])
      expect(existsSync(path.join(out, name, LOCK_FILE))).toBe(false)
    }
    expect(
      lines.filter((l) => / skipped: .* is locked by pid \d+@/.test(l)).length + lines.filter((l) => /finished earlier/.test(l)).length,
    ).toBe(6)
    const results = await cli(['results', out])
    expect(results.code, results.stderr).toBe(0)
    expect(results.stdout).toContain('6 runs: 6 finished')

    // A finished run whose metrics were damaged (by hand): the rerun does not count it as finished.
    const damaged = path.join(out, names[0]!, 'metrics.jsonl')
    const text = read(damaged).split('\n')
    writeFileSync(damaged, [text[1], text[0], ...text.slice(2)].join('\n'))
    const rerun = await cli(sweep.slice(1))
    expect(rerun.code).toBe(1)
    expect(rerun.stdout).toMatch(new RegExp(`${names[0]}: finished earlier but damaged: .*metrics\\.jsonl:2: step 0 after step 20`))
    expect(rerun.stdout).toMatch(/: 5 of 6 runs finished, 0 interrupted, 0 skipped \(another process is training them\), 1 failed; rerun/)
  }, 240_000)
})

// ─────────────────────────────────────────────────────────────────────────────
// the shares of an array, started at once into one new --out
// ─────────────────────────────────────────────────────────────────────────────

describe('the shares of a job array started at once into one new --out', () => {
  const share = (out: string, i: number, n: number, steps = '20') => [
    MAIN, 'sweep', '--ops', 'add,mul', '--p', '11', '--fracs', '0.5', '--seeds', '0..1', '--steps', steps, ...MODEL.slice(4),
    '--eval-every', '10', '--shard', `${i}/${n}`, '--out', out,
  ]

  it('a folder holding only a temporary sweep.json (a share writing the plan) is a sweep starting, not a user’s folder', async () => {
    const out = tmp()
    writeFileSync(path.join(out, 'sweep.json.4242.tmp'), '{')
    const r = await start(share(out, 0, 4)).done
    expect(r.code, r.stderr).toBe(0)
    expect(json(path.join(out, 'sweep.json')).runs).toHaveLength(4)
  }, 60_000)

  it('every share runs its runs; sweep.json is the plan; of two different plans started at once exactly one holds the folder', async () => {
    const out = path.join(tmp(), 'sweep')
    const shares = await Promise.all([0, 1, 2, 3].map((i) => start(share(out, i, 4)).done))
    expect(shares.map((r) => r.code), shares.map((r) => r.stdout + r.stderr).join('\n')).toEqual([0, 0, 0, 0])
    const results = await cli(['results', out])
    expect(results.code, results.stderr).toBe(0)
    expect(results.stdout).toContain('4 runs: 4 finished')
    expect(readdirSync(out).filter((n) => temporaryTarget(n) !== null)).toEqual([])

    const other = path.join(tmp(), 'sweep')
    const [a, b] = await Promise.all([start(share(other, 0, 1, '20')).done, start(share(other, 0, 1, '30')).done])
    expect([a.code, b.code].sort(), a.stderr + b.stderr).toEqual([0, 2])
    const [won, lost] = a.code === 0 ? [a, b] : [b, a]
    expect(lost.stderr).toMatch(/^grokscope: error: --out: .* holds a different sweep \(the run settings differ/)
    expect(lost.stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(json(path.join(other, 'sweep.json')).runs).toHaveLength(4)
    expect(won.stdout).toMatch(/4 of 4 runs finished/)
  }, 240_000)
})

// ─────────────────────────────────────────────────────────────────────────────
// case 3: kill -9 of a sweep
// ─────────────────────────────────────────────────────────────────────────────

/** The processes whose parent is `pid` (Linux: the fourth field of /proc/<pid>/stat). */
const childrenOf = (pid: number): ReadonlyArray<number> =>
  readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .flatMap((n) => {
      try {
        const stat = read(`/proc/${n}/stat`)
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid ? [Number(n)] : []
      } catch {
        return []
      }
    })

describe('a sweep killed with kill -9', () => {
  it('nothing of it keeps running (its runs are threads of its process, none a process of its own); ' +
    'a rerun resumes the run cleanly', async () => {
    const out = path.join(tmp(), 'sweep')
    const sweep = [
      MAIN, 'sweep', '--ops', 'add,sub', '--p', '11', '--fracs', '0.5', '--seeds', '0', '--steps', '400', ...MODEL.slice(4),
      '--eval-every', '20', '--jobs', '2', '--out', out,
    ]
    const parent = start(sweep)
    await until('two runs', () => (parent.out().match(/starting \(worker \d; log /g) ?? []).length === 2)
    const add = path.join(out, 'add-p11-r0.5-s0')
    await until('a first evaluation', () => existsSync(path.join(add, 'metrics.jsonl')) && read(path.join(add, 'metrics.jsonl')) !== '')
    expect(childrenOf(parent.child.pid!)).toEqual([])
    parent.child.kill('SIGKILL')
    await parent.done
    expect(alive(parent.child.pid!)).toBe(false)
    // The killed sweep's lock is stale: the rerun takes it over.
    expect(existsSync(path.join(add, LOCK_FILE))).toBe(true)
    const rerun = await cli(sweep.slice(1))
    expect(rerun.code, rerun.stdout).toBe(0)
    expect(rerun.stdout).toMatch(/add-p11-r0\.5-s0: resuming/)
    expect(steps(add)).toEqual(Array.from({ length: 21 }, (_, i) => 20 * i))
    expect(existsSync(path.join(add, LOCK_FILE))).toBe(false)
    expect((await cli(['results', out])).code).toBe(0)
  }, 120_000)
})

// ─────────────────────────────────────────────────────────────────────────────
// property: N processes racing on one folder
// ─────────────────────────────────────────────────────────────────────────────

describe('N processes racing on one run folder', () => {
  it('exactly one trains, the folder decodes, and the run ends as the same run straight through', async () => {
    const STEPS = 200
    const refDir = path.join(tmp(), 'ref')
    expect((await cli(['train', ...RUN, '--steps', String(STEPS), '--no-progress', '--out', refDir])).code).toBe(0)
    type Picked = { step: number; train_loss: number; test_loss: number; train_acc: number; test_acc: number }
    const pick = (dir: string) =>
      read(path.join(dir, 'metrics.jsonl'))
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const { step, train_loss, test_loss, train_acc, test_acc } = JSON.parse(l) as Picked
          return { step, train_loss, test_loss, train_acc, test_acc }
        })
    const racer = fc.record({ resume: fc.boolean(), offset: fc.integer({ min: 0, max: 300 }) })
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(racer, { minLength: 2, maxLength: 4 }), async (prepared, racers) => {
        const out = path.join(tmp(), 'run')
        // A run already started (40 of 200 steps) or none: at least one racer can train.
        if (prepared) expect((await cli(['train', ...RUN, '--steps', '40', '--no-progress', '--out', out])).code).toBe(0)
        const modes = racers.map((r, i) => (i === 0 ? prepared : r.resume))
        const runs = await Promise.all(
          racers.map(
            (r, i) =>
              new Promise<Awaited<Spawned['done']>>((resolve) =>
                setTimeout(() => {
                  const args = modes[i]
                    ? ['train', '--resume', '--steps', String(STEPS), '--threads', '1', '--out', out]
                    : ['train', ...RUN, '--steps', String(STEPS), '--out', out]
                  void start([MAIN, ...args]).done.then(resolve)
                }, r.offset),
              ),
          ),
        )
        const summary = runs
          .map(
            (r, i) => `${modes[i] ? 'resume' : 'new'}: ${r.code} ${r.stderr.split('\n').filter((l) => !PROGRESS_LINE.test(l)).join(' ')}`,
          )
          .join('\n')
        // Trained: printed progress lines. Every other one exited 2 with one line, or (come after the end) resumed the
        // finished run with no step to take.
        const trained = runs.filter((r) => r.stderr.split('\n').some((l) => PROGRESS_LINE.test(l)))
        expect(trained, summary).toHaveLength(1)
        expect(trained[0]!.code, summary).toBe(0)
        for (const r of runs.filter((x) => x !== trained[0])) {
          if (r.code === 2) expect(r.stderr.trimEnd().split('\n'), summary).toHaveLength(1)
          else expect([r.code, r.stderr], summary).toEqual([0, ''])
        }
        expect(readdirSync(out).filter((f) => f.startsWith('.lock'))).toEqual([])
        expect((await cli(['plot', out, '--out', path.join(path.dirname(out), 'c.svg')])).code).toBe(0)
        expect(pick(out)).toEqual(pick(refDir))
        expect(json(path.join(out, 'weights.json')).weights).toEqual(json(path.join(refDir, 'weights.json')).weights)
        const [s, ref] = [json(path.join(out, 'state.json')), json(path.join(refDir, 'state.json'))]
        expect([s.params, s.opt, s.step]).toEqual([ref.params, ref.opt, ref.step])
      }),
      { numRuns: 4 },
    )
  }, 600_000)
})

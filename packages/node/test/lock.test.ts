// One writer per run folder: the lock (stale locks taken over, a reused pid, racers on one stale lock, a lock
// from another host), and the exclusive creation the lock and a sweep's plan are made with.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { hostname, tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { LOCK_FILE } from '@grokscope/runs'
import { UsageError, createExclusive, lockRun, processStart } from '../src/index.js'

const tmp = () => mkdtempSync(path.join(tmpdir(), 'grokscope-lock-'))
const read = (file: string) => readFileSync(file, 'utf8')
const json = (file: string): Record<string, unknown> => JSON.parse(read(file)) as Record<string, unknown>
/** The built package, as another Node program imports it (a racer is a process of its own). */
const NODE_PACKAGE = pathToFileURL(createRequire(import.meta.url).resolve('@grokscope/node')).href

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Waits (polling) until `done()`; fails after a generous deadline (not a timing assertion: only a hang fails). */
const until = async (what: string, done: () => boolean, deadlineMs = 60_000): Promise<void> => {
  const t0 = Date.now()
  while (!done()) {
    if (Date.now() - t0 > deadlineMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** The pid of a process that has ended. */
const deadPid = async (): Promise<number> => {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
  await new Promise((r) => child.on('close', r))
  return child.pid!
}

/** A process that runs until it is killed. */
const sleeper = (): ChildProcess => spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })

/** Starts a script and collects its output. */
const start = (args: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', () => resolve())
  })
  return { child, done, out: () => stdout }
}

describe('the run-folder lock', () => {
  it('a stale lock (this host, its pid gone) is taken over, and released leaves the folder as it was', async () => {
    const dead = await deadPid()
    fc.assert(
      fc.property(
        fc.date({ noInvalidDate: true }),
        fc.stringMatching(/^[0-9a-f]{1,32}$/),
        fc.option(fc.nat().map(String), { nil: null }),
        (started, token, procStart) => {
          const dir = tmp()
          writeFileSync(
            path.join(dir, LOCK_FILE),
            JSON.stringify({ pid: dead, host: hostname(), started: started.toISOString(), token, proc_start: procStart }),
          )
          const lock = lockRun(dir)
          expect(json(path.join(dir, LOCK_FILE))).toMatchObject({ pid: process.pid, host: hostname(), token: lock.owner.token })
          expect(readdirSync(dir)).toEqual([LOCK_FILE])
          lock.release()
          expect(readdirSync(dir)).toEqual([])
        },
      ),
      { numRuns: 25 },
    )
  })

  it('a lock held by a running process is refused with one line naming it; a reused pid (another start time) is stale', async () => {
    const live = sleeper()
    try {
      await until('the sleeper to start', () => processStart(live.pid!) !== null)
      const dir = tmp()
      const lock = (procStart: string | null) =>
        writeFileSync(
          path.join(dir, LOCK_FILE),
          JSON.stringify({ pid: live.pid, host: hostname(), started: '2026-01-01T00:00:00.000Z', token: 'ab12', proc_start: procStart }),
        )
      lock(processStart(live.pid!))
      expect(() => lockRun(dir)).toThrow(UsageError)
      expect(() => lockRun(dir)).toThrow(
        new RegExp(`^${escape(dir)} is locked by pid ${live.pid}@${hostname()} since 2026-01-01T00:00:00.000Z`),
      )
      // The same pid with another start time: the lock's owner has died and the pid was given to another process.
      lock(`${Number(processStart(live.pid!)) + 1}`)
      lockRun(dir).release()
      expect(readdirSync(dir)).toEqual([])
    } finally {
      live.kill()
    }
  })

  it('a lock from another host is never taken over; the line says how to remove it', async () => {
    const dead = await deadPid()
    const dir = tmp()
    const file = path.join(dir, LOCK_FILE)
    writeFileSync(
      file,
      JSON.stringify({ pid: dead, host: `not-${hostname()}`, started: '2026-01-01T00:00:00.000Z', token: 'cd34', proc_start: null }),
    )
    expect(() => lockRun(dir)).toThrow(
      `${dir} is locked by pid ${dead}@not-${hostname()} since 2026-01-01T00:00:00.000Z (${file}), another host: ` +
        `it is not taken over from here; if that process is gone, remove ${file}`,
    )
    writeFileSync(file, 'garbage')
    expect(() => lockRun(dir)).toThrow(`${file} is not a grokscope lock (not JSON); if no process writes ${dir}, remove it`)
  })

  it('processes racing on one stale lock: exactly one wins, the others name it', async () => {
    const dead = await deadPid()
    const racer = path.join(tmp(), 'racer.mjs')
    // Waits for the start time, locks, says so, and holds the lock until its stdin closes.
    writeFileSync(
      racer,
      `import { lockRun } from ${JSON.stringify(NODE_PACKAGE)}
const [dir, at] = process.argv.slice(2)
while (Date.now() < Number(at)) {}
try {
  const lock = lockRun(dir)
  process.stdout.write('won\\n')
  process.stdin.on('end', () => lock.release())
  process.stdin.resume()
} catch (e) {
  process.stdout.write('refused: ' + e.message + '\\n')
  process.exit(2)
}
`,
    )
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 4 }).chain((n) => fc.array(fc.integer({ min: 0, max: 30 }), { minLength: n, maxLength: n })),
        async (offsets) => {
          const dir = tmp()
          writeFileSync(
            path.join(dir, LOCK_FILE),
            JSON.stringify({ pid: dead, host: hostname(), started: '2026-01-01T00:00:00.000Z', token: 'ef56', proc_start: null }),
          )
          const at = Date.now() + 1500
          const racers = offsets.map((o) => start([racer, dir, String(at + o)]))
          await until('every racer to answer', () => racers.every((r) => r.out() !== ''))
          const answers = racers.map((r) => r.out())
          const winners = racers.filter((r) => r.out() === 'won\n')
          expect(winners, answers.join('')).toHaveLength(1)
          for (const a of answers.filter((x) => x !== 'won\n')) {
            expect(a).toMatch(new RegExp(`^refused: .* is locked by pid ${winners[0]!.child.pid}@`))
          }
          for (const r of racers) r.child.stdin!.end()
          await Promise.all(racers.map((r) => r.done))
          expect(readdirSync(dir)).toEqual([])
        },
      ),
      { numRuns: 4 },
    )
  }, 120_000)
})

describe('exclusive creation (the lock, and the plan of a sweep whose shares start at once)', () => {
  it('createExclusive: the first creation wins, whole; later ones leave it as it was; no temporary file stays', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 5 }), (contents) => {
        const dir = tmp()
        const file = path.join(dir, 'sweep.json')
        expect(contents.map((c) => createExclusive(file, c))).toEqual(contents.map((_, i) => i === 0))
        expect(read(file)).toBe(contents[0])
        expect(readdirSync(dir)).toEqual(['sweep.json'])
      }),
      { numRuns: 50 },
    )
  })

})

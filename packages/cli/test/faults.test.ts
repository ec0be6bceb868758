// Faults of the file system (issue 24): a full disk, a read-only one, a loop of links, a folder where the lock goes are
// each one line naming the file and what to do, exit code 1, with no temporary or lock file left behind; a run that
// hit a full disk resumes, once there is space, to the same weights as a run that never stopped. Also: a hand-written
// lock as docs/CLI.md describes it, and a corrupt config.json beside the weights analyze reads.
//
// The full and read-only disks are small tmpfs mounts where this process may mount them (root, as in CI); where it may
// not (a container), the same faults are injected into node:fs (fault-injection.mjs), and each test says which ran.
// The injected faults are also tested on their own, so that the fallback is known to work where it is needed.
import { execFileSync, spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { type CliResult, MAIN, cli } from './run-cli.js'

const tmp = () => mkdtempSync(path.join(tmpdir(), 'grokscope-faults-'))
const INJECT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fault-injection.mjs')

/** A small model trained for 300 steps, with a checkpoint every 50 and a weights history every 10 (the disk fills up). */
const SETTINGS = [
  ...['--steps', '300', '--eval-every', '10', '--checkpoint-every', '50', '--save-every', '10'],
  ...['--d-model', '32', '--d-mlp', '64', '--heads', '2', '--d-head', '16', '--threads', '1'],
]
const RUN = ['train', '--op', 'add', '--p', '23', '--frac', '0.5', ...SETTINGS, '--no-progress']

const mounted: string[] = []
afterAll(() => {
  for (const dir of mounted) execFileSync('umount', [dir])
})

/** Mounts a tmpfs with these options on `dir`; false where mounting is not allowed. */
const mountTmpfs = (dir: string, options: string): boolean => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' })
    mounted.push(dir)
    return true
  } catch {
    return false
  }
}

/** A folder whose file system fails as `fault` says: a tmpfs mount, or node:fs with the fault injected. */
interface FaultyFolder {
  readonly dir: string
  readonly how: 'tmpfs' | 'injected'
  /** `grokscope args…` with the fault in place. */
  readonly run: (args: ReadonlyArray<string>) => Promise<CliResult>
}

const faultyFolder = (fault: 'ENOSPC' | 'EROFS', tmpfsOptions: string | null, injectedBytes = 0): FaultyFolder => {
  const dir = tmp()
  if (tmpfsOptions !== null && mountTmpfs(dir, tmpfsOptions)) return { dir, how: 'tmpfs', run: (args) => cli(args) }
  const env = { ...process.env, GROKSCOPE_FAULT_DIR: dir, GROKSCOPE_FAULT: fault === 'ENOSPC' ? `ENOSPC:${injectedBytes}` : 'EROFS' }
  const run = (args: ReadonlyArray<string>): Promise<CliResult> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', INJECT, MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
      let [stdout, stderr] = ['', '']
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      child.on('error', reject)
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
    })
  return { dir, how: 'injected', run }
}

/** Files under `dir` a resume or a second writer would trip on: the lock, and files written beside others. */
const leftBehind = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /(^|\/)\.lock|\.tmp$|\.new$|\.takeover$/.test(f))

const oneLine = (r: CliResult): ReadonlyArray<string> => r.stderr.trimEnd().split('\n')

const tmpfsFirst = [
  ['a tmpfs where it can be mounted', true],
  ['an injected fault', false],
] as const

let straightRun: string | null = null
/** The run never stopped, to compare a resumed one with. */
const straight = async (): Promise<string> => {
  if (straightRun !== null) return straightRun
  const dir = path.join(tmp(), 'straight')
  expect((await cli([...RUN, '--out', dir])).code).toBe(0)
  return (straightRun = dir)
}

describe.each(tmpfsFirst)('a full disk, by %s', (_, tmpfs) => {
  it('is one line naming the file, exit code 1, nothing left behind; once there is space the run resumes exactly', async () => {
    const full = faultyFolder('ENOSPC', tmpfs ? 'size=800k' : null, 700_000)
    process.stdout.write(`faults: a full disk by ${full.how === 'tmpfs' ? 'a tmpfs of 800 KiB' : 'an injected ENOSPC after 700 kB'}\n`)
    const run = path.join(full.dir, 'run')
    const r = await full.run([...RUN, '--out', run])
    expect(r.code).toBe(1)
    expect(oneLine(r)).toEqual([
      expect.stringMatching(
        new RegExp(`^grokscope: error: ${run}/[\\w./-]+: no space left on the device \\(ENOSPC, write\\); free some space, then run`),
      ),
    ])
    expect(leftBehind(run)).toEqual([])
    expect(existsSync(path.join(run, 'config.json'))).toBe(true)

    // Space is back: a bigger tmpfs, or no injected fault.
    if (full.how === 'tmpfs') execFileSync('mount', ['-o', 'remount,size=64m', full.dir])
    const resumed = await cli(['train', '--resume', '--out', run, '--threads', '1', '--no-progress'])
    expect([resumed.code, resumed.stderr]).toEqual([0, ''])
    const ref = await straight()
    for (const f of ['state.json', 'weights.json']) expect(readFileSync(path.join(run, f))).toEqual(readFileSync(path.join(ref, f)))
  }, 300_000)
})

describe.each(tmpfsFirst)('a full disk under a sweep, by %s', (_, tmpfs) => {
  it('each failed run is one line on the console and in its failure record, naming the file; nothing left behind', async () => {
    const full = faultyFolder('ENOSPC', tmpfs ? 'size=900k' : null, 800_000)
    process.stdout.write(`faults: a sweep on a full disk by ${full.how}\n`)
    const out = path.join(full.dir, 'sweep')
    const r = await full.run(['sweep', '--ops', 'add', '--p', '23', '--fracs', '0.5', '--seeds', '0..1', ...SETTINGS, '--out', out])
    expect(r.code).toBe(1)
    const fault = `${out}/add-p23-r0\\.5-s\\d/[\\w./-]+: no space left on the device \\(ENOSPC, write\\); free some space`
    const failed = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes(': failed ('))
    expect(failed.length).toBeGreaterThan(0)
    for (const line of failed) expect(line).toMatch(new RegExp(`^\\[.*\\] add-p23-r0\\.5-s\\d: failed \\(${fault}.*; see `))
    for (const f of readdirSync(path.join(out, 'logs')).filter((f) => f.endsWith('.failed.json'))) {
      const { error } = JSON.parse(readFileSync(path.join(out, 'logs', f), 'utf8')) as { error: string }
      expect(error).toMatch(new RegExp(`^${fault}`))
    }
    expect(leftBehind(out)).toEqual([])
  }, 300_000)
})

describe.each(tmpfsFirst)('a read-only file system, by %s', (_, tmpfs) => {
  it('is one line naming the folder, exit code 1 (not ENOENT), nothing made', async () => {
    const ro = faultyFolder('EROFS', tmpfs ? 'size=1m,ro' : null)
    process.stdout.write(`faults: a read-only file system by ${ro.how === 'tmpfs' ? 'a read-only tmpfs' : 'an injected EROFS'}\n`)
    for (const [out, file] of [
      [path.join(ro.dir, 'a', 'run'), path.join(ro.dir, 'a')],
      [ro.dir, path.join(ro.dir, '.lock')],
    ] as const) {
      const r = await ro.run(['train', '--op', 'add', '--p', '23', '--steps', '1', '--out', out, '--no-progress'])
      expect(r.code).toBe(1)
      expect(oneLine(r)).toEqual([
        expect.stringMatching(new RegExp(`^grokscope: error: ${file}: on a read-only file system \\(EROFS, \\w+\\); choose a folder`)),
      ])
      expect(readdirSync(ro.dir)).toEqual([])
    }
  })
})

describe('a loop of symbolic links', () => {
  it('is named as a loop (not "does not exist"), one line, exit code 1', async () => {
    const dir = tmp()
    const loop = path.join(dir, 'loop')
    symlinkSync(loop, loop)
    for (const args of [['analyze', loop], ['report', loop], ['train', '--steps', '1', '--out', loop, '--no-progress']]) {
      const r = await cli(args)
      expect(r.code).toBe(1)
      expect(oneLine(r)).toEqual([
        expect.stringMatching(new RegExp(`^grokscope: error: ${loop}: a loop of symbolic links .*\\(ELOOP, \\w+\\); fix or remove the link$`)),
      ])
    }
  })
})

describe('the run folder lock', () => {
  it('a folder named .lock is one line naming it, exit code 1, and nothing is left beside it', async () => {
    const run = path.join(tmp(), 'run')
    mkdirSync(path.join(run, '.lock'), { recursive: true })
    const r = await cli(['train', '--op', 'add', '--p', '23', '--steps', '1', '--out', run, '--no-progress'])
    expect(r.code).toBe(1)
    expect(oneLine(r)).toEqual([
      `grokscope: error: ${run}/.lock: a folder where a file was expected (EISDIR, read); remove or rename that folder`,
    ])
    expect(readdirSync(run)).toEqual(['.lock'])
  })

  it('a lock as docs/CLI.md describes it (pid, host, started, token) is the refusal docs/CLI.md gives, not "not a grokscope lock"', async () => {
    const run = path.join(tmp(), 'run')
    mkdirSync(run)
    const lock = path.join(run, '.lock')
    const started = '2026-01-01T10:00:00.000Z'
    // This test's process runs: the lock's owner is live.
    writeFileSync(lock, `${JSON.stringify({ pid: process.pid, host: hostname(), started, token: 'f00d' })}\n`)
    const here = await cli(['train', '--op', 'add', '--p', '23', '--steps', '1', '--out', run, '--no-progress'])
    expect([here.code, here.stderr]).toEqual([
      2,
      `grokscope: error: ${run} is locked by pid ${process.pid}@${hostname()} since ${started} (${lock}): ` +
        'another process is writing this run; wait for it to end or stop it\n',
    ])
    writeFileSync(lock, `${JSON.stringify({ pid: 4711, host: 'node3', started, token: 'f00d' })}\n`)
    const remote = await cli(['train', '--op', 'add', '--p', '23', '--steps', '1', '--out', run, '--no-progress'])
    expect([remote.code, remote.stderr]).toEqual([
      2,
      `grokscope: error: ${run} is locked by pid 4711@node3 since ${started} (${lock}), another host: it is not taken over ` +
        `from here; if that process is gone, remove ${lock}\n`,
    ])
  })
})

describe('analyze and a corrupt config.json', () => {
  it('refuses the run (one line naming the field, exit code 2) instead of skipping the fingerprint check', async () => {
    const dir = tmp()
    const run = path.join(dir, 'run')
    const args = ['--op', 'add', '--p', '23', '--frac', '0.5', '--steps', '1', '--d-model', '8', '--d-mlp', '8', '--heads', '1']
    expect((await cli(['train', ...args, '--d-head', '8', '--out', run, '--no-progress'])).code).toBe(0)
    const other = path.join(dir, 'other')
    cpSync(run, other, { recursive: true })
    const config = path.join(other, 'config.json')
    writeFileSync(config, readFileSync(config, 'utf8').replace('"d_model": 8', '"d_model": "x"'))
    const r = await cli(['analyze', other])
    expect([r.code, r.stderr]).toEqual([2, `grokscope: error: ${config}: model.d_model is "x" (expected an integer ≥ 1)\n`])
  })
})

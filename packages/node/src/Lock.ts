/**
 * The run-folder lock: one writer per run folder. `runTraining` (a new run or a resumed one)
 * holds `<run>/.lock` while it writes there; a sweep holds each run's lock while its worker
 * thread trains it. The lock file is made whole beside the folder's other files and hard-linked
 * into place, which fails when it exists: creating it is exclusive (as O_EXCL) and it is never
 * seen half-written. It names its owner (pid, host, start time, a random token). A second
 * writer is refused with one line naming the owner.
 *
 * A lock whose owner is gone (same host, its pid not running, or running but started at another
 * time: a reused pid) is stale and taken over. Removing it is race-free: only the process that
 * creates `.lock.<its token>.takeover` exclusively may remove that lock, and it removes it only
 * if the file still holds that token; every racer then competes for a new lock by the same
 * exclusive link, so exactly one wins. A lock from another host is never taken over.
 *
 * @since 0.2.0
 */
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, readdirSync, rmdirSync, unlinkSync } from 'node:fs'
import { hostname } from 'node:os'
import path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { firstProblem } from '@grokscope/data'
import { LOCK_FILE } from '@grokscope/runs'
import { UsageError } from './Errors.js'
import { createExclusive, makeFolder } from './Files.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** What a lock file holds: who owns it (`proc_start` may be left out, as in a lock written by hand: then it is not checked). */
export const LockOwnerCodec = t.intersection([
  t.type({ pid: t.number, host: t.string, started: t.string, token: t.string }),
  t.partial({
    /** The owner's start time in clock ticks since boot (Linux `/proc/<pid>/stat`), to tell a reused pid; null elsewhere. */
    proc_start: t.union([t.string, t.null]),
  }),
])

/** The owner of a lock. */
export type LockOwner = t.TypeOf<typeof LockOwnerCodec>

/** Whether a lock's owner is running (`live`), gone (`dead`: the lock is stale), or on another host (`remote`: cannot tell). */
export type OwnerState = 'live' | 'dead' | 'remote'

/** A lock this process holds, and how to let it go (idempotent; also done on exit and on SIGINT, SIGTERM, SIGHUP). */
export interface RunLock {
  readonly file: string
  readonly owner: LockOwner
  readonly release: () => void
}

/** The locks this process holds, by token, and how to release each (a lock with this process's pid and another token is stale). */
const held = new Map<string, () => void>()

// ─────────────────────────────────────────────────────────────────────────────
// constructors
// ─────────────────────────────────────────────────────────────────────────────

/** A process's start time in clock ticks since boot (field 22 of `/proc/<pid>/stat`), or null where there is no /proc. */
export const processStart = (pid: number): string | null => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null
  } catch {
    return null
  }
}

/** This process as the owner of a new lock. */
const ownerNow = (): LockOwner => ({
  pid: process.pid,
  host: hostname(),
  started: new Date().toISOString(),
  token: randomBytes(12).toString('hex'),
  proc_start: processStart(process.pid),
})

/** The path of the lock file of a run folder. */
export const lockFile = (dir: string): string => path.join(dir, LOCK_FILE)

// ─────────────────────────────────────────────────────────────────────────────
// utils
// ─────────────────────────────────────────────────────────────────────────────

/** A lock file's content: the owner as one JSON line. */
const ownerLine = (owner: LockOwner): string => `${JSON.stringify(owner)}\n`

/** The file beside `file` where `owner`'s lock is written before it is linked or renamed into place. */
const besideName = (file: string, owner: LockOwner): string => `${file}.${owner.token}.new`

/** Creates `file` holding `owner` only if it does not exist. */
const createLock = (file: string, owner: LockOwner): boolean => createExclusive(file, ownerLine(owner), besideName(file, owner))

/** The owner a lock file names; null when there is no such file; a `Left` when it is not a lock. */
const readOwner = (file: string): E.Either<string, LockOwner> | null => {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    const fault = e as NodeJS.ErrnoException
    if (fault.code === 'ENOENT') return null
    // Reading a folder fails after it was opened, with no file named (EISDIR): name it.
    fault.path ??= file
    throw e
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return E.left('not JSON')
  }
  const r = LockOwnerCodec.decode(json)
  return E.isLeft(r) ? E.left(firstProblem(r.left)) : E.right(r.right)
}

/** Whether a process with this pid runs (ESRCH: it does not; EPERM: it does, another user's). */
const running = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Whether a lock's owner still runs: on this host, its pid runs and started when the lock says. */
export const ownerState = (o: LockOwner): OwnerState => {
  if (o.host !== hostname()) return 'remote'
  if (o.pid === process.pid) return held.has(o.token) ? 'live' : 'dead'
  if (!running(o.pid)) return 'dead'
  const now = o.proc_start === null || o.proc_start === undefined ? null : processStart(o.pid)
  return now !== null && now !== o.proc_start ? 'dead' : 'live'
}

/** Removes the folders `mkdirSync` created for a lock (from `dir` up to `first`) while they are empty. */
const removeCreated = (dir: string, first: string | undefined): void => {
  if (first === undefined) return
  for (let d = path.resolve(dir); d.startsWith(path.resolve(first)) && readdirSync(d).length === 0; d = path.dirname(d)) rmdirSync(d)
}

/** Sleeps a few milliseconds (synchronously: the lock is taken before anything else happens). */
const pause = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/**
 * Removes the stale lock `file` if it still holds `stale`'s token, under the takeover marker
 * of that token (created exclusively: one remover per stale lock). A marker left by a remover
 * that died is itself removed the same way, a few levels deep at most.
 */
const removeStale = (file: string, stale: LockOwner, depth: number): void => {
  const marker = `${file}.${stale.token}.takeover`
  if (!createLock(marker, ownerNow())) {
    const m = readOwner(marker)
    if (m !== null && E.isRight(m) && ownerState(m.right) === 'dead' && depth < 3) removeStale(marker, m.right, depth + 1)
    return
  }
  try {
    const now = readOwner(file)
    if (now !== null && E.isRight(now) && now.right.token === stale.token) unlinkSync(file)
  } finally {
    unlinkSync(marker)
  }
}

/**
 * Removes this process's own lock: under the takeover marker of its token, as a stale lock is removed; if the marker
 * cannot be written (a full disk, a read-only remount), directly, when the file still holds the token.
 */
const removeOwn = (file: string, owner: LockOwner): void => {
  try {
    removeStale(file, owner, 0)
  } catch (e) {
    const now = readOwner(file)
    if (now === null || E.isLeft(now) || now.right.token !== owner.token) throw e
    unlinkSync(file)
  }
}

/** Who holds a lock, as the refusal says it: `pid 1234@host since 2026-01-01T00:00:00.000Z`. */
const ownerText = (o: LockOwner): string => `pid ${o.pid}@${o.host} since ${o.started}`

/** The one line refusing a second writer. */
const refusal = (dir: string, file: string, o: LockOwner, state: OwnerState): string =>
  state === 'remote'
    ? `${dir} is locked by ${ownerText(o)} (${file}), another host: it is not taken over from here; if that process is gone, remove ${file}`
    : `${dir} is locked by ${ownerText(o)} (${file}): another process is writing this run; wait for it to end or stop it`

// ─────────────────────────────────────────────────────────────────────────────
// locking
// ─────────────────────────────────────────────────────────────────────────────

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

/** Releases every lock this process holds. */
const releaseAll = (): void => {
  for (const release of [...held.values()]) release()
}

/**
 * At a signal: SIGINT is left to the command while it handles it (`train` stops at the next step); otherwise the locks
 * go and the signal does what it would.
 */
const onSignal = (signal: NodeJS.Signals): void => {
  if (signal === 'SIGINT' && process.listenerCount('SIGINT') > 1) return
  releaseAll()
  process.kill(process.pid, signal)
}

/** Holds a lock: released on `release`, on exit, and on a signal (which is then raised again, as if unhandled). */
const hold = (dir: string, file: string, owner: LockOwner, created: string | undefined): RunLock => {
  const release = () => {
    if (!held.delete(owner.token)) return
    if (held.size === 0) {
      process.off('exit', releaseAll)
      for (const s of SIGNALS) process.off(s, onSignal)
    }
    if (existsSync(file)) removeOwn(file, owner)
    // A new run's folder that nothing was written to goes again (a refused run leaves nothing).
    removeCreated(dir, created)
  }
  if (held.size === 0) {
    process.on('exit', releaseAll)
    for (const s of SIGNALS) process.on(s, onSignal)
  }
  held.set(owner.token, release)
  return { file, owner, release }
}

/**
 * Locks a run folder for writing (creating the folder if needed); a lock held by a running
 * process, or by one on another host, is a `UsageError` naming it; a stale one is taken over.
 */
export const lockRun = (dir: string): RunLock => {
  const file = lockFile(dir)
  const created = makeFolder(dir)
  try {
    for (let attempt = 0; attempt < 20; attempt++) {
      const me = ownerNow()
      if (createLock(file, me)) return hold(dir, file, me, created)
      const found = readOwner(file)
      if (found === null) continue
      if (E.isLeft(found)) throw new UsageError(`${file} is not a grokscope lock (${found.left}); if no process writes ${dir}, remove it`)
      const state = ownerState(found.right)
      if (state !== 'dead') throw new UsageError(refusal(dir, file, found.right, state))
      removeStale(file, found.right, 0)
      pause(5 + attempt)
    }
    throw new UsageError(`${dir}: could not take ${file} (other processes kept taking it over); try again`)
  } catch (e) {
    removeCreated(dir, created)
    throw e
  }
}

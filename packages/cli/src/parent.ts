// A sweep's workers die with the sweep. Node has no prctl(PR_SET_PDEATHSIG), so a worker started by a
// sweep (which sets GROKSCOPE_PARENT_PID and gives it a pipe as stdin) watches for its parent's end:
// its stdin reaching end of file (the parent's end of the pipe closes when it dies, even by kill -9)
// and, every second, its parent pid changing (a dead parent's children are adopted by another process).
import { fstatSync } from 'node:fs'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** The environment variable through which a sweep gives its workers its pid. */
export const PARENT_ENV = 'GROKSCOPE_PARENT_PID'

/** How often the parent pid is checked, in milliseconds. */
const EVERY_MS = 1000

// ─────────────────────────────────────────────────────────────────────────────
// utils
// ─────────────────────────────────────────────────────────────────────────────

/** Whether stdin is a pipe or a socket (the sweep's), not a terminal or a file. */
const stdinIsPipe = (): boolean => {
  try {
    const s = fstatSync(0)
    return s.isFIFO() || s.isSocket()
  } catch {
    return false
  }
}

/**
 * Calls `onGone` once when the parent named by GROKSCOPE_PARENT_PID is gone (at once if it
 * already is); nothing when the variable is not set. Gives the function that stops watching.
 * The watch never keeps the process alive.
 */
export const watchParent = (env: Readonly<Record<string, string | undefined>>, onGone: () => void): (() => void) => {
  const given = env[PARENT_ENV]
  if (given === undefined || !/^\d+$/.test(given)) return () => undefined
  const parent = Number(given)
  const pipe = stdinIsPipe()
  let watching = true
  const stop = () => {
    if (!watching) return
    watching = false
    clearInterval(timer)
    if (pipe) {
      process.stdin.off('end', gone)
      process.stdin.pause()
    }
  }
  const gone = () => {
    if (!watching) return
    stop()
    onGone()
  }
  const timer = setInterval(() => {
    if (process.ppid !== parent) gone()
  }, EVERY_MS)
  timer.unref()
  if (pipe) {
    process.stdin.on('end', gone)
    process.stdin.resume()
    ;(process.stdin as NodeJS.ReadStream & { unref?: () => void }).unref?.()
  }
  if (process.ppid !== parent) setImmediate(gone)
  return stop
}

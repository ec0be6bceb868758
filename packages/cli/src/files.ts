// Files that survive a crash: whole files are written beside and renamed into place,
// lines are appended with one write; both are flushed to the disk before they count.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'

// ─────────────────────────────────────────────────────────────────────────────
// errors
// ─────────────────────────────────────────────────────────────────────────────

/** A problem with what the user asked for or gave: printed as one line, exit code 2. */
export class UsageError extends Error {}

/** The value of a `Right`; a `Left` becomes a `UsageError`, prefixed (e.g. with the file it came from). */
export const orUsageError =
  (prefix?: string) =>
  <A>(r: E.Either<string, A>): A => {
    if (E.isLeft(r)) throw new UsageError(prefix === undefined ? r.left : `${prefix}: ${r.left}`)
    return r.right
  }

// ─────────────────────────────────────────────────────────────────────────────
// writing
// ─────────────────────────────────────────────────────────────────────────────

/** Writes all of `content` (text as UTF-8) to an open file and flushes it to the disk. */
const writeAll = (fd: number, content: string | Uint8Array): void => {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done)
  fsyncSync(fd)
}

/** Flushes a folder's entries (a rename) to the disk, where the platform allows it. */
const syncFolder = (dir: string): void => {
  try {
    const fd = openSync(dir, 'r')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  } catch {
    // Windows cannot open a folder: its renames are flushed by the file system.
  }
}

/** The temporary file `writeAtomic` writes beside `file` (`state.json.1234.tmp`). */
export const TEMP_FILE = /\.\d+\.tmp$/

/** Writes `text` (or bytes) to `file` atomically: a temporary file in the same folder, flushed, then renamed over it. */
export const writeAtomic = (file: string, text: string | Uint8Array): void => {
  const dir = path.dirname(file)
  mkdirSync(dir, { recursive: true })
  const tmp = `${file}.${process.pid}.tmp`
  const fd = openSync(tmp, 'w')
  try {
    writeAll(fd, text)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, file)
  syncFolder(dir)
}

/** Writes a value as JSON, atomically. */
export const writeJson = (file: string, value: unknown, indent?: number): void => writeAtomic(file, `${JSON.stringify(value, null, indent)}\n`)

/**
 * Appends one line with a single write, flushed. A crash can still leave the line
 * torn (no final newline): readers drop a torn last line.
 */
export const appendLine = (file: string, line: string): void => {
  const fd = openSync(file, 'a')
  try {
    writeAll(fd, `${line}\n`)
  } finally {
    closeSync(fd)
  }
}

// ─────────────────────────────────────────────────────────────────────────────
// reading
// ─────────────────────────────────────────────────────────────────────────────

/** Reads and parses a JSON file; the error names the file. */
export const readJson = (file: string): unknown => {
  if (!existsSync(file)) throw new UsageError(`${file} does not exist`)
  const text = readFileSync(file, 'utf8')
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new UsageError(`${file} is not valid JSON (${e instanceof Error ? e.message : 'unreadable'})`)
  }
}

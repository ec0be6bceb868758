/**
 * Files that survive a crash: whole files are written beside and renamed into place,
 * lines are appended with one write; both are flushed to the disk before they count.
 * A write that fails (a full disk) removes the file it wrote beside, and its error names the file.
 * Files are read bounded: a regular file, at most a given size, checked before a byte is read.
 *
 * @since 0.2.0
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import type { Stats } from 'node:fs'
import path from 'node:path'
import { temporaryName } from '@grokscope/runs'
import { UsageError } from './Errors.js'

// ─────────────────────────────────────────────────────────────────────────────
// kinds of file
// ─────────────────────────────────────────────────────────────────────────────

/** What a file that is not a regular file is, as a message says it: `a folder`, `a named pipe`, `a device`, … */
const kindOf = (s: Stats): string =>
  s.isDirectory()
    ? 'a folder'
    : s.isSymbolicLink()
      ? 'a symbolic link'
      : s.isFIFO()
        ? 'a named pipe'
        : s.isCharacterDevice() || s.isBlockDevice()
          ? 'a device'
          : 'a socket'

/**
 * What is at `file`, not following a symbolic link (`lstat`): null when nothing is there or a regular file is, else what
 * it is (`a folder`, `a symbolic link`, `a named pipe`, `a device`, `a socket`), which no write replaces.
 *
 * @since 0.3.0
 */
export const notWritable = (file: string): string | null => {
  let s: Stats
  try {
    s = lstatSync(file)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return null
    throw e
  }
  return s.isFile() ? null : kindOf(s)
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

/**
 * Runs `f`, which writes `file` (or the file beside it); a fault of the file system it throws is said to be `file`'s
 * (a write on a full disk names no file; the file beside is an implementation detail).
 */
const writing = <A>(file: string, f: () => A): A => {
  try {
    return f()
  } catch (e) {
    if (e instanceof Error && typeof (e as NodeJS.ErrnoException).syscall === 'string') (e as NodeJS.ErrnoException).path = file
    throw e
  }
}

/** Removes a file this process wrote beside another, if it is there (the error that made it stay matters more). */
const removeBeside = (tmp: string): void => {
  try {
    unlinkSync(tmp)
  } catch {
    // Already gone (or its folder went): nothing is left behind either way.
  }
}

/** Writes `content` (text as UTF-8) to the file `tmp`, whole, and flushes it to the disk; on failure, `tmp` is removed. */
const writeFlushed = (tmp: string, content: string | Uint8Array): void => {
  const fd = openSync(tmp, 'w')
  try {
    writeAll(fd, content)
  } catch (e) {
    closeSync(fd)
    removeBeside(tmp)
    throw e
  }
  closeSync(fd)
}

/**
 * Creates the folder `dir` and its missing parents, as `mkdirSync(dir, { recursive: true })` (the first folder created,
 * or undefined), but a refusal is the real one: Node says ENOENT when a parent cannot be made on a read-only file
 * system or without permission; then the first missing folder is made alone, for its own error (EROFS, EACCES).
 *
 * @since 0.3.0
 */
export const makeFolder = (dir: string): string | undefined => {
  try {
    return mkdirSync(dir, { recursive: true })
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
    let first = dir
    while (!existsSync(path.dirname(first)) && path.dirname(first) !== first) first = path.dirname(first)
    mkdirSync(first)
    return mkdirSync(dir, { recursive: true }) ?? first
  }
}

/**
 * Writes `text` (or bytes) to `file` atomically: a temporary file in the same folder, flushed, then renamed over it;
 * on failure the temporary file is removed and `file` is as it was. Only an absent path or a regular file is written: a
 * folder, a symbolic link, a device or a named pipe at `file` (which the rename would replace) is a `UsageError`.
 */
export const writeAtomic = (file: string, text: string | Uint8Array): void => {
  const kind = notWritable(file)
  if (kind !== null) throw new UsageError(`${file} is ${kind}, which is never replaced (allowed: an absent path or a regular file)`)
  const dir = path.dirname(file)
  makeFolder(dir)
  const tmp = temporaryName(file, process.pid)
  writing(file, () => writeFlushed(tmp, text))
  try {
    renameSync(tmp, file)
  } catch (e) {
    removeBeside(tmp)
    throw e
  }
  syncFolder(dir)
}

/**
 * Creates `file` holding `content` only if no file of that name exists; false (and `file` left as it
 * was) if one does. It is written whole beside `file` (as `tmp`) and hard-linked into place, so no
 * reader sees it half-written and of two processes creating it at once exactly one wins.
 */
export const createExclusive = (file: string, content: string | Uint8Array, tmp = temporaryName(file, process.pid)): boolean => {
  const dir = path.dirname(file)
  makeFolder(dir)
  writing(file, () => writeFlushed(tmp, content))
  try {
    linkSync(tmp, file)
    syncFolder(dir)
    return true
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw e
  } finally {
    unlinkSync(tmp)
  }
}

/** Writes a value as JSON, atomically. */
export const writeJson = (file: string, value: unknown, indent?: number): void =>
  writeAtomic(file, `${JSON.stringify(value, null, indent)}\n`)

/**
 * Appends one line with a single write, flushed. A crash can still leave the line
 * torn (no final newline): readers drop a torn last line.
 */
export const appendLine = (file: string, line: string): void =>
  writing(file, () => {
    const fd = openSync(file, 'a')
    try {
      writeAll(fd, `${line}\n`)
    } finally {
      closeSync(fd)
    }
  })

// ─────────────────────────────────────────────────────────────────────────────
// reading
// ─────────────────────────────────────────────────────────────────────────────

/** The largest small JSON file read (config.json, summary.json, sweep.json, a failure record): 64 MiB. */
export const MAX_JSON_BYTES = 64 * 2 ** 20

/** The largest text file read whole (weights.json, state.json, metrics.jsonl): 512 MiB, about the longest string V8 makes. */
export const MAX_TEXT_BYTES = 512 * 2 ** 20

/** A size in bytes as an error message shows it (`3.0 GiB`, `512 MiB`, `12 bytes`). */
export const showBytes = (n: number): string =>
  n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GiB` : n >= 2 ** 20 ? `${Math.round(n / 2 ** 20)} MiB` : `${n} bytes`

/** Refuses a file of `size` bytes when it is more than `maxBytes`. */
const checkSize = (file: string, size: number, maxBytes: number): void => {
  if (size > maxBytes) throw new UsageError(`${file} holds ${showBytes(size)}, more than the ${showBytes(maxBytes)} allowed for it`)
}

/**
 * Whether a path exists, as `existsSync`, but only "no such file" is false: a fault of the file system (a loop of
 * symbolic links, a folder without permission) is thrown, for `fileFaultMessage` to name, not taken for absence.
 *
 * @since 0.3.0
 */
export const pathExists = (file: string): boolean => {
  try {
    statSync(file)
    return true
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return false
    throw e
  }
}

/**
 * The size of a file that may be read: it exists, is a regular file (not a folder, a
 * device such as /dev/zero, or a named pipe, which would never end or block) and holds
 * at most `maxBytes`. Checked with `stat` before a byte is read.
 */
export const readableSize = (file: string, maxBytes: number): number => {
  if (!pathExists(file)) throw new UsageError(`${file} does not exist`)
  const s = statSync(file)
  if (!s.isFile()) throw new UsageError(`${file} is not a regular file (it is ${kindOf(s)}; allowed: a file)`)
  checkSize(file, s.size, maxBytes)
  return s.size
}

/**
 * `length` bytes of an open file from byte `position` (a positioned read: nothing
 * before or after is read); fewer if the file ends first.
 */
export const readAt = (fd: number, position: number, length: number): Uint8Array => {
  const bytes = new Uint8Array(length)
  let done = 0
  while (done < length) {
    const n = readSync(fd, bytes, done, length - done, position + done)
    if (n === 0) break
    done += n
  }
  return done === length ? bytes : bytes.subarray(0, done)
}

/** A file's text (UTF-8), after `readableSize`'s checks; at most `maxBytes` are read even if it grows meanwhile. */
export const readText = (file: string, maxBytes: number = MAX_TEXT_BYTES): string => {
  readableSize(file, maxBytes)
  const fd = openSync(file, 'r')
  try {
    const size = fstatSync(fd).size
    checkSize(file, size, maxBytes)
    return new TextDecoder().decode(readAt(fd, 0, size))
  } finally {
    closeSync(fd)
  }
}

/** Reads and parses a JSON file of at most `maxBytes` (a regular file: see `readableSize`); the error names the file. */
export const readJson = (file: string, maxBytes: number = MAX_JSON_BYTES): unknown => {
  const text = readText(file, maxBytes)
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new UsageError(`${file} is not valid JSON (${e instanceof Error ? e.message : 'unreadable'})`)
  }
}

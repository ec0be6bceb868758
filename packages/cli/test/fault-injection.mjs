// Loaded with `node --import` by faults.test.ts where no tmpfs can be mounted (a container that forbids mount): the file
// system's faults under GROKSCOPE_FAULT_DIR, injected into node:fs as the kernel would raise them.
// GROKSCOPE_FAULT=ENOSPC:<bytes>: writes fail once <bytes> were written there (a disk that fills up);
// GROKSCOPE_FAULT=EROFS: creating a folder or opening a file for writing there fails (a read-only file system).
import fs from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'
import path from 'node:path'
import process from 'node:process'
import { Buffer } from 'node:buffer'

const dir = path.resolve(process.env.GROKSCOPE_FAULT_DIR ?? '/nonexistent')
const [code, budget] = (process.env.GROKSCOPE_FAULT ?? '').split(':')
const inside = (p) => path.resolve(String(p)).startsWith(`${dir}${path.sep}`) || path.resolve(String(p)) === dir
const ERRNO = { ENOSPC: -28, EROFS: -30, ENOENT: -2 }
const fault = (syscall, p, as = code) =>
  Object.assign(new Error(`${as}: injected, ${syscall}${p === undefined ? '' : ` '${p}'`}`), {
    code: as,
    errno: ERRNO[as],
    syscall,
    ...(p === undefined ? {} : { path: String(p) }),
  })

const { openSync, closeSync, writeSync, mkdirSync } = fs
if (code === 'ENOSPC') {
  let left = Number(budget)
  const watched = new Set()
  fs.openSync = (p, ...rest) => {
    const fd = openSync(p, ...rest)
    if (inside(p)) watched.add(fd)
    return fd
  }
  fs.closeSync = (fd) => {
    watched.delete(fd)
    closeSync(fd)
  }
  fs.writeSync = (fd, buffer, ...rest) => {
    if (watched.has(fd)) {
      const n = typeof buffer === 'string' ? Buffer.byteLength(buffer) : (rest[1] ?? buffer.byteLength - (rest[0] ?? 0))
      if (n > left) throw fault('write')
      left -= n
    }
    return writeSync(fd, buffer, ...rest)
  }
} else if (code === 'EROFS') {
  // As Node does on a read-only file system: a recursive mkdir says ENOENT, a single one EROFS.
  fs.mkdirSync = (p, options) => {
    if (inside(p) && !fs.existsSync(p)) throw fault('mkdir', p, options?.recursive === true ? 'ENOENT' : 'EROFS')
    return mkdirSync(p, options)
  }
  fs.openSync = (p, flags = 'r', ...rest) => {
    if (inside(p) && flags !== 'r') throw fault('open', p)
    return openSync(p, flags, ...rest)
  }
}
syncBuiltinESMExports()

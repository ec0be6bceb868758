// fileFaultMessage: a fault of the file system as one line naming the file, what went wrong and what to do.
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { UsageError, fileFaultMessage } from '../src/index.js'

const CODES = ['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'ELOOP', 'EMFILE', 'ENFILE', 'ENAMETOOLONG', 'EIO']

/** The error a node:fs call throws when it fails. */
const thrown = (f: () => unknown): unknown => {
  try {
    f()
  } catch (e) {
    return e
  }
  throw new Error('it did not throw')
}

describe('fileFaultMessage', () => {
  it('is one line naming the path, the fault and its code, for every fault and any path', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CODES), fc.string({ minLength: 1 }), fc.constantFrom('open', 'write', 'mkdir'), (code, p, syscall) => {
        const e = Object.assign(new Error(`${code}: raw`), { code, syscall, path: p })
        const m = fileFaultMessage(e)
        return m !== null && !/[\r\n\u2028\u2029]/.test(m) && m.includes(`(${code}, ${syscall}); `)
      }),
    )
  })

  it('names the file of real faults: a loop of links, a folder read as a file, a path through a file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'grokscope-errors-'))
    const loop = path.join(dir, 'loop')
    symlinkSync(loop, loop)
    expect(fileFaultMessage(thrown(() => readFileSync(loop)))).toBe(
      `${loop}: a loop of symbolic links (or too many links in a row) (ELOOP, open); fix or remove the link`,
    )
    mkdirSync(path.join(dir, 'folder'))
    expect(fileFaultMessage(thrown(() => writeFileSync(path.join(dir, 'folder'), 'x')))).toBe(
      `${path.join(dir, 'folder')}: a folder where a file was expected (EISDIR, open); remove or rename that folder`,
    )
    writeFileSync(path.join(dir, 'file'), 'x')
    expect(fileFaultMessage(thrown(() => mkdirSync(path.join(dir, 'file', 'run'))))).toBe(
      `${path.join(dir, 'file', 'run')}: a part of the path is a file, not a folder (ENOTDIR, mkdir); fix the path`,
    )
  })

  it('is null for anything else: a usage error, a missing file, a plain error, a non-error', () => {
    expect(fileFaultMessage(new UsageError('x'))).toBeNull()
    expect(fileFaultMessage(thrown(() => readFileSync('/nonexistent/grokscope')))).toBeNull()
    expect(fileFaultMessage(new Error('ENOSPC'))).toBeNull()
    expect(fileFaultMessage('ENOSPC')).toBeNull()
  })
})

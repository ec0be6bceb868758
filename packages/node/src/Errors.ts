/**
 * The errors an adapter reports: a `UsageError` is a problem with what the user asked for
 * or gave (printed as one line, exit code 2); an out-of-memory failure and a fault of the
 * file system (a full disk, a read-only one, …) are recognised and said in one line with what to do.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'

/** A problem with what the user asked for or gave: printed as one line, exit code 2. */
export class UsageError extends Error {}

/** The value of a `Right`; a `Left` becomes a `UsageError`, prefixed (e.g. with the file it came from). */
export const orUsageError =
  (prefix?: string) =>
  <A>(r: E.Either<string, A>): A => {
    if (E.isLeft(r)) throw new UsageError(prefix === undefined ? r.left : `${prefix}: ${r.left}`)
    return r.right
  }

/** The one-line message for an out-of-memory failure (a WASM abort, a failed allocation), or null for any other error. */
export const outOfMemoryMessage = (e: unknown): string | null => {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e)
  if (!/Aborted\(|out of memory|Array buffer allocation failed|Invalid typed array length|Invalid array length|Cannot enlarge memory|memory access out of bounds/i.test(text)) return null
  return `out of memory: ${text.split('\n')[0]!.slice(0, 120)}; try a smaller --memory budget, fewer --threads, or a smaller p or --frac`
}

/** What each fault of the file system means and what to do about it, by its code. */
const FILE_FAULTS: Readonly<Record<string, readonly [what: string, todo: string]>> = {
  ENOSPC: ['no space left on the device', 'free some space, then run the same command again (a run continues with --resume)'],
  EDQUOT: ['the disk quota is used up', 'free some space, then run the same command again (a run continues with --resume)'],
  EROFS: ['on a read-only file system', 'choose a folder on a writable one'],
  EACCES: ['permission denied', 'choose a file or folder you may use, or change its permissions'],
  EPERM: ['operation not permitted', 'choose a file or folder you may use, or change its permissions'],
  EISDIR: ['a folder where a file was expected', 'remove or rename that folder'],
  ENOTDIR: ['a part of the path is a file, not a folder', 'fix the path'],
  ELOOP: ['a loop of symbolic links (or too many links in a row)', 'fix or remove the link'],
  EMFILE: ['too many open files in this process', 'raise the limit (ulimit -n) or use fewer --jobs'],
  ENFILE: ['too many open files on this system', 'close other programs or raise the system limit, then try again'],
  ENAMETOOLONG: ['a name too long for the file system', 'choose a shorter path'],
  EIO: ['an input/output error of the device', 'check the disk, then try again'],
}

/**
 * The one-line message for a fault of the file system (ENOSPC, EROFS, EACCES, EISDIR, ELOOP, EMFILE, ENOTDIR, …):
 * the file, what went wrong and what to do (`runs/add/state.json: no space left on the device (ENOSPC, write); free some
 * space, …`); null for any other error.
 *
 * @example
 * import { fileFaultMessage } from '@grokscope/node'
 * const path = 'runs/a/state.json'
 * const e = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write', path })
 * fileFaultMessage(e)?.startsWith('runs/a/state.json: no space left on the device (ENOSPC, write); free some space') // => true
 * fileFaultMessage(new Error('x')) // => null
 *
 * @since 0.3.0
 */
export const fileFaultMessage = (e: unknown): string | null => {
  if (!(e instanceof Error)) return null
  const { code, path, dest, syscall } = e as NodeJS.ErrnoException & { readonly dest?: string }
  const fault = code === undefined ? undefined : FILE_FAULTS[code]
  if (fault === undefined || typeof syscall !== 'string') return null
  const [what, todo] = fault
  const where = path === undefined ? '' : `${path}${dest === undefined ? '' : ` → ${dest}`}: `
  return `${where}${what} (${code}, ${syscall}); ${todo}`.replace(/[\r\n\u2028\u2029]+/g, ' ')
}

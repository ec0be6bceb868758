/**
 * The errors an adapter reports: a `UsageError` is a problem with what the user asked for
 * or gave (printed as one line, exit code 2); an out-of-memory failure is recognised and
 * said in one line with what to do.
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

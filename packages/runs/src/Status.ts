/**
 * Where a run of a sweep stands, from what its folder holds: its summary, whether it
 * has a config.json, and the failure record the sweep writes when a run's training
 * fails (`logs/<run>.failed.json`).
 *
 * @example
 * import { runStatus } from '@grokscope/runs'
 * runStatus({ holdsRun: true, summary: null, failure: null }) // => 'incomplete'
 * runStatus({ holdsRun: false, summary: null, failure: null }) // => 'not started'
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { firstProblem } from '@grokscope/data'
import type { Summary } from './Summary.js'

/** What the sweep records when a run's training fails: the process's exit code or signal when it ran in its own process, and its log. */
export const FailureCodec = t.intersection([
  t.type({ exit_code: t.union([t.number, t.null]), signal: t.union([t.string, t.null]), log: t.string }),
  t.partial({ error: t.string }),
])

/** A failed run's record. */
export type Failure = t.TypeOf<typeof FailureCodec>

/** A parsed failure record; `Left` names the field. */
export const decodeFailure = (u: unknown): E.Either<string, Failure> => E.mapLeft(firstProblem)(FailureCodec.decode(u))

/**
 * A run's state: `finished`, `diverged` (finished: its loss or weights stopped being
 * finite, summary.json's `stopped_by: "diverged"`), `interrupted` (stopped with Ctrl-C),
 * `failed` (its training failed; a rerun continues it), `incomplete` (config.json without
 * a summary: running now, or killed), `not started`.
 */
export type RunStatus = 'finished' | 'diverged' | 'interrupted' | 'failed' | 'incomplete' | 'not started'

/** A run's status from what its folder holds. */
export const runStatus = (r: {
  readonly holdsRun: boolean
  readonly summary: Summary | null
  readonly failure: Failure | null
}): RunStatus => {
  if (r.summary?.status === 'finished') return r.summary.stopped_by === 'diverged' ? 'diverged' : 'finished'
  if (r.failure !== null) return 'failed'
  if (r.summary?.status === 'interrupted') return 'interrupted'
  return r.holdsRun ? 'incomplete' : 'not started'
}

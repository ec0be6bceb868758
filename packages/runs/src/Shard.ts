/**
 * Which share of a sweep's grid a process runs: from `--shard i/n`, a Slurm job array or a
 * Kubernetes Indexed Job. Run k of the plan belongs to shard k mod n, so any n processes with
 * indices 0..n-1 (on any machines, over a shared folder) cover the grid exactly once, and
 * each process's `--jobs` workers split its share the same way. Pure: the environment is an argument.
 *
 * @example
 * import { shardFromEnv, shareOf } from '@grokscope/runs'
 * const shard = shardFromEnv({ SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '3' }, undefined)
 * shard._tag === 'Right' && shareOf(7, shard.right) // => [1, 4]
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'

/** A share of the grid: shard `index` of `count`, and where that came from. */
export interface Shard {
  readonly index: number
  readonly count: number
  readonly source: string
}

/** The environment variable that gives the number of shards of a Kubernetes Indexed Job (its `completions`). */
export const SHARDS_ENV = 'GROKSCOPE_SHARDS'

/** The whole grid. */
export const WHOLE: Shard = { index: 0, count: 1, source: 'the whole grid: no --shard and no Slurm or Kubernetes index in the environment' }

const natural = (s: string | undefined): number | null =>
  s !== undefined && /^\d+$/.test(s.trim()) && Number.isSafeInteger(Number(s)) ? Number(s) : null

/** `--shard i/n`: 0 ≤ i < n. */
export const parseShard = (s: string): E.Either<string, Shard> => {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(s)
  const index = natural(m?.[1])
  const count = natural(m?.[2])
  if (index === null || count === null || count < 1 || index >= count) {
    return E.left(`${JSON.stringify(s)} is not allowed (i/n with 0 ≤ i < n, e.g. 0/4)`)
  }
  return E.right({ index, count, source: '--shard' })
}

/**
 * The share given by the environment: a Slurm job array (`SLURM_ARRAY_TASK_ID`
 * relative to `SLURM_ARRAY_TASK_MIN`, out of `SLURM_ARRAY_TASK_COUNT` or
 * `MAX − MIN + 1`), else a Kubernetes Indexed Job (`JOB_COMPLETION_INDEX`, out of
 * `shards` or `GROKSCOPE_SHARDS`), else the whole grid.
 */
export const shardFromEnv = (env: Readonly<Record<string, string | undefined>>, shards: number | undefined): E.Either<string, Shard> => {
  const id = env.SLURM_ARRAY_TASK_ID
  if (id !== undefined) {
    const task = natural(id)
    const min = env.SLURM_ARRAY_TASK_MIN === undefined ? 0 : natural(env.SLURM_ARRAY_TASK_MIN)
    const max = natural(env.SLURM_ARRAY_TASK_MAX)
    const given = natural(env.SLURM_ARRAY_TASK_COUNT)
    if (task === null || min === null) {
      return E.left(`SLURM_ARRAY_TASK_ID=${id}, SLURM_ARRAY_TASK_MIN=${String(env.SLURM_ARRAY_TASK_MIN)}: not array task numbers`)
    }
    const count = given ?? (max === null ? null : max - min + 1)
    if (count === null) {
      return E.left(
        'SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX is: ' +
          'cannot tell how many shards the array has',
      )
    }
    if (max !== null && given !== null && max - min + 1 !== given) {
      return E.left(
        `the Slurm array has ${given} tasks from ${min} to ${max}: ` +
          `use a contiguous array (--array=0-${given - 1}, no step) so each task is one shard`,
      )
    }
    const index = task - min
    if (index < 0 || index >= count) return E.left(`SLURM_ARRAY_TASK_ID=${task} is outside the array's ${count} tasks from ${min}`)
    return E.right({
      index,
      count,
      source:
        `Slurm job array: SLURM_ARRAY_TASK_ID=${task}${min === 0 ? '' : ` − SLURM_ARRAY_TASK_MIN=${min}`}, ` +
        `${given !== null ? `SLURM_ARRAY_TASK_COUNT=${given}` : `SLURM_ARRAY_TASK_MAX=${String(max)}`}`,
    })
  }
  const k8s = env.JOB_COMPLETION_INDEX
  if (k8s !== undefined) {
    const index = natural(k8s)
    const fromEnv = natural(env[SHARDS_ENV])
    const count = shards ?? fromEnv
    if (index === null) return E.left(`JOB_COMPLETION_INDEX=${k8s} is not an index`)
    if (count === null) {
      return E.left(
        `JOB_COMPLETION_INDEX is set but the number of shards is not: pass --shards n or set ${SHARDS_ENV} (the Job's completions)`,
      )
    }
    if (index >= count) return E.left(`JOB_COMPLETION_INDEX=${index} is not below the ${count} shards`)
    return E.right({
      index,
      count,
      source:
        `Kubernetes Indexed Job: JOB_COMPLETION_INDEX=${index}, ` +
        `${shards !== undefined ? `--shards ${shards}` : `${SHARDS_ENV}=${count}`}`,
    })
  }
  if (shards !== undefined) {
    return E.left(`--shards needs JOB_COMPLETION_INDEX in the environment (a Kubernetes Indexed Job); elsewhere give --shard i/n`)
  }
  return E.right(WHOLE)
}

/** The plan indices `0..total-1` that belong to shard `index` of `count`: those ≡ index mod count. */
export const shareOf = (total: number, s: Pick<Shard, 'index' | 'count'>): ReadonlyArray<number> =>
  Array.from({ length: Math.max(0, Math.ceil((total - s.index) / s.count)) }, (_, k) => s.index + k * s.count)

/** A share split between `jobs` local workers: worker j gets the share's items at positions ≡ j mod jobs. */
export const lanesOf = <A>(share: ReadonlyArray<A>, jobs: number): ReadonlyArray<ReadonlyArray<A>> =>
  Array.from({ length: Math.min(jobs, share.length) }, (_, j) => share.filter((_, k) => k % jobs === j))

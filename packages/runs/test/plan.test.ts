// Sweep plans (sweep.json) of this version and of 0.1.0, the grid's parsers, shards, and the results table.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { OPERATIONS } from '@grokscope/data'
import { paperConfig } from '@grokscope/model'
import { LEGACY_DIR } from '../../../test-support/fixtures.js'
import {
  COLUMNS,
  PAPER_SETTINGS,
  PLAN_FORMAT,
  type ResultRow,
  SCRATCH,
  decodePlan,
  encodePlan,
  lanesOf,
  makePlan,
  parseOpsGrid,
  parseSeeds,
  parseShard,
  parseVariants,
  planDifference,
  shardFromEnv,
  shareOf,
  toCsv,
  toTable,
} from '../src/index.js'

const right = <A>(r: E.Either<string, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left)
  return r.right
}

describe('sharding', () => {
  it('shards 0..n-1 cover every run of any grid exactly once, and each shard’s workers split it exactly once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 8 }),
        (total, count, jobs) => {
          const seen = new Array<number>(total).fill(0)
          for (let index = 0; index < count; index++) {
            const share = shareOf(total, { index, count })
            const lanes = lanesOf(share, jobs)
            expect(lanes.length).toBeLessThanOrEqual(jobs)
            expect(lanes.flat().sort((a, b) => a - b)).toEqual([...share].sort((a, b) => a - b))
            for (const i of share) seen[i]!++
          }
          expect(seen.every((n) => n === 1)).toBe(true)
        },
      ),
    )
  })

  it('--shard i/n accepts 0 ≤ i < n only', () => {
    expect(right(parseShard('2/3'))).toMatchObject({ index: 2, count: 3 })
    for (const bad of ['3/3', '1/0', '-1/2', 'a/b', '1', '1/2/3']) expect(E.isLeft(parseShard(bad))).toBe(true)
  })

  it('reads the share of a Slurm array (relative to its MIN) and of a Kubernetes Indexed Job', () => {
    expect(right(shardFromEnv({ SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '3' }, undefined))).toMatchObject({ index: 1, count: 3 })
    expect(
      right(shardFromEnv({ SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_MIN: '5', SLURM_ARRAY_TASK_MAX: '8' }, undefined)),
    ).toMatchObject({ index: 2, count: 4 })
    expect(right(shardFromEnv({ JOB_COMPLETION_INDEX: '4', GROKSCOPE_SHARDS: '5' }, undefined))).toMatchObject({ index: 4, count: 5 })
    expect(right(shardFromEnv({ JOB_COMPLETION_INDEX: '4' }, 6))).toMatchObject({
      index: 4,
      count: 6,
      source: expect.stringContaining('--shards 6') as unknown,
    })
    expect(right(shardFromEnv({}, undefined))).toMatchObject({ index: 0, count: 1 })
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '1' }, undefined)).toEqual(E.left(expect.stringContaining('GROKSCOPE_SHARDS')))
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '1' }, undefined)).toEqual(E.left(expect.stringContaining('SLURM_ARRAY_TASK_COUNT')))
    expect(
      E.isLeft(
        shardFromEnv(
          { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '4' },
          undefined,
        ),
      ),
    ).toBe(true)
    expect(E.isLeft(shardFromEnv({ JOB_COMPLETION_INDEX: '5', GROKSCOPE_SHARDS: '5' }, undefined))).toBe(true)
    expect(E.isLeft(shardFromEnv({}, 3))).toBe(true)
  })
})

describe('plan parsing', () => {
  it('seeds: lists and inclusive ranges, each once', () => {
    expect(right(parseSeeds('0..4'))).toEqual([0, 1, 2, 3, 4])
    expect(right(parseSeeds('7, 0..2'))).toEqual([7, 0, 1, 2])
    for (const bad of ['', '1,1', '0..2,2', '3..1', 'x', '-1', '1.5']) expect(E.isLeft(parseSeeds(bad))).toBe(true)
  })

  it('seeds: a range has hi − lo + 1 seeds', () => {
    fc.assert(
      fc.property(fc.nat(10_000), fc.nat(200), (lo, n) => {
        expect(right(parseSeeds(`${lo}..${lo + n}`))).toHaveLength(n + 1)
      }),
    )
  })

  it('operations: ids, expressions, mixtures joined by +, and paper', () => {
    expect(right(parseOpsGrid('add,a2+b2,add+sub,a^2 + a*b + b^2,(a+b)2'))).toEqual([
      ['add'],
      ['a2+b2'],
      ['add', 'sub'],
      ['a2+ab+b2'],
      ['(a+b)2'],
    ])
    expect(right(parseOpsGrid('a+b'))).toEqual([['add']])
    expect(right(parseOpsGrid('paper'))).toEqual(OPERATIONS.map((op) => [op.id]))
    expect(parseOpsGrid('add,bogus')).toEqual(E.left(expect.stringContaining('"bogus" is not an operation id')))
    expect(E.isLeft(parseOpsGrid('add,add'))).toBe(true)
    expect(E.isLeft(parseOpsGrid('add+add'))).toBe(true)
    expect(E.isLeft(parseOpsGrid('add,'))).toBe(true)
  })

  it('transfer variants', () => {
    expect(right(parseVariants('scratch; freeze=embed; load=embed freeze=embed'))).toEqual([
      SCRATCH,
      { load: [], freeze: ['embed'] },
      { load: ['embed'], freeze: ['embed'] },
    ])
    expect(right(parseVariants('load=full'))).toEqual([{ load: ['embed', 'transformer', 'unembed'], freeze: [] }])
    for (const bad of ['freeze=head', 'scratch;scratch', 'load embed', '']) expect(E.isLeft(parseVariants(bad))).toBe(true)
  })

  it('the plan: one run per grid point with its whole config; it reads back as the same plan', () => {
    const source = paperConfig({ dVocab: 13, nOut: 11 })
    const options = { ...PAPER_SETTINGS, steps: 300, initFrom: '/src/weights.json' }
    const grid = {
      ops: [['add'], ['add', 'sub']],
      p: [11],
      fracs: [0.5],
      seeds: [0, 1],
      variants: [SCRATCH, { load: ['embed' as const], freeze: ['embed' as const] }],
    }
    const plan = right(makePlan(grid, options, source))
    expect(plan.runs).toHaveLength(2 * 2 * 2)
    expect(new Set(plan.runs.map((r) => r.name)).size).toBe(plan.runs.length)
    expect(plan.runs[0]).toMatchObject({ name: 'add-p11-r0.5-s0', ops: ['add'], p: 11, frac: 0.5, seed: 0, variant: SCRATCH })
    expect(plan.runs[0]!.config).toMatchObject({ loop: { max_steps: 300 } })
    expect(plan.runs[0]!.config?.transfer).toBeUndefined()
    const last = plan.runs.at(-1)!
    expect(last).toMatchObject({ name: 'add+sub-p11-r0.5-s1-load_embed-freeze_embed', variant: { load: ['embed'], freeze: ['embed'] } })
    expect(last.config?.transfer).toEqual({ source: '/src/weights.json', loaded: ['embed'], frozen: ['embed'] })
    expect(last.config?.optimizer.frozen).toEqual(['embed.W_E'])
    const doc = JSON.parse(JSON.stringify(encodePlan(plan))) as { format: string }
    expect(doc.format).toBe(PLAN_FORMAT)
    const back = right(decodePlan(doc))
    expect(planDifference(back, plan)).toBeNull()
    const other = right(makePlan(grid, { ...options, steps: 400 }, source))
    expect(planDifference(back, other)).toMatch(/run settings differ .*max_steps/)
    expect(makePlan({ ...grid, ops: [['add']], variants: [{ load: ['embed'], freeze: [] }] }, PAPER_SETTINGS, null)).toEqual(
      E.left(expect.stringContaining('no initFrom gives the model')),
    )
    expect(makePlan({ ...grid, ops: [['a/(b-b)']], variants: [SCRATCH] }, PAPER_SETTINGS)).toEqual(
      E.left(expect.stringContaining('has no defined pair')),
    )
  })

  it('a plan whose run names its config falsely is refused', () => {
    const plan = right(makePlan({ ops: [['add']], p: [11], fracs: [0.5], seeds: [0], variants: [SCRATCH] }, PAPER_SETTINGS))
    const doc = JSON.parse(JSON.stringify(encodePlan(plan))) as { runs: Array<{ name: string }> }
    doc.runs[0]!.name = 'mul-p11-r0.5-s0'
    expect(decodePlan(doc)).toEqual(E.left('runs.0.name is "mul-p11-r0.5-s0" (expected add-p11-r0.5-s0, the name of its config\'s run)'))
  })

  it('a sweep.json written by 0.1.0 reads back: its runs, their tasks and variants, its settings as train arguments', () => {
    const plan = right(decodePlan(JSON.parse(readFileSync(path.join(LEGACY_DIR, 'sweep', 'sweep.json'), 'utf8'))))
    expect(plan.runs.map((r) => r.name)).toEqual([
      'add-p11-r0.5-s0',
      'add-p11-r0.5-s1',
      'mul-p11-r0.5-s0',
      'mul-p11-r0.5-s1',
      'add+sub-p11-r0.5-s0',
      'add+sub-p11-r0.5-s1',
    ])
    expect(plan.runs[4]).toMatchObject({ ops: ['add', 'sub'], p: 11, frac: 0.5, seed: 0, variant: SCRATCH, config: null })
    expect(plan.legacy?.args).toContain('--grokfast')
    expect(plan.legacy?.initFrom).toBeNull()
  })
})

describe('the results table', () => {
  const row = (
    seed: number,
    status: ResultRow['status'],
    grokStep: number | null,
    best: number | null,
    minAfter: number | null = grokStep === null ? null : 1,
  ): ResultRow => ({
    run: `add-p11-r0.5-s${seed}`,
    operation: 'add',
    p: 11,
    r: 0.5,
    seed,
    transfer: 'scratch',
    status,
    grokked: best === null ? null : grokStep !== null,
    grok_step: grokStep,
    stayed_grokked: best === null ? null : minAfter !== null && minAfter >= 0.99,
    last_test_acc_after_grok: minAfter,
    min_test_acc_after_grok: minAfter,
    unstable: best === null ? null : false,
    unstable_from: null,
    unstable_min_train_acc: null,
    steps: best === null ? null : 100,
    train_loss: null,
    train_acc: null,
    test_loss: null,
    test_acc: null,
    best_test_acc: best,
    W_E_ffd: null,
    W_E_fcr: null,
    W_E_ffd_mult: null,
    W_E_fcr_mult: null,
    W_L_ffd: null,
    W_L_fcr: null,
    W_L_ffd_mult: null,
    W_L_fcr_mult: null,
    wall_time_s: null,
  })

  it('counts grokked seeds, takes the median grok step and the best accuracy, and lists unfinished runs by status', () => {
    const rows = [
      row(0, 'finished', 300, 1),
      row(1, 'finished', 500, 0.995),
      row(2, 'incomplete', 1000, 0.99),
      row(3, 'failed', null, 0.4),
      row(4, 'not started', null, null),
    ]
    expect(toTable(rows)).toContain('| add | 3/5 · 500 · 1.000 · stayed 3/3 · (1 incomplete, 1 failed, 1 not started) |')
    const csv = toCsv(rows).split('\n')
    expect(csv[0]).toBe(COLUMNS.join(','))
    expect(csv[5]).toBe(`add-p11-r0.5-s4,add,11,0.5,4,scratch,not started${','.repeat(COLUMNS.length - 7)}`)
    expect(csv).toHaveLength(rows.length + 2)
  })

  it('counts the grokked seeds that stayed grokked, with the lowest test accuracy after grokking when one fell', () => {
    // The fast recipe at p = 23, r = 0.7: sub grokked at 300, then fell to 0.35.
    const rows = [row(0, 'finished', 300, 1, 0.35), row(1, 'finished', 400, 1, 0.995), row(2, 'finished', null, 0.5)]
    expect(toTable(rows)).toContain('| add | 2/3 · 350 · 1.000 · stayed 1/2 (min 0.350) |')
    const csv = toCsv(rows).split('\n')
    const at = (name: string) => COLUMNS.indexOf(name as keyof ResultRow)
    expect(csv[1]!.split(',')[at('stayed_grokked')]).toBe('false')
    expect(csv[1]!.split(',')[at('min_test_acc_after_grok')]).toBe('0.35')
    expect(csv[2]!.split(',')[at('stayed_grokked')]).toBe('true')
  })

  it('counts the unstable runs of a cell, with the lowest train accuracy after the fit, and says nothing when none is', () => {
    const fell = { ...row(1, 'finished', null, 0.83), unstable: true, unstable_from: 300, unstable_min_train_acc: 0.4583 }
    const rows = [row(0, 'finished', 300, 1), fell]
    expect(toTable(rows)).toContain('| add | 1/2 · 300 · 1.000 · stayed 1/1 · **unstable 1/2** (train acc down to 0.458) |')
    expect(toTable([row(0, 'finished', 300, 1)])).not.toContain('**unstable')
    const csv = toCsv(rows).split('\n')
    const at = (name: string) => COLUMNS.indexOf(name as keyof ResultRow)
    expect(csv[2]!.split(',').slice(at('unstable'), at('unstable') + 3)).toEqual(['true', '300', '0.4583'])
    expect(csv[1]!.split(',')[at('unstable')]).toBe('false')
  })

  it('rounds the best accuracy down, so that one below the grokking threshold never reads as 0.990', () => {
    expect(toTable([row(0, 'finished', null, 476 / 481), row(1, 'finished', null, 0.5)])).toContain('| add | 0/2 · – · 0.989 |')
  })
})

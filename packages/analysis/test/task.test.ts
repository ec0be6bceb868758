// modelTask reads the task a weights file records, in the fixtures' and in grokscope's form.
import * as E from 'fp-ts/lib/Either.js'
import { expect, it } from 'vitest'
import { type WeightsFile, paperConfig } from '@grokscope/model'
import { modelTask } from '../src/index.js'

const file = (dVocab: number, nOut: number, meta: Record<string, unknown>): WeightsFile => ({
  config: paperConfig({ dVocab, nOut }),
  host: {},
  meta,
})

it('a fixture’s single op and a run’s list of ops name the operation tokens in order', () => {
  const fixture = modelTask(file(32, 31, { op: 'add', p: 31, seed: 0 }))
  expect(E.isRight(fixture) && fixture.right.ops.map((o) => [o.id, o.op?.id])).toEqual([['add', 'add']])
  const run = modelTask(file(33, 31, { ops: ['mul', 'a^2 + b'], p: 31, seed: 4 }))
  // An expression equal to a registered operation is that operation.
  expect(E.isRight(run) && run.right.ops.map((o) => [o.id, o.op?.id])).toEqual([
    ['mul', 'mul'],
    ['a^2 + b', 'a2+b'],
  ])
  expect(E.isRight(run) && run.right.seed).toBe(4)
})

it('tokens without a recorded operation are named op{i} with unknown labels; p defaults to n_out', () => {
  const r = modelTask(file(33, 31, {}))
  expect(E.isRight(r) && r.right).toEqual({ p: 31, seed: 0, ops: [{ id: 'op0', op: null }, { id: 'op1', op: null }] })
  const unknown = modelTask(file(32, 31, { ops: ['no such op ('] }))
  expect(E.isRight(unknown) && unknown.right.ops).toEqual([{ id: 'no such op (', op: null }])
})

it('a vocabulary smaller than p is a Left', () => {
  expect(modelTask(file(30, 31, {}))).toEqual(E.left('d_vocab is 30, less than p = 31'))
})

// The plan of a 4-run sweep: add and mul mod 23 on 60 % of the pairs, seeds 0 and 1, a small model
// with a learning rate that groks within a few hundred steps. Pure: nothing is trained or written.
import { PAPER_SETTINGS, SCRATCH, makePlan } from '@grokscope/runs'

const planned = makePlan(
  { ops: [['add'], ['mul']], p: [23], fracs: [0.6], seeds: [0, 1], variants: [SCRATCH] },
  { ...PAPER_SETTINGS, steps: 1500, evalEvery: 50, dModel: 64, heads: 4, dHead: 16, dMlp: 256, lr: 1e-2 },
)
if (planned._tag === 'Left') throw new Error(planned.left)

export const plan = planned.right

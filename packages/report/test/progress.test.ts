// The progress text: the time a run has left, and the status line a sweep shows of its running runs.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { syntheticRecords } from '../../../test-support/synthetic.js'
import {
  PROGRESS_HEADER,
  durationText,
  endStep,
  etaText,
  progressLine,
  reproduceStatusText,
  runningText,
  stepsLeft,
  sweepStatusText,
  timeLeftText,
} from '../src/index.js'

const END = { max_steps: 6000, stop_after_grok: 200 }
const record = syntheticRecords({ steps: 2000, every: 100, mem: 300, grok: 1500 })

describe('time left', () => {
  it('a run with a stop rule that has not grokked ends at most at its budget; once grokked, n steps after', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300_000 }),
        fc.option(fc.integer({ min: 0, max: 10_000 })),
        fc.option(fc.integer({ min: 0, max: 300_000 })),
        (max_steps, stop_after_grok, grok) => {
          const e = endStep({ max_steps, stop_after_grok }, grok)
          expect(e.step).toBeLessThanOrEqual(max_steps)
          expect(e.bound).toBe(stop_after_grok !== null && grok === null)
          if (stop_after_grok !== null && grok !== null) expect(e.step).toBe(Math.min(max_steps, grok + stop_after_grok))
        },
      ),
    )
  })

  it('the time left shrinks as the run goes on, and is 0 s at the end', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5999 }), fc.double({ min: 0.5, max: 1000, noNaN: true }), (step, sps) => {
        const seconds = (text: string) => {
          const [, h, min, s] = /^(?:≤ )?(?:(\d+) h )?(?:(\d+) min ?)?(?:(\d+) s)?$/.exec(text)!
          return Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0)
        }
        expect(seconds(timeLeftText(step + 1, END, 100, sps))).toBeLessThanOrEqual(seconds(timeLeftText(step, END, 100, sps)))
        expect(timeLeftText(300, END, 100, sps)).toBe('0 s')
      }),
    )
  })

  it('is an upper bound (≤) before the run groks, exact after, and unknown before the speed is', () => {
    expect(timeLeftText(1000, END, null, 50)).toBe('≤ 1 min 40 s')
    expect(timeLeftText(1600, END, 1500, 50)).toBe('2 s')
    expect(timeLeftText(0, END, null, 0)).toBe('-')
    expect(timeLeftText(0, { max_steps: 300_000, stop_after_grok: null }, null, 25)).toBe('3 h 20 min')
  })

  it('durations: seconds, then minutes and seconds, then hours and minutes', () => {
    expect([0.4, 59.4, 60, 125, 3599, 3600, 7322].map(durationText)).toEqual(['0 s', '59 s', '1 min 00 s', '2 min 05 s', '59 min 59 s', '1 h 00 min', '2 h 02 min'])
  })

  it('every progress line has the time-left column under its heading', () => {
    const r = record[10]!
    const line = progressLine(r, 40, END)
    expect(line).toHaveLength(PROGRESS_HEADER.length)
    expect(line.endsWith(timeLeftText(r.step, END, r.grok_step ?? null, 40))).toBe(true)
  })
})

describe('a sweep’s status line', () => {
  it('names each running run with its step, end, accuracies and time left', () => {
    const r = { ...record[10]!, grok_step: null }
    const text = sweepStatusText({ done: 2, running: 2, left: 4 }, [
      { name: 'add-p31-r0.5-s0', end: END, latest: { record: r, stepsPerS: 50 } },
      { name: 'mul-p31-r0.5-s0', end: END, latest: null },
    ])
    expect(text).toBe(
      `[2 done, 2 running, 4 left] add-p31-r0.5-s0 1000/≤6000 train ${r.train_acc.toFixed(3)} test ${r.test_acc.toFixed(3)} ≤ 1 min 40 s; ` +
        'mul-p31-r0.5-s0 starting',
    )
  })

  it('a grokked run shows its exact end', () => {
    const r = { ...record[16]!, grok_step: 1500 }
    expect(runningText({ name: 'x', end: END, latest: { record: r, stepsPerS: 10 } })).toMatch(/^x 1600\/1700 train \S+ test \S+ 10 s$/)
  })
})

describe('a reproduction’s status line', () => {
  const end = fc.record({
    max_steps: fc.integer({ min: 1, max: 300_000 }),
    stop_after_grok: fc.option(fc.integer({ min: 0, max: 10_000 })),
  })

  it('the steps left are at most the budgets of the runs not started and of the running ones, and shrink as a run steps', () => {
    fc.assert(
      fc.property(fc.array(end, { maxLength: 5 }), end, fc.nat(), fc.option(fc.nat()), (notStarted, e, step, grok) => {
        const at = Math.min(step, e.max_steps)
        const latest = { record: { ...record[0]!, step: at, grok_step: grok === null ? null : Math.min(grok, at) }, stepsPerS: 1 }
        const budgets = notStarted.reduce((n, x) => n + x.max_steps, 0)
        const left = stepsLeft(notStarted, [{ name: 'x', end: e, latest }])
        expect(left).toBeGreaterThanOrEqual(budgets)
        expect(left).toBeLessThanOrEqual(budgets + e.max_steps - at)
        expect(stepsLeft(notStarted, [{ name: 'x', end: e, latest: null }])).toBe(budgets + e.max_steps)
        if (grok === null) expect(left).toBe(budgets + e.max_steps - at)
      }),
    )
  })

  it('the time left is steps × ms/step ÷ jobs, an upper bound in words', () => {
    expect(etaText(6000, 250, 2)).toBe('≤ 12 min 30 s left')
    expect(etaText(6000, 250, 1)).toBe('≤ 25 min 00 s left')
    expect(etaText(0, 250, 2)).toBe('≤ 0 s left')
  })

  it('shows the counts across stages, the time left, then each running run', () => {
    const text = reproduceStatusText({ done: 14, running: 1, left: 5 }, [{ name: 'sub-p31-r0.5-s0', end: END, latest: null }], '≤ 3 min 00 s left')
    expect(text).toBe('[14 done, 1 running, 5 left] ≤ 3 min 00 s left sub-p31-r0.5-s0 starting')
  })
})

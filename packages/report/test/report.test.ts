// What a report says and draws of stability, phases and run identity: an unstable run is flagged where it cannot be
// missed, phases and the grokking rule only where they exist, one colour per operation across the folder's report and
// its results, and the sweep report's paper figures (FCR, the FFD–FCR plane, best accuracy).
import { describe, expect, it } from 'vitest'
import { identityColors } from '@grokscope/charts'
import { type MetricsRecord, resultRow, stabilityNext, stabilityStart } from '@grokscope/runs'
import { syntheticRecords } from '../../../test-support/synthetic.js'
import {
  type SweepRun,
  accuracySvg,
  measuresSvg,
  PROGRESS_HEADER,
  progressLine,
  progressLog,
  runFacts,
  runReportHtml,
  stabilityFlag,
  summaryText,
  sweepReportHtml,
} from '../src/index.js'

/** Records whose training set, once fitted, is lost at these steps (train accuracy 0.5, loss 2). */
const dips = (records: ReadonlyArray<MetricsRecord>, at: ReadonlyArray<number>): MetricsRecord[] =>
  records.map((r) => (at.includes(r.step) ? { ...r, train_acc: 0.5, train_loss: 2 } : r))

const grokked = syntheticRecords({ steps: 2000, every: 100, mem: 300, grok: 800 })
/** Fitted, never grokked, its training set lost at 900 and 1500–1600. */
const unstable = dips(syntheticRecords({ steps: 2000, every: 100, mem: 300, grok: 9000 }), [900, 1500, 1600])

const report = (records: ReadonlyArray<MetricsRecord>): string =>
  runReportHtml({
    title: 't',
    facts: [],
    records,
    grokStep: records.find((r) => r.grok_step !== null)?.grok_step ?? null,
    analysis: null,
    eta: 0.5,
  })

describe("a run's report", () => {
  it('flags an unstable run above its facts, with the steps it left its training set', () => {
    const html = report(unstable)
    expect(html).toContain('data-testid="unstable"')
    expect(html).toContain('left the fitted training set at steps 900, 1500–1600')
    expect(report(grokked)).not.toContain('data-testid="unstable"')
  })

  it('draws no phases, no grokking rule and no caption of them for a run that did not grok', () => {
    const html = report(unstable)
    expect(html).not.toContain('class="band"')
    expect(html).not.toContain('class="rule"')
    expect(html).not.toContain('phase-legend')
    expect(html).not.toContain('dashed line')
    expect(html).toContain('the run has not grokked')
    const ok = report(grokked)
    expect(ok).toContain('class="band"')
    expect(ok).toContain('the dashed line is the grokking step')
  })

  it('keeps the step bar inside the curves section, on one compact line with no table', () => {
    const html = report(grokked)
    const section = /<section class="curves">(.*?)<\/section>/s.exec(html)![1]!
    expect(section).toContain('data-testid="step-slider"')
    const controls = /<div class="controls"[^>]*>(.*?)<\/div>/s.exec(html)![1]!
    expect(controls).not.toContain('<table')
  })

  it('says the best test accuracy and the stability in its outcome fact', () => {
    const config = {
      task: { ops: [{ id: 'sub' }], p: 31, frac: 0.5, seed: 0 },
      optimizer: { lr: 0.02, weightDecay: 2, beta1: 0.9, beta2: 0.98 },
    } as unknown as Parameters<typeof runFacts>[0]
    const outcome = runFacts(config, unstable, null).find(([k]) => k === 'outcome')![1]
    expect(outcome).toMatch(/test accuracy [\d.]+ \(best [\d.]+\); not grokked; unstable: left the fitted training set at steps 900, 1500–1600/)
  })
})

const sweepRun = (name: string, operation: string, records: ReadonlyArray<MetricsRecord>): SweepRun => ({
  name,
  operation,
  transfer: 'scratch',
  href: `${name}/report.html`,
  ops: operation,
  p: 31,
  frac: 0.5,
  seed: 0,
  lr: 0.02,
  wd: 2,
  records,
  grokStep: records.find((r) => r.grok_step !== null)?.grok_step ?? null,
  status: 'finished',
})

describe("a folder's report", () => {
  const runs = [sweepRun('sub-s0', 'sub', unstable), sweepRun('add-s0', 'add', grokked), sweepRun('a2+b2-s0', 'a2+b2', grokked)]
  const html = sweepReportHtml('sweep', runs)

  it('shows test accuracy, FFD and FCR of W_E over time, the FFD–FCR plane and the grok steps', () => {
    for (const id of ['fig-sweep-test-accuracy', 'fig-sweep-ffd', 'fig-sweep-fcr', 'fig-sweep-ffd-fcr', 'fig-grok-steps']) {
      expect(html, id).toContain(`data-testid="${id}"`)
    }
  })

  it('has the best and the final test accuracy and the stability of each run in its table, and counts the unstable runs', () => {
    expect(html).toMatch(/<th>final test acc<\/th><th>best test acc<\/th><th>stability<\/th>/)
    expect(html).toContain('<b class="unstable">unstable</b>: 900, 1500–1600')
    expect(html).toContain('<b class="unstable">1 unstable</b> (sub-s0)')
  })

  it('gives each operation one colour in every figure, the one the results give it', () => {
    const color = identityColors(['sub', 'add', 'a2+b2'])
    const figures = html.split('<figure').slice(1)
    for (const [name, op] of [['sub-s0', 'sub'], ['add-s0', 'add'], ['a2+b2-s0', 'a2+b2']] as const) {
      for (const f of figures.filter((x) => x.includes('class="chart line"'))) {
        expect(f).toContain(`<g class="series" stroke="${color(op)}" fill="${color(op)}"><path`)
        expect(f).toContain(`>${name}<`)
      }
    }
    const rows = runs.map((r) =>
      resultRow({
        run: { name: r.name, ops: [r.operation], p: 31, frac: 0.5, seed: 0, variant: { load: [], freeze: [] }, config: null },
        status: 'finished',
        summary: null,
        records: r.records,
      }),
    )
    for (const svg of [accuracySvg(rows), measuresSvg(rows)]) {
      for (const op of ['sub', 'add', 'a2+b2']) expect(svg).toContain(`<g class="series" stroke="${color(op)}">`)
    }
  })
})

describe('results figures with one training fraction', () => {
  it('put the operations on the x axis, not a 0–1 axis of fractions', () => {
    const rows = (['add', 'sub'] as const).map((op) =>
      resultRow({
        run: { name: `${op}-s0`, ops: [op], p: 31, frac: 0.5, seed: 0, variant: { load: [], freeze: [] }, config: null },
        status: 'finished',
        summary: null,
        records: grokked,
      }),
    )
    const svg = accuracySvg(rows)
    expect(svg).not.toContain('training fraction r')
    expect(svg).toMatch(/text-anchor="middle">add<\/text>.*text-anchor="middle">sub<\/text>/s)
  })
})

describe('progress lines', () => {
  const end = { max_steps: 2000, stop_after_grok: null }
  it('end with the flag at each evaluation out of the fitted training set, and only there', () => {
    let state = stabilityStart
    const flagged = unstable.flatMap((r) => {
      state = stabilityNext(state, r)
      const line = progressLine(r, 10, end, stabilityFlag(state))
      return / {2}! unstable: out of the fitted training set \(fitted at step \d+\)$/.test(line) ? [r.step] : []
    })
    expect(flagged).toEqual([900, 1500, 1600])
    expect(progressLine(unstable[0]!, 10, end)).toBe(progressLine(unstable[0]!, 10, end, stabilityFlag(stabilityStart)))
  })
  it('as a log (progressLog): the heading once, before the first line, then the same flagged lines', () => {
    const next = progressLog(end)
    const logged = unstable.flatMap((r) => next(r, 10))
    let state = stabilityStart
    const expected = unstable.map((r) => {
      state = stabilityNext(state, r)
      return progressLine(r, 10, end, stabilityFlag(state))
    })
    expect(logged).toEqual([PROGRESS_HEADER, ...expected])
  })
})

describe('summaryText', () => {
  it('ends with the stability flag of an unstable run and rounds accuracy down', () => {
    const s = {
      status: 'finished',
      stopped_by: 'max-steps',
      grokked: false,
      grok_step: null,
      steps: 1500,
      final: { step: 1500, train: { loss: 0.8, acc: 0.69 }, test: { loss: 2, acc: 0.9896 } },
      measures: null,
      wall_time_s: 1,
      stability: {
        fitted_step: 50,
        unstable: true,
        excursions: [[300, 300], [600, 650]],
        excursion_count: 2,
        ended_outside: false,
        lowest_train_acc: 0.458,
        highest_loss_rise: 900,
      },
    } as const
    expect(summaryText(s)).toBe(
      'did not grok, 1500 steps, test acc 0.989; unstable: left the fitted training set at steps 300, 600–650 ' +
        '(lowest train accuracy 0.458; back in at the end)',
    )
  })
})

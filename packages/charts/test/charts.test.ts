// The figures as SVG text: every value drawn and named, axes that share the step range, log ticks at
// powers of ten, every basis row labelled, legends that fit, text escaped and links that stay inside.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  COLORS,
  PHASES,
  SERIES,
  WIDTH,
  accuracySeries,
  barChart,
  decadeLabels,
  esc,
  fmt,
  fourierSeries,
  heatMap,
  identityColors,
  IDENTITY,
  legend,
  lineChart,
  lossSeries,
  logScale,
  pointChart,
  pow10Label,
  pow10Sup,
  relativeHref,
  stack,
  stepDomain,
} from '../src/index.js'

const RUNS = 200
const value = fc.double({ min: 1e-6, max: 1e6, noNaN: true })
const titles = (svg: string): string[] => [...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => m[1]!)
const attr = (svg: string, name: string): number => Number(new RegExp(`${name}="([^"]*)"`).exec(svg)![1])
/** The plot's left and right edges (x of the step domain's ends). */
const edges = (svg: string): [number, number] => [attr(svg, 'data-x0'), attr(svg, 'data-x1')]
const yTickLabels = (svg: string): string[] =>
  [...svg.matchAll(/<text x="57" y="[^"]*" text-anchor="end">([^<]*)<\/text>/g)].map((m) => m[1]!)

describe('line charts', () => {
  it('draw one dot per finite value (log axis: per positive value), each with its value on hover, inside the plot', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(10_000), fc.oneof(value, fc.constant(NaN), fc.constant(0))), { minLength: 1, maxLength: 30 }),
        fc.boolean(),
        (points, log) => {
          const svg = lineChart({ title: 't', yLabel: 'y', log, dots: true, series: [{ name: 's', color: '#000', points }] })
          const kept = points.filter(([, y]) => Number.isFinite(y) && (!log || y > 0))
          const dots = [...svg.matchAll(/<circle cx="([\d.-]+)" cy="([\d.-]+)"/g)].map((m) => [Number(m[1]), Number(m[2])] as const)
          const [x0, x1] = edges(svg)
          expect(dots).toHaveLength(kept.length)
          for (const [x] of dots) expect(x >= x0 - 0.01 && x <= x1 + 0.01).toBe(true)
          expect(titles(svg).filter((t) => t.startsWith('s at step'))).toEqual(kept.map(([x, y]) => `s at step ${x}: ${fmt(y)}`))
          expect(svg).not.toMatch(/NaN|Infinity/)
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('log axes have ticks at powers of ten only, labelled in one form: 0.01 … 1000, or else 10⁻³, 10⁻², … 10⁴', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        const s = logScale(Math.min(a, b), Math.max(a, b), 200, 0)
        for (const t of s.values) expect(Math.log10(t)).toBeCloseTo(Math.round(Math.log10(t)), 9)
        expect(s.values.length).toBeGreaterThanOrEqual(2)
        expect(s.values.length).toBeLessThanOrEqual(8)
        // One form per axis: all plain (0.01 … 1000) or all 10ᵏ.
        const labels = s.values.map(s.label)
        expect(labels.every((l) => /^10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+$/.test(l)) || labels.every((l) => /^[\d.]+$/.test(l))).toBe(true)
        // Every decade of the axis has a grid line: a labelled tick or, past 7 decades, an unlabelled one.
        const decades = [...s.values, ...s.minor].map((t) => Math.round(Math.log10(t))).sort((x, y) => x - y)
        const [lo, hi] = s.domain.map((d) => Math.round(Math.log10(d)))
        expect(decades).toEqual(Array.from({ length: hi! - lo! + 1 }, (_, i) => lo! + i))
        // The data lie inside the axis.
        expect(s.domain[0]).toBeLessThanOrEqual(Math.min(a, b) * (1 + 1e-9))
        expect(s.domain[1]).toBeGreaterThanOrEqual(Math.max(a, b) * (1 - 1e-9))
      }),
      { numRuns: RUNS },
    )
    expect([-5, -3, -2, -1, 0, 1, 3, 4].map(pow10Label)).toEqual(['1e-5', '1e-3', '0.01', '0.1', '1', '10', '1000', '1e4'])
    expect([-12, -3, 0, 1, 10].map(pow10Sup)).toEqual(['10⁻¹²', '10⁻³', '10⁰', '10¹', '10¹⁰'])
    expect([-2, 0, 3].map(decadeLabels(-2, 3))).toEqual(['0.01', '1', '1000'])
    expect([-3, 0, 1].map(decadeLabels(-3, 1))).toEqual(['10⁻³', '10⁰', '10¹'])
    const svg = lineChart({
      title: 'Loss',
      yLabel: 'loss',
      log: true,
      series: [{ name: 'train', color: COLORS.train, points: [[0, 4.6], [100, 0.5], [200, 2e-4]] }],
    })
    expect(yTickLabels(svg)).toEqual(['10⁻⁴', '10⁻³', '10⁻²', '10⁻¹', '10⁰', '10¹'])
    const plain = lineChart({
      title: 'Accuracy',
      yLabel: 'loss',
      log: true,
      series: [{ name: 'train', color: COLORS.train, points: [[0, 4.6], [100, 0.02]] }],
    })
    expect(yTickLabels(plain)).toEqual(['0.01', '0.1', '1', '10'])
    expect(svg).not.toContain('class="minor"')
    // 11 decades: every other one labelled, the rest drawn as unlabelled grid lines.
    const wide = lineChart({
      title: 'Loss',
      yLabel: 'loss',
      log: true,
      series: [{ name: 'train', color: COLORS.train, points: [[0, 50], [100, 1e-9]] }],
    })
    expect(yTickLabels(wide)).toEqual(['10⁻⁸', '10⁻⁶', '10⁻⁴', '10⁻²', '10⁰', '10²'])
    expect(wide.match(/class="minor"/g)).toHaveLength(6)
  })

  it('start the step axis at 0, so that a step-0 record is drawn at the left edge, on a log axis too', () => {
    const svg = lineChart({
      title: 'Loss',
      yLabel: 'loss',
      log: true,
      dots: true,
      series: [{ name: 'test', color: COLORS.test, points: [[0, 4.6], [500, 0.01]] }],
    })
    const [x0, x1] = edges(svg)
    const xs = [...svg.matchAll(/<circle cx="([\d.]+)"/g)].map((m) => Number(m[1]))
    expect(xs).toEqual([x0, x1])
    expect(attr(svg, 'data-s0')).toBe(0)
  })

  it('on a shared step range, the grokking rule and the cursor are inside the plot, at their steps', () => {
    const xDomain = stepDomain([0, 2300, 300])
    expect(xDomain).toEqual([0, 2300])
    // Measured only from step 500 to 2000 (the restricted loss), drawn on the page's range.
    const svg = lineChart({
      title: 'Restricted loss',
      yLabel: 'loss',
      log: true,
      xDomain,
      rule: { x: 300, label: 'grokked' },
      cursor: 2300,
      series: [{ name: 'r', color: '#000', points: [[500, 1], [2000, 0.1]] }],
    })
    const [x0, x1] = edges(svg)
    const at = (step: number) => x0 + (step / 2300) * (x1 - x0)
    expect(attr(svg, 'class="rule" x1')).toBeCloseTo(at(300), 1)
    expect(attr(svg, 'class="cursor" x1')).toBeCloseTo(at(2300), 1)
    expect(Number(/<path d="M([\d.]+) /.exec(svg)![1])).toBeCloseTo(at(500), 1)
  })

  it('are responsive (viewBox, width 100%, no fixed height, no inline style) and keep every legend label inside the figure, uncut', () => {
    const names = [
      'restricted loss',
      'excluded loss (train)',
      'test loss',
      'a long series name that would be cut',
      'FFD(W_E)',
      'FCR(W_E)',
      'FFD(W_L)',
      'FCR(W_L)',
    ]
    const svg = lineChart({ title: 't', yLabel: 'y', series: names.map((name) => ({ name, color: '#000', points: [[1, 1]] })) })
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 720 [\d.]+" width="100%"/)
    expect(svg.slice(0, svg.indexOf('>'))).not.toMatch(/ height=/)
    // No inline style anywhere (the web page's content security policy blocks it).
    const bars = barChart({ title: 't', names: ['a'], colors: ['#000'], groups: [{ label: '1', values: [1] }], xLabel: 'k', yLabel: 'n' })
    const heat = heatMap({ title: 't', names: ['const'], values: [1], n: 1, rowLabel: 'a', colLabel: 'b' })
    for (const x of [svg, bars, heat, legend([{ name: 'a', color: '#000' }])]) expect(x).not.toMatch(/\sstyle=/)
    const legendTexts = [...svg.matchAll(/<text x="([\d.]+)" y="[\d.]+" fill="#222222">([^<]*)<\/text>/g)].map((m) => ({
      x: Number(m[1]),
      name: m[2]!,
    }))
    expect(legendTexts.map((t) => t.name)).toEqual(names)
    for (const t of legendTexts) expect(t.x + t.name.length * 6.6).toBeLessThanOrEqual(WIDTH)
    // The title's baseline is above the first legend row, and the plot (its top tick) below the legend.
    const legendYs = [...svg.matchAll(/<text x="[\d.]+" y="([\d.]+)" fill="#222222">/g)].map((m) => Number(m[1]))
    expect(Math.min(...legendYs)).toBeGreaterThan(17 + 11)
    expect(Math.min(...[...svg.matchAll(/<text x="57" y="([\d.]+)" text-anchor="end">/g)].map((m) => Number(m[1])))).toBeGreaterThan(
      Math.max(...legendYs) + 8,
    )
  })
})

describe('stacks and legends', () => {
  it('a stack shares one step axis: every panel draws the same bands at the same x, the phase legend once on top', () => {
    const bands = [
      { label: 'memorisation', color: PHASES.memorisation, from: 0, to: 200 },
      { label: 'cleanup', color: PHASES.cleanup, from: 200, to: 900 },
    ]
    const chart = (title: string, to: number) => ({
      title,
      yLabel: 'y',
      xDomain: stepDomain([1000]),
      bands,
      series: [{ name: title, color: '#000', points: [[0, 0.5] as const, [to, 1] as const] }],
    })
    const svg = stack({
      title: 'run',
      legend: bands.map((b) => ({ name: b.label, color: b.color, kind: 'band' as const })),
      charts: [chart('a', 1000), chart('b', 400), chart('c', 700)],
    })
    const rects = [...svg.matchAll(/<rect class="band" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)].map((m) => `${m[1]}+${m[2]}`)
    expect(rects).toHaveLength(6)
    expect(new Set(rects).size).toBe(2)
    expect(svg.split('>memorisation<').length - 1).toBe(1)
    expect(legend([{ name: 'cleanup', color: PHASES.cleanup, kind: 'band' }])).toContain('>cleanup<')
  })
})

describe('curve series', () => {
  it('give every page the same names and colours: train and test, and FFD/FCR of W_E and W_L in either basis', () => {
    const at = (step: number, mult: boolean) => ({
      step,
      train_acc: 0.5,
      test_acc: 0.1,
      train_loss: 2,
      test_loss: 4,
      W_E: { ffd: 0.9, fcr: 0.8, ...(mult ? { ffd_mult: 0.7, fcr_mult: 0.6 } : {}) },
      W_L: { ffd: 0.5, fcr: 0.4 },
    })
    const records = [at(0, false), at(100, true)]
    expect(accuracySeries(records)).toEqual([
      { name: 'train', color: COLORS.train, points: [[0, 0.5], [100, 0.5]] },
      { name: 'test', color: COLORS.test, points: [[0, 0.1], [100, 0.1]] },
    ])
    expect(lossSeries(records).map((s) => [s.name, s.color, s.points[0]![1]])).toEqual([
      ['train', COLORS.train, 2],
      ['test', COLORS.test, 4],
    ])
    expect(fourierSeries(records).map((s) => [s.name, s.color, s.points.length])).toEqual([
      ['FFD(W_E)', SERIES[2], 2],
      ['FCR(W_E)', SERIES[3], 2],
      ['FFD(W_L)', SERIES[4], 2],
      ['FCR(W_L)', SERIES[6], 2],
    ])
    // Only the step-100 record has W_E's multiplicative values, and no record has W_L's.
    expect(fourierSeries(records, 'multiplicative').map((s) => s.points)).toEqual([[[100, 0.7]], [[100, 0.6]], [], []])
  })
})

describe('point charts', () => {
  it('draw one circle per finite point (hollow as asked) with its hover text, inside the plot even outside the given domain, ' +
    'and one tick per line value', () => {
    const coord = fc.oneof(fc.double({ min: -2, max: 3, noNaN: true }), fc.constant(NaN), fc.constant(Infinity))
    const series = fc.array(
      fc.record({
        points: fc.array(fc.record({ x: coord, y: coord, hollow: fc.boolean() }), { maxLength: 12 }),
        line: fc.array(fc.tuple(coord, coord), { maxLength: 4 }),
      }),
      { minLength: 1, maxLength: 5 },
    )
    fc.assert(
      fc.property(series, fc.boolean(), fc.boolean(), (ss, dodge, fixed) => {
        const svg = pointChart({
          title: 't',
          xLabel: 'x',
          yLabel: 'y',
          dodge,
          ...(fixed ? { xDomain: [0, 1], yDomain: [0, 1] } : {}),
          series: ss.map((s, i) => ({ name: `s${i}`, color: '#123456', ...s })),
        })
        const kept = ss.flatMap((s, i) =>
          s.points.filter((q) => Number.isFinite(q.x) && Number.isFinite(q.y)).map((q) => ({ ...q, name: `s${i}` })),
        )
        const circles = [...svg.matchAll(/<circle cx="([\d.-]+)" cy="([\d.-]+)" r="3.5" fill="([^"]*)"[^>]*><title>([^<]*)<\/title>/g)]
        expect(circles).toHaveLength(kept.length)
        expect(circles.filter((m) => m[3] === 'none')).toHaveLength(kept.filter((q) => q.hollow).length)
        expect(circles.map((m) => m[4])).toEqual(kept.map((q) => `${q.name}: ${fmt(q.x)}, ${fmt(q.y)}`))
        for (const m of circles) expect(Number(m[1]) >= 64 && Number(m[1]) <= WIDTH - 18).toBe(true)
        expect(svg.match(/class="tick"/g) ?? []).toHaveLength(
          ss.flatMap((s) => s.line.filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b))).length,
        )
        expect(svg).not.toMatch(/NaN|Infinity/)
      }),
      { numRuns: RUNS },
    )
  })
})

describe('bar charts', () => {
  it('draw one bar per value, named with its group and series, and mark the marked groups', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ values: fc.array(fc.oneof(value, fc.constant(0)), { minLength: 2, maxLength: 2 }), marked: fc.boolean() }),
          { minLength: 1, maxLength: 60 },
        ),
        (groups) => {
          const svg = barChart({
            title: 't',
            names: ['cos', 'sin'],
            colors: ['#111', '#222'],
            groups: groups.map((g, i) => ({ ...g, label: `k${i}` })),
            xLabel: 'k',
            yLabel: 'n',
            markLabel: 'key',
          })
          const bars = titles(svg).filter((t) => /^k\d+, (cos|sin): /.test(t))
          const heights = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.-]+)"/g)].map((m) => Number(m[1]))
          expect(bars).toEqual(groups.flatMap((g, i) => [`k${i}, cos: ${fmt(g.values[0]!)}`, `k${i}, sin: ${fmt(g.values[1]!)}`]))
          for (const h of heights) expect(h).toBeGreaterThanOrEqual(0)
          expect((svg.match(/class="mark" fill="[^"]*">▲<title>/g) ?? []).length).toBe(groups.filter((g) => g.marked).length)
        },
      ),
      { numRuns: RUNS },
    )
  })
})

describe('heat maps', () => {
  it('cover each of the n² cells exactly once, whatever the values', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 9 })
          .chain((n) => fc.tuple(fc.constant(n), fc.array(fc.oneof(value, fc.constant(0)), { minLength: n * n, maxLength: n * n }))),
        ([n, vals]) => {
          const svg = heatMap({
            title: 't',
            names: Array.from({ length: n }, (_, i) => `b${i}`),
            values: Float64Array.from(vals),
            n,
            rowLabel: 'a',
            colLabel: 'b',
          })
          const cells = [...svg.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map((m) => `${m[1]},${m[2]}`)
          expect(cells).toHaveLength(n * n)
          expect(new Set(cells).size).toBe(n * n)
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('at p = 31 and p = 97 name every basis row and column (const, cos 1, sin 1, …), with a colour scale at powers of ten', () => {
    for (const p of [31, 97]) {
      const names = ['const', ...Array.from({ length: (p - 1) / 2 }, (_, k) => [`cos ${k + 1}`, `sin ${k + 1}`]).flat()]
      const values = Float64Array.from({ length: p * p }, (_, i) => 10 ** (-(i % 5)) * 3)
      const svg = heatMap({ title: 'logits', names, values, n: p, rowLabel: 'a', colLabel: 'b' })
      const axis = /<g class="axis"[^>]*>(.*?)<\/g>/.exec(svg)![1]!
      const labels = [...axis.matchAll(/>([^<]+)<\/text>/g)].map((m) => m[1]!)
      expect(labels.filter((_, i) => i % 2 === 0)).toEqual(names)
      expect(labels.filter((_, i) => i % 2 === 1)).toEqual(names)
      const scale = /<g class="scale"[^>]*>(.*?)<\/g>/.exec(svg)![1]!
      expect([...scale.matchAll(/>([^<]+)<\/text>/g)].map((m) => m[1])).toEqual(['10⁻³', '10⁻²', '10⁻¹', '10⁰', '10¹', 'log scale'])
    }
  })
})

describe('heat maps labelled at ticks', () => {
  it('at p = 97 labelled by frequency (const, then k between cos k and sin k) draws each label once, ≥ 10 px apart, at 11 px', () => {
    const p = 97
    const names = ['const', ...Array.from({ length: (p - 1) / 2 }, (_, k) => [`cos ${k + 1}`, `sin ${k + 1}`]).flat()]
    const ticks = [{ at: 0.5, label: 'const' }, ...Array.from({ length: (p - 1) / 2 }, (_, k) => ({ at: 2 * (k + 1), label: `${k + 1}` }))]
    const svg = heatMap({ title: 'logits', names, values: new Float64Array(p * p).fill(1), n: p, rowLabel: 'a', colLabel: 'b', ticks })
    const axis = /<g class="axis" font-size="([\d.]+)"[^>]*>(.*?)<\/g>/.exec(svg)!
    expect(Number(axis[1])).toBe(11)
    const labels = [...axis[2]!.matchAll(/>([^<]+)<\/text>/g)].map((m) => m[1]!)
    expect(labels.filter((_, i) => i % 2 === 0)).toEqual(ticks.map((t) => t.label))
    const ys = [...axis[2]!.matchAll(/<text x="[\d.]+" y="([\d.]+)" text-anchor="end">/g)].map((m) => Number(m[1]))
    expect(Math.min(...ys.slice(1).map((y, i) => y - ys[i]!))).toBeGreaterThanOrEqual(10)
    // The hover readout still names every cell.
    expect(svg).toContain(`data-names="${esc(JSON.stringify(names))}"`)
  })
})

describe('identity colours', () => {
  it('give each name one colour of IDENTITY, the same whatever the order or repetition of the names', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: IDENTITY.length }), (names) => {
        const a = identityColors(names)
        const b = identityColors([...names].reverse().concat(names))
        for (const n of names) expect(a(n)).toBe(b(n))
        expect(new Set(names.map(a)).size).toBe(names.length)
        for (const n of names) expect(IDENTITY).toContain(a(n))
      }),
      { numRuns: RUNS },
    )
  })

  it('are legible on white: no yellow, and none is train’s or test’s colour', () => {
    const luminance = (hex: string) => {
      const [r, g, b] = [1, 3, 5]
        .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
        .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!
    }
    for (const c of IDENTITY) {
      expect(1.05 / (luminance(c) + 0.05), c).toBeGreaterThanOrEqual(2)
      expect([COLORS.train, COLORS.test]).not.toContain(c)
    }
  })
})

describe('point charts on categories', () => {
  it('name each category under its slot and place a point of category i in the i-th slot', () => {
    const svg = pointChart({
      title: 't',
      xLabel: 'operation',
      yLabel: 'acc',
      yDomain: [0, 1],
      categories: ['add', 'sub', 'mul'],
      series: [{ name: 's', color: '#123456', points: [{ x: 0, y: 1 }, { x: 2, y: 0.5 }] }],
    })
    const ticks = [...svg.matchAll(/<text x="([\d.]+)" y="[\d.]+" text-anchor="middle">(add|sub|mul)<\/text>/g)]
    expect(ticks.map((m) => m[2])).toEqual(['add', 'sub', 'mul'])
    const cx = [...svg.matchAll(/<circle cx="([\d.]+)"/g)].map((m) => Number(m[1]))
    expect(cx).toEqual([Number(ticks[0]![1]), Number(ticks[2]![1])])
  })
})

describe('text', () => {
  it('is escaped in content and attributes', () => {
    expect(esc(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;')
    expect(lineChart({ title: '<script>', yLabel: '"y"', series: [{ name: 'a&b', color: '#000', points: [[0, 1]] }] })).not.toMatch(
      /<script>|a&b|""y""/,
    )
  })

  it('links are ./-prefixed, every segment URL-encoded, and decode back to the path', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !s.includes('/') && s !== '.' && s !== '..'),
          { minLength: 1, maxLength: 3 },
        ),
        (segments) => {
          const href = relativeHref(segments.join('/'))
          expect(href.startsWith('./')).toBe(true)
          expect(href.slice(2)).not.toMatch(/[:?#"'<>&\s]/)
          expect(href.slice(2).split('/').map(decodeURIComponent)).toEqual(segments)
          // Resolved against the page, it stays below the page's folder.
          expect(new URL(href, 'file:///runs/report.html').pathname.startsWith('/runs/')).toBe(true)
        },
      ),
      { numRuns: RUNS },
    )
    expect(relativeHref('javascript:alert(3)/report.html')).toBe('./javascript%3Aalert%283%29/report.html')
  })
})

// The claims report: claims.md lists every claim once with its verdict (a "not reproduced" as plainly as a pass), its
// rule, Table A.5 and every note and claim not run, with pipes escaped and evidence linked; claims.html has the same
// content with the hooks the browser test reads, a figure per claim (an <svg>, or a one-line "no data" note), no script
// and no URL outside it, and never a NaN or an undefined.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CLAIM_IDS, type ClaimsDocument, type RunEvidence, type Verdict } from '@grokscope/runs'
import { claimsHtml, claimsMarkdown } from '../src/index.js'
import { claim, realisticDocument, run, tableRow } from './claims-fixture.js'

const VERDICTS: ReadonlyArray<Verdict> = ['reproduced', 'partly', 'not reproduced', 'not run']

/** The rows of the first Markdown table whose heading row starts with `first`, split into cells (escaped pipes kept). */
const tableRows = (md: string, first: string): string[][] => {
  const lines = md.split('\n')
  const start = lines.findIndex((l) => l.startsWith(`| ${first} |`))
  const rows: string[][] = []
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break
    rows.push(line.slice(2, -2).split(/ (?<!\\)\| /))
  }
  return rows
}

describe('claimsMarkdown', () => {
  const doc = realisticDocument()
  const md = claimsMarkdown(doc)

  it('has one row per claim, in order, each with its verdict in bold', () => {
    const rows = tableRows(md, '#')
    expect(rows.map((r) => r[0])).toEqual(CLAIM_IDS.map(String))
    expect(rows.map((r) => r[4])).toEqual(doc.claims.map((c) => `**${c.verdict}**`))
    for (const r of rows) expect(r).toHaveLength(6)
  })

  it('says "not reproduced" as plainly as "reproduced": the same bold cell, no softening word', () => {
    const row3 = tableRows(md, '#')[2]!
    expect(row3[4]).toBe('**not reproduced**')
    expect(md).not.toMatch(/\b(unfortunately|only partially|sadly|failed to)\b/i)
  })

  it('escapes the pipes of a cell so that every row keeps six cells', () => {
    const piped = { ...doc, claims: doc.claims.map((c) => ({ ...c, title: `a | b ${c.id}`, measured: 'x|y' })) }
    const rows = tableRows(claimsMarkdown(piped), '#')
    expect(rows).toHaveLength(7)
    for (const r of rows) {
      expect(r).toHaveLength(6)
      expect(r[1]).toMatch(/^a \\\| b \d$/)
      expect(r[3]).toBe('x\\|y')
    }
  })

  it('reads text as written: markup characters and raw HTML escaped, a reason given its one full stop', () => {
    const odd = { ...doc, claims: [claim(1, 'partly', [], { measured: 'a*b_c `d` [e] <b>', reason: 'done.' })] }
    const md1 = claimsMarkdown(odd)
    expect(tableRows(md1, '#')[0]![3]).toBe('a\\*b\\_c \\`d\\` \\[e\\] &lt;b>')
    expect(md1).toContain('Verdict **partly**: done.\n')
  })

  it('links at most three runs of a claim to their folders, then says how many more', () => {
    const row6 = tableRows(md, '#')[5]!
    const links = [...row6[5]!.matchAll(/\]\(([^)]*)\)/g)].map((m) => m[1])
    expect(links).toEqual(['ops/add-p31-r0.3-s0/', 'ops/add-p31-r0.3-s1/', 'ops/sub-p31-r0.3-s0/'])
    expect(row6[5]).toMatch(/ \+ 13 more$/)
    expect(tableRows(md, '#')[4]![5]).toBe('—')
  })

  it('links a transfer run to its stage, encodes what could break a link, and takes the caller\'s links', () => {
    expect(md).toContain('](transfer/2a%2Bb-p31-r0.3-s0-emb/)')
    const odd = { ...doc, claims: [claim(1, 'partly', [run({ op: '(a+b)2', seed: 0 })])] }
    expect(claimsMarkdown(odd)).toContain('[(a+b)2-p31-r0.3-s0](ops/%28a%2Bb%292-p31-r0.3-s0/)')
    expect(claimsMarkdown(odd, { evidence: (r) => `elsewhere/${r} x/` })).toContain('](elsewhere/%28a%2Bb%292-p31-r0.3-s0%20x/)')
  })

  it('states the settings: tier, p, r, seeds, recipe, the budget against the paper\'s, the evaluation interval', () => {
    const settings = md.split('\n\n')[1]!
    expect(settings).toContain('Tier quick: p = 31, r = 0.3, seeds 0, 1; recipe: AdamW, lr 1e-3, wd 1 (--recipe paper)')
    expect(settings).toContain("budget 3,000 steps per run, 1 % of the paper's 300,000")
    expect(settings).toContain('evaluated every 100 steps; a run stops 500 steps after it groks')
    expect(settings).toContain(`${doc.runs.length} runs planned, ${doc.runs.length - 1} finished`)
    expect(md.split('\n\n')[2]).toBe('Every number the rules read is in claims.json; the figures of each claim are in claims.html.')
  })

  it('gives each claim its rule, its verdict with the reason and its runs\' counts', () => {
    for (const c of doc.claims) {
      expect(md).toContain(`${c.id}. **${c.title}**: ${c.rule.replace('|', '\\|')}\n   Verdict **${c.verdict}**: ${c.reason}.`)
    }
    expect(md).toContain('Runs: 8 runs planned, 8 finished, 8 grokked, 8 stayed grokked, 1 unstable, 0 diverged')
    expect(md).toContain('read though unstable or fallen back after grokking: sub-p31-r0.3-s0.')
  })

  it('has Table A.5 with a row per operation and the agreement count', () => {
    const rows = tableRows(md, 'operation')
    expect(rows.map((r) => r[0])).toEqual(doc.table.map((t) => t.op))
    const add = rows[0]!
    expect(add).toEqual(['add', 'a + b', 'groks', '2/2', '2', '0', '1,500', 'yes'])
    const cross = rows.find((r) => r[0] === 'a3+ab')!
    expect(cross).toEqual(['a3+ab', 'a^3 + a\\*b', 'does not grok', '0/1 (2 planned)', '0', '0', '—', 'yes'])
    const agree = doc.table.filter((t) => t.agrees === true).length
    expect(md).toContain(`Agreement with the paper: ${agree} of ${doc.table.length} operations with a finished run`)
  })

  it('lists every note and every claim not run under "Not run and budget cuts"', () => {
    const notes = md.slice(md.indexOf('## Not run and budget cuts'))
    for (const n of doc.notes) expect(notes).toContain(`- ${n}`)
    expect(notes).toContain('- Claim 5 (FFD and FCR track late generalization) was not run: no run of mul finished.')
    expect(notes.match(/^- /gm)).toHaveLength(doc.notes.length + 1)
  })

  it('renders a claim the document has no result for as not run, and says so', () => {
    const md1 = claimsMarkdown({ ...doc, claims: doc.claims.filter((c) => c.id !== 7) })
    expect(tableRows(md1, '#')[6]).toEqual(['7', '(no result)', '—', '—', '**not run**', '—'])
    expect(md1).toContain('Claim 7 ((no result)) was not run: the claims document has no result for this claim.')
  })

  it('counts agreement only over operations with a finished run', () => {
    const rows = [tableRow('add', [run({ op: 'add', seed: 0 })]), tableRow('sub', [run({ op: 'sub', seed: 0, finished: false })])]
    expect(claimsMarkdown({ ...doc, table: rows })).toContain(
      'Agreement with the paper: 1 of 1 operations with a finished run (100 %); 1 of 2 operations have no finished run.',
    )
  })
})

// ─────────────────────────────────────────────────────────────────────────────
// claims.html
// ─────────────────────────────────────────────────────────────────────────────

/** Each claim figure's inner HTML, by claim id. */
const figuresOf = (html: string): Map<number, string> =>
  new Map([...html.matchAll(/<figure data-testid="claim-(\d)-figure">(.*?)<\/figure>/gs)].map((m) => [Number(m[1]), m[2]!]))

/** The labels of a bar chart's groups (its x axis' texts). */
const barLabels = (svg: string): string[] =>
  [...svg.matchAll(/<text (?:x="[\d.]+" y="[\d.]+" text-anchor="middle" font-size="\d+"|transform="[^"]*" text-anchor="end" font-size="10")>([^<]*)<\/text>/g)].map(
    (m) => m[1]!,
  )

/** Every way a page could reach outside itself: a script, a src, or a link or reference with a scheme or a host. */
const outside = (html: string): string[] => [
  ...[...html.matchAll(/<script|<[a-z][^>]*\ssrc=/gi)].map((m) => m[0]),
  ...[...html.matchAll(/(?:href|xlink:href)="([^"]*)"/g)].map((m) => m[1]!).filter((h) => /^[a-z][a-z0-9+.-]*:|^\/\//i.test(h)),
  ...[...html.matchAll(/url\(/g)].map((m) => m[0]),
]

describe('claimsHtml', () => {
  const doc = realisticDocument()
  const html = claimsHtml(doc)

  it('has every hook: the claims table, a row per claim with its verdict, a figure per claim, Table A.5, the notes', () => {
    expect(html.match(/data-testid="claims-table"/g)).toHaveLength(1)
    for (const c of doc.claims) {
      expect(html.match(new RegExp(`<tr data-testid="claim-${c.id}" data-verdict="${c.verdict}">`, 'g'))).toHaveLength(1)
      expect(html.match(new RegExp(`data-testid="claim-${c.id}-figure"`, 'g'))).toHaveLength(1)
    }
    expect(html).toContain('<table data-testid="table-a5">')
    expect(html).toContain('data-testid="claims-notes"')
  })

  it('writes each verdict as a word in its colour class, "not reproduced" as plainly as "reproduced"', () => {
    const rows = [...html.matchAll(/<tr data-testid="claim-(\d)" data-verdict="([^"]+)">(.*?)<\/tr>/g)]
    expect(rows).toHaveLength(7)
    for (const [, , verdict, row] of rows) {
      expect(row).toContain(`<span class="verdict v-${verdict!.replace(/ /g, '-')}">${verdict}</span>`)
    }
    expect(html).toMatch(/\.v-not-reproduced\{color:#cf222e;/)
    expect(html).toMatch(/\.v-reproduced\{color:#1a7f37;/)
  })

  it('draws every figure of a realistic document as SVG, and gives each no-data figure one line instead', () => {
    const figs = figuresOf(html)
    expect([...figs.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7])
    for (const [id, f] of figs) expect(f, `claim ${id}`).toContain('<svg')
    const empty = figuresOf(claimsHtml({ ...doc, runs: [], table: [] }))
    expect([...empty.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7])
    for (const [id, f] of empty) {
      expect(f, `claim ${id}`).not.toContain('<svg')
      expect(f).toMatch(/<p class="no-data">no data: [^<]+<\/p>/)
    }
  })

  it('claim 1: sub first and marked, then the symmetric operations of the rule, its unstable grokked run included as the rule reads it', () => {
    const f = figuresOf(html).get(1)!
    expect(barLabels(f)).toEqual(['sub (2)', 'add (2)', 'a2+b2 (2)', '(a+b)2 (2)'])
    expect(f.match(/class="mark"/g)).toHaveLength(1)
    expect(f).toContain('<title>sub (2): sub, the operation of the claim</title>')
  })

  it('claims 2 and 3: the FFD–FCR planes tell mul, a²+b² and (a+b)ⁿ apart; the runs that did not grok are by operation', () => {
    const legends = (f: string) =>
      [...f.matchAll(/<g class="legend">(.*?)<\/g>/g)].map((m) => ({
        names: [...m[1]!.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((t) => t[1]),
        fills: [...m[1]!.matchAll(/<rect [^>]*fill="([^"]*)"/g)].map((t) => t[1]),
      }))
    const [plane2, bars] = legends(figuresOf(html).get(2)!)
    expect(plane2!.names).toEqual(['add', 'sub', 'mul', 'a²+b²', '(a+b)ⁿ', 'finished run', 'not finished'])
    expect(new Set(plane2!.fills).size).toBe(5)
    expect(bars!.names).toEqual(['FFD(W_E), additive', 'FCR(W_E), additive', 'FFD(W_E), multiplicative'])
    expect(figuresOf(html).get(2)).toContain('<title>mul-p31-r0.3-s1, FFD(W_E), multiplicative: 0.2</title>')
    const [grokked, not] = legends(figuresOf(html).get(3)!)
    expect(grokked!.names).toEqual(['a²+b²', '(a+b)ⁿ', 'finished run', 'not finished'])
    expect(not!.names).toEqual(['a2+ab+b2', 'a3+ab', '2a+b', 'finished run', 'not finished'])
    expect(new Set(not!.fills).size).toBe(3)
  })

  it('claims 4 and 6: the grokked share, the paper\'s verdict by each name; claim 4 reads only its families', () => {
    const four = barLabels(figuresOf(html).get(4)!)
    expect(four).toEqual(['a2+b2 ✓', '(a+b)2 ✓', 'a2+ab+b2 ✗', 'a3+ab ✗'])
    const six = barLabels(figuresOf(html).get(6)!)
    expect(six).toEqual(doc.table.map((t) => `${t.op} ${t.paperGroks ? '✓' : '✗'}`))
    expect(figuresOf(html).get(6)).toContain('<title>add ✓, share of finished runs that grokked: 1</title>')
  })

  it('claim 5: an add and a mul run, each with its grok step marked', () => {
    const f = figuresOf(html).get(5)!
    expect(f.match(/<svg /g)).toHaveLength(2)
    expect(f).toContain('add-p31-r0.3-s0: accuracy, FFD and FCR of W_E')
    expect(f).toContain('mul-p31-r0.3-s0: accuracy, FFD and FCR of W_E')
    expect(f.match(/<title>grokked at step 1500<\/title>/g)).toHaveLength(2)
  })

  it('claim 7: a bar group per target and variant, with how many seeds grokked', () => {
    const f = figuresOf(html).get(7)!
    expect(barLabels(f)).toEqual(
      ['2a+b', 'a2+ab+b2'].flatMap((op) =>
        ['scratch', 'pre-grokked emb.', 'pre-grokked Transformer', 'frozen random emb.'].map(
          (k) => `${op} · ${k} (${op === '2a+b' && k.startsWith('pre') ? 2 : 0}/2)`,
        ),
      ),
    )
    expect(f).toContain('<title>2a+b · pre-grokked emb. (2/2), median grok step: 600</title>')
    expect(f).toContain('<title>2a+b · scratch (0/2), did not grok (steps run): 3000</title>')
  })

  it('has the settings, each rule, Table A.5 with its agreement, and every note and claim not run', () => {
    expect(html).toContain('Tier quick: p = 31, r = 0.3, seeds 0, 1;')
    for (const c of doc.claims) expect(html).toContain(`<p><b>The rule:</b> ${c.rule}</p>`)
    expect(html.match(/<tr data-op="/g)).toHaveLength(doc.table.length)
    expect(html).toContain('Agreement with the paper: 8 of 8 operations with a finished run (100 %).')
    const notes = /<div data-testid="claims-notes">(.*?)<\/div>/s.exec(html)![1]!
    expect(notes.match(/<li>/g)).toHaveLength(doc.notes.length + 1)
    expect(notes).toContain('<li>Claim 5 (FFD and FCR track late generalization) was not run: no run of mul finished.</li>')
  })

  it('is self-contained and escapes what it is given', () => {
    expect(outside(html)).toEqual([])
    const hostile = {
      ...doc,
      claims: doc.claims.map((c) => ({ ...c, title: '<script>alert(1)</script>', evidence: ['javascript:alert(1)', '//host/x'] })),
      notes: ['<img src=x>'],
    }
    const h = claimsHtml(hostile)
    expect(h).not.toContain('<script>alert')
    expect(h).not.toContain('<img')
    expect(outside(h)).toEqual([])
    expect(h).toContain('href="javascript%3Aalert%281%29/"')
  })
})

// ─────────────────────────────────────────────────────────────────────────────
// generated documents
// ─────────────────────────────────────────────────────────────────────────────

const text = fc.string({ maxLength: 30, unit: fc.constantFrom('a', 'b', ' ', '|', '\n', '<', '>', '&', '"', '*', '[', ']', '(', ')', '1') })

/** A claims document with random claims (some missing, some repeated, any order), runs and table rows. */
const arbitraryDocument: fc.Arbitrary<ClaimsDocument> = fc
  .record({
    base: fc.constant(realisticDocument()),
    claims: fc.array(
      fc.record({
        id: fc.constantFrom(...CLAIM_IDS),
        verdict: fc.constantFrom(...VERDICTS),
        title: text,
        measured: text,
        reason: text,
        evidence: fc.array(text, { maxLength: 6 }),
      }),
      { maxLength: 9 },
    ),
    keep: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
    blank: fc.array(fc.constantFrom('measures', 'nan', 'curve', 'none'), { minLength: 40, maxLength: 40 }),
    numbers: fc.dictionary(text, fc.option(fc.double(), { nil: null }), { maxKeys: 3 }),
    notes: fc.array(text, { maxLength: 4 }),
    tier: text,
  })
  .map(({ base, claims, keep, blank, numbers, notes, tier }) => ({
    ...base,
    settings: { ...base.settings, tier },
    claims: claims.map((c) => ({ ...claim(c.id, c.verdict, []), ...c, numbers })),
    runs: base.runs
      .filter((_, i) => keep[i % keep.length])
      .map((r, i): RunEvidence => {
        const m = r.measures!
        switch (blank[i]) {
          case 'measures':
            return { ...r, measures: null }
          case 'nan':
            return m === null ? r : { ...r, measures: { ...m, cosShareWE: NaN, mulFfdWE: null, mulFcrWE: null, asymmetry: NaN } }
          case 'curve':
            return { ...r, curve: [] }
          default:
            return r
        }
      }),
    table: base.table.filter((_, i) => keep[i]),
    notes,
  }))

describe('the claims report over generated documents', () => {
  it('claims.md never throws and lists every claim exactly once, in order', () => {
    fc.assert(
      fc.property(arbitraryDocument, (doc) => {
        const rows = tableRows(claimsMarkdown(doc), '#')
        expect(rows.map((r) => r[0])).toEqual(CLAIM_IDS.map(String))
        for (const r of rows) expect(r).toHaveLength(6)
      }),
      { numRuns: 60 },
    )
  })

  it('claims.html never throws, has every claim\'s row and figure once, each figure drawn or a no-data line, no NaN', () => {
    fc.assert(
      fc.property(arbitraryDocument, (doc) => {
        const html = claimsHtml(doc)
        for (const id of CLAIM_IDS) {
          expect(html.match(new RegExp(`<tr data-testid="claim-${id}" `, 'g'))).toHaveLength(1)
          expect(html.match(new RegExp(`data-testid="claim-${id}-figure"`, 'g'))).toHaveLength(1)
        }
        for (const f of figuresOf(html).values()) expect(f).toMatch(/^(<svg|<p class="no-data">)/)
        expect(html).not.toMatch(/\bNaN\b|undefined/)
        expect(outside(html)).toEqual([])
      }),
      { numRuns: 40 },
    )
  })
})

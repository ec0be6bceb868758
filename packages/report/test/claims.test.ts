// The claims report: claims.md lists every claim once with its verdict (a "not reproduced" as plainly as a pass), its
// rule, Table A.5 and every note and claim not run, with pipes escaped and evidence linked; claims.html (see below).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CLAIM_IDS, type ClaimsDocument, type Verdict } from '@grokscope/runs'
import { claimsMarkdown } from '../src/index.js'
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
  })

  it('gives each claim its rule, its verdict with the reason and its runs\' counts', () => {
    for (const c of doc.claims) {
      expect(md).toContain(`${c.id}. **${c.title}**: ${c.rule.replace('|', '\\|')}\n   Verdict **${c.verdict}**: ${c.reason}.`)
    }
    expect(md).toContain('Runs: 8 runs planned, 8 finished, 8 grokked, 8 stayed grokked, 2 unstable, 0 diverged')
    expect(md).toContain('left out of the pattern\'s evidence: sub-p31-r0.3-s0, sub-p31-r0.3-s1')
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
    notes: fc.array(text, { maxLength: 4 }),
    tier: text,
  })
  .map(({ base, claims, keep, notes, tier }) => ({
    ...base,
    settings: { ...base.settings, tier },
    claims: claims.map((c) => ({ ...claim(c.id, c.verdict, []), ...c })),
    runs: base.runs.filter((_, i) => keep[i % keep.length]),
    table: base.table.filter((_, i) => keep[i]),
    notes,
  }))

describe('claimsMarkdown over generated documents', () => {
  it('never throws and lists every claim exactly once, in order', () => {
    fc.assert(
      fc.property(arbitraryDocument, (doc) => {
        const rows = tableRows(claimsMarkdown(doc), '#')
        expect(rows.map((r) => r[0])).toEqual(CLAIM_IDS.map(String))
        for (const r of rows) expect(r).toHaveLength(6)
      }),
      { numRuns: 60 },
    )
  })
})

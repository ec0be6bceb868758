/**
 * The claims report of `grokscope reproduce`: claims.md and claims.html from a `ClaimsDocument` (`@grokscope/runs`),
 * each claim of the paper with what the paper says, what was measured, its verdict (reproduced, partly, not
 * reproduced, not run: each said as plainly as the others), its rule and links to the runs it read; then Table A.5
 * against ours, and every run not run and budget cut. claims.html adds the figures each claim needs, drawn with
 * `@grokscope/charts`, self-contained (inline styles and SVG, no script, no URL outside the page). Pure: the caller
 * writes the files.
 *
 * @example
 * import { claimsMarkdown } from '@grokscope/report'
 * import { CLAIMS_FORMAT, type ClaimsDocument } from '@grokscope/runs'
 * const doc: ClaimsDocument = {
 *   format: CLAIMS_FORMAT,
 *   grokscope: '0.4.0',
 *   settings: {
 *     tier: 'quick', p: 31, frac: 0.3, seeds: [0], recipe: 'AdamW',
 *     steps: 3000, paperSteps: 300000, evalEvery: 100, stopAfterGrok: null,
 *   },
 *   claims: [],
 *   table: [],
 *   runs: [],
 *   notes: [],
 * }
 * // a claim the document has no result for is a row of its own, not run
 * claimsMarkdown(doc).includes('| 7 | (no result) | — | — | **not run** | — |')  // => true
 *
 * @since 0.4.0
 */
import { relativeHref } from '@grokscope/charts'
import { CLAIM_IDS, type ClaimId, type ClaimResult, type ClaimsDocument, type TableRow } from '@grokscope/runs'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/**
 * Where a run's evidence is, from the claims' folder: `evidence(run)` is a `/`-separated path relative to it
 * (its segments are URL-encoded in the link). Default: `<stage>/<run>/`.
 *
 * @since 0.4.0
 */
export interface ClaimsLinks {
  readonly evidence: (run: string) => string
}

/** At most this many runs are linked in a claim's evidence cell, then "+ n more". */
const EVIDENCE_LINKS = 3

/** A claim's result, or (the document has none) a `not run` placeholder that says so. */
const claimOf = (doc: ClaimsDocument, id: ClaimId): ClaimResult =>
  doc.claims.find((c) => c.id === id) ?? {
    id,
    title: '(no result)',
    paper: '—',
    rule: '—',
    measured: '—',
    verdict: 'not run',
    reason: 'the claims document has no result for this claim',
    counts: { planned: 0, finished: 0, grokked: 0, stayed: 0, unstable: 0, diverged: 0, excluded: [] },
    numbers: {},
    evidence: [],
  }

/** Every claim of `CLAIM_IDS`, once each, in order. */
const claimsOf = (doc: ClaimsDocument): ReadonlyArray<ClaimResult> => CLAIM_IDS.map((id) => claimOf(doc, id))

/** The default link of a run: its stage folder and its own (`ops/sub-p97-r0.3-s0/`); a name with a `/` is taken as a path. */
const defaultLinks = (doc: ClaimsDocument): ClaimsLinks => ({
  evidence: (run) => {
    if (run.includes('/')) return run.endsWith('/') ? run : `${run}/`
    const r = doc.runs.find((x) => x.name === run)
    return r === undefined ? `${run}/` : `${r.stage}/${r.name}/`
  },
})

/** A relative path as a safe link: each segment URL-encoded, no `./` before it, its trailing `/` kept. */
const hrefOf = (path: string): string => {
  const safe = relativeHref(path).slice(2)
  return path.endsWith('/') && safe !== '' ? `${safe}/` : safe
}

// ─────────────────────────────────────────────────────────────────────────────
// text
// ─────────────────────────────────────────────────────────────────────────────

/** An integer with thousands separated by commas: 300,000. */
const count = (n: number): string => (Number.isFinite(n) ? String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',') : '—')

/** A share as a percentage: 1 %, 0.3 %, 91 %. */
const percent = (x: number): string => `${Number((x * 100).toPrecision(x < 0.01 ? 1 : 2))} %`

/** The settings in one paragraph (plain text: the Markdown and the page each mark it up). */
const settingsText = (doc: ClaimsDocument): string => {
  const s = doc.settings
  const budget =
    s.steps >= s.paperSteps
      ? `budget ${count(s.steps)} steps per run, the paper's (${count(s.paperSteps)}) or more`
      : `budget ${count(s.steps)} steps per run, ${percent(s.steps / s.paperSteps)} of the paper's ${count(s.paperSteps)}`
  const finished = doc.runs.filter((r) => r.finished).length
  return (
    `Tier ${s.tier}: p = ${s.p}, r = ${s.frac}, seeds ${s.seeds.join(', ') || 'none'}; recipe: ${s.recipe}; ${budget}; ` +
    `evaluated every ${count(s.evalEvery)} steps` +
    `${s.stopAfterGrok === null ? '' : `; a run stops ${count(s.stopAfterGrok)} steps after it groks`}. ` +
    `${doc.runs.length} runs planned, ${finished} finished. grokscope ${doc.grokscope}.`
  )
}

/** What a claim's runs did, in words. */
const countsText = (c: ClaimResult): string => {
  const k = c.counts
  return (
    `${k.planned} runs planned, ${k.finished} finished, ${k.grokked} grokked, ${k.stayed} stayed grokked, ` +
    `${k.unstable} unstable, ${k.diverged} diverged` +
    `${k.excluded.length === 0 ? '' : `; left out of the pattern's evidence: ${k.excluded.join(', ')}`}`
  )
}

/** The paper's verdict on an operation at r = 0.3, in words. */
const paperText = (t: TableRow): string => (t.paperGroks ? 'groks' : 'does not grok')

/** Ours on an operation: `k/n` grokked of its finished runs, and how many were planned when not all finished. */
const oursText = (t: TableRow): string =>
  t.finished === 0 ? `not run (0/${t.planned} finished)` : `${t.grokked}/${t.finished}${t.finished < t.planned ? ` (${t.planned} planned)` : ''}`

const unstableText = (t: TableRow): string => `${t.unstable}${t.diverged > 0 ? `, ${t.diverged} diverged` : ''}`

const agreesText = (t: TableRow): string => (t.agrees === null ? '—' : t.agrees ? 'yes' : 'no')

/** The agreement with Table A.5 in one sentence. */
const agreementText = (table: ReadonlyArray<TableRow>): string => {
  const judged = table.filter((t) => t.agrees !== null)
  const agree = judged.filter((t) => t.agrees === true).length
  const missing = table.length - judged.length
  return (
    `Agreement with the paper: ${agree} of ${judged.length} operations with a finished run` +
    `${judged.length === 0 ? '' : ` (${percent(agree / judged.length)})`}` +
    `${missing === 0 ? '' : `; ${missing} of ${table.length} operations have no finished run`}.`
  )
}

/** Text as one sentence: its own full stop, or one added. */
const sentence = (s: string): string => (/[.!?]\s*$/.test(s) ? s.trimEnd() : `${s.trimEnd()}.`)

/** Every note and every claim not run, one line each. */
const notRunLines = (doc: ClaimsDocument): ReadonlyArray<string> => [
  ...doc.notes,
  ...claimsOf(doc)
    .filter((c) => c.verdict === 'not run')
    .map((c) => sentence(`Claim ${c.id} (${c.title}) was not run: ${c.reason}`)),
]

// ─────────────────────────────────────────────────────────────────────────────
// claims.md
// ─────────────────────────────────────────────────────────────────────────────

/**
 * Text in Markdown (a table cell, a list item, a link's text): one line, read as written (no `*`, `_`, backtick,
 * bracket or backslash taken as markup, no raw HTML) and `|` escaped so that it stays in its cell.
 */
const cell = (s: string): string =>
  s
    .replace(/\r?\n|\r/g, ' ')
    .replace(/[\\[\]*_`|]/g, (c) => `\\${c}`)
    .replace(/</g, '&lt;')

/** A claim's evidence cell: links to its first runs, then "+ n more". */
const evidenceMd = (c: ClaimResult, links: ClaimsLinks): string => {
  if (c.evidence.length === 0) return '—'
  const shown = c.evidence.slice(0, EVIDENCE_LINKS).map((run) => `[${cell(run)}](${hrefOf(links.evidence(run))})`)
  const more = c.evidence.length - EVIDENCE_LINKS
  return `${shown.join(', ')}${more > 0 ? ` + ${more} more` : ''}`
}

const mdRow = (cells: ReadonlyArray<string>): string => `| ${cells.join(' | ')} |`

const mdTable = (head: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string =>
  [mdRow(head), mdRow(head.map(() => '---')), ...rows.map(mdRow)].join('\n')

/**
 * claims.md: a heading, the settings in one paragraph, one table of the claims (`| # | claim | paper says | measured |
 * verdict | evidence |`, the verdict in bold, evidence linked to the runs' folders), each claim's rule and the reason of
 * its verdict, Table A.5 against ours with the agreement, then every note and claim not run. `links.evidence` gives a
 * run's folder relative to claims.md (default `<stage>/<run>/`).
 *
 * @since 0.4.0
 */
export const claimsMarkdown = (doc: ClaimsDocument, links: ClaimsLinks = defaultLinks(doc)): string => {
  const claims = claimsOf(doc)
  const summary = mdTable(
    ['#', 'claim', 'paper says', 'measured', 'verdict', 'evidence'],
    claims.map((c) => [String(c.id), cell(c.title), cell(c.paper), cell(c.measured), `**${c.verdict}**`, evidenceMd(c, links)]),
  )
  const rules = claims.map(
    (c) =>
      `${c.id}. **${cell(c.title)}**: ${cell(c.rule)}\n   Verdict **${c.verdict}**: ${cell(sentence(c.reason))}\n   Runs: ${cell(countsText(c))}.`,
  )
  const table =
    doc.table.length === 0
      ? 'No operation of Table A.5 was planned.'
      : `${mdTable(
          ['operation', 'formula', 'paper (r = 0.3)', 'ours: grokked k/n', 'stayed', 'unstable', 'median grok step', 'agrees'],
          doc.table.map((t) => [
            cell(t.op),
            cell(t.formula),
            paperText(t),
            oursText(t),
            String(t.stayed),
            unstableText(t),
            t.medianGrokStep === null ? '—' : count(t.medianGrokStep),
            agreesText(t),
          ]),
        )}\n\n${agreementText(doc.table)}`
  const notes = notRunLines(doc)
  return [
    `# Does grokscope reproduce the paper? Tier ${cell(doc.settings.tier)}`,
    cell(settingsText(doc)),
    summary,
    '## The rules',
    'Each verdict rule was written, with its thresholds, before any run was read (docs/REPRODUCE.md).',
    rules.join('\n'),
    '## Table A.5: which operations grok at r = 0.3',
    table,
    '## Not run and budget cuts',
    notes.length === 0 ? 'The document states no budget cut, and every claim was run.' : notes.map((n) => `- ${cell(n)}`).join('\n'),
  ].join('\n\n') + '\n'
}

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
import { COLORS, IDENTITY, barChart, esc, fmt, identityColors, lineChart, relativeHref } from '@grokscope/charts'
import {
  CLAIM_IDS,
  type ClaimId,
  type ClaimResult,
  type ClaimsDocument,
  type RunEvidence,
  SYMMETRIC_OPS,
  type TableRow,
  type TransferKind,
  type Verdict,
  isClean,
  isPatternEvidence,
  median,
} from '@grokscope/runs'
import { ffdFcrPlane } from './Results.js'

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
    counts: { planned: 0, finished: 0, grokked: 0, stayed: 0, unstable: 0, diverged: 0, excluded: [], unclean: [] },
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

/** A number for the report: `fmt`'s form, or `—` when there is none (null or not finite). */
const num = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : fmt(x))

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
    `${k.planned} run${k.planned === 1 ? '' : 's'} planned, ${k.finished} finished, ${k.grokked} grokked, ${k.stayed} stayed grokked, ` +
    `${k.unstable} unstable, ${k.diverged} diverged` +
    `${k.excluded.length === 0 ? '' : `; left out: ${k.excluded.join(', ')}`}` +
    `${k.unclean.length === 0 ? '' : `; read though unstable or fallen back after grokking: ${k.unclean.join(', ')}`}`
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
    'Every number the rules read is in claims.json; the figures of each claim are in claims.html.',
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

// ─────────────────────────────────────────────────────────────────────────────
// claims.html: the runs the figures read
// ─────────────────────────────────────────────────────────────────────────────

/**
 * The runs the pattern claims read (`isPatternEvidence`): trained from scratch (the transfer runs are claim 7's), grokked,
 * not diverged, measured where they were grokked; and, for the runs that never grokked, finished and not diverged.
 */
const grokkedEvidence = (r: RunEvidence): boolean => r.transfer === 'scratch' && isPatternEvidence(r)
const neverGrokked = (r: RunEvidence): boolean => r.transfer === 'scratch' && r.finished && !r.diverged && r.grokStep === null


/** The runs by a key, in the order the keys first appear. */
const groupBy = <K>(
  runs: ReadonlyArray<RunEvidence>,
  key: (r: RunEvidence) => K,
): ReadonlyArray<readonly [K, ReadonlyArray<RunEvidence>]> => {
  const m = new Map<K, RunEvidence[]>()
  for (const r of runs) m.set(key(r), [...(m.get(key(r)) ?? []), r])
  return [...m]
}

/** The operations the FFD–FCR planes tell apart, each with its colour; every other operation is one light grey group. */
const PLANE_GROUPS = [
  { label: 'add', color: IDENTITY[0] },
  { label: 'sub', color: IDENTITY[4] },
  { label: 'mul', color: IDENTITY[3] },
  { label: 'a²+b²', color: IDENTITY[2] },
  { label: '(a+b)ⁿ', color: IDENTITY[1] },
  { label: 'other operations', color: '#aaaaaa' },
] as const

const planeGroup = (op: string): string =>
  op === 'add' || op === 'sub' || op === 'mul'
    ? op
    : op === 'a2+b2'
      ? 'a²+b²'
      : /^\(a\+b\)\d+$/.test(op)
        ? '(a+b)ⁿ'
        : 'other operations'

/** The planes' groups that have a run among these. */
const groupsOf = (runs: ReadonlyArray<RunEvidence>): ReadonlyArray<{ readonly label: string; readonly color: string }> =>
  PLANE_GROUPS.filter((g) => runs.some((r) => planeGroup(r.op) === g.label))

const SHORT_KIND: Readonly<Record<TransferKind, string>> = {
  scratch: 'scratch',
  'pre-grokked embedding': 'pre-grokked emb.',
  'pre-grokked transformer': 'pre-grokked Transformer',
  'frozen random embedding': 'frozen random emb.',
}

const KINDS: ReadonlyArray<TransferKind> = ['scratch', 'pre-grokked embedding', 'pre-grokked transformer', 'frozen random embedding']

// ─────────────────────────────────────────────────────────────────────────────
// claims.html: figures
// ─────────────────────────────────────────────────────────────────────────────

/** A figure's body: its charts, or (nothing to draw) one line that says what is missing. */
interface Drawn {
  readonly svg: ReadonlyArray<string>
  readonly caption: string
}

const noData = (what: string): string => `<p class="no-data">no data: ${esc(what)}</p>`

/** Claim 1: the median logits-map asymmetry of sub and of the symmetric operations the rule compares it with. */
const asymmetryFigure = (doc: ClaimsDocument): Drawn => {
  const runs = doc.runs.filter(
    (r) =>
      grokkedEvidence(r) && r.measures !== null && Number.isFinite(r.measures.asymmetry) && (r.op === 'sub' || SYMMETRIC_OPS.includes(r.op)),
  )
  const groups = [...groupBy(runs, (r) => r.op)].sort(([a], [b]) => Number(b === 'sub') - Number(a === 'sub'))
  const caption =
    'The median over the runs that grokked (measured at their grok step if they fell back) of the logits map\'s asymmetry ' +
    '‖M − Mᵀ‖_F / ‖M‖_F in the 2-D Fourier basis, for sub (▲) and the symmetric operations of the rule (add, aⁿ+bⁿ, ' +
    '(a+b)ⁿ); the number of runs in brackets.'
  if (groups.length === 0) return { svg: [noData('no grokked run of sub or of a symmetric operation with measures')], caption }
  return {
    svg: [
      barChart({
        title: 'Logits-map asymmetry: sub against the symmetric operations',
        names: ['median asymmetry'],
        colors: [IDENTITY[0]],
        groups: groups.map(([op, rs]) => ({
          label: `${op} (${rs.length})`,
          values: [median(rs.map((r) => r.measures!.asymmetry)) ?? NaN],
          marked: op === 'sub',
        })),
        xLabel: 'operation (grokked runs)',
        yLabel: '‖M − Mᵀ‖ / ‖M‖',
        markLabel: 'sub, the operation of the claim',
      }),
    ],
    caption,
  }
}

/** A run with its measures. */
type Measured = RunEvidence & { readonly measures: NonNullable<RunEvidence['measures']> }

/** A run the pattern claims read whose W_E was measured (finite FFD and FCR). */
const measured = (r: RunEvidence): r is Measured =>
  (grokkedEvidence(r) || neverGrokked(r)) && r.measures !== null && Number.isFinite(r.measures.ffdWE) && Number.isFinite(r.measures.fcrWE)

/**
 * The FFD–FCR plane (`ffdFcrPlane`, the sweep report's) of these runs at their measured weights: coloured by
 * `PLANE_GROUPS`, or (`byOperation`) each operation its own colour (`identityColors`).
 */
const plane = (runs: ReadonlyArray<Measured>, title: string, byOperation = false): string => {
  const label = byOperation ? (r: RunEvidence) => r.op : (r: RunEvidence) => planeGroup(r.op)
  const color = identityColors(runs.map((r) => r.op))
  const operations = byOperation ? [...new Set(runs.map((r) => r.op))].map((op) => ({ label: op, color: color(op) })) : groupsOf(runs)
  return ffdFcrPlane(
    runs.map((r) => ({ name: r.name, status: 'finished', operation: label(r), ffd: r.measures.ffdWE, fcr: r.measures.fcrWE })),
    operations,
    { title, subtitle: 'a point per run at its measured weights; additive Fourier basis' },
  )
}

/** Claim 2: the FFD–FCR plane of the grokked runs, and mul's FFD in the additive and the multiplicative basis. */
const mulFigure = (doc: ClaimsDocument): Drawn => {
  const grokked = doc.runs.filter(measured).filter((r) => r.grokStep !== null)
  const mul = grokked.filter((r) => r.op === 'mul' && r.measures.mulFfdWE !== null && Number.isFinite(r.measures.mulFfdWE))
  const all = grokked.length === 0 ? noData('no run that grokked') : plane(grokked, 'FFD against FCR of W_E, runs that grokked')
  const bars =
    mul.length === 0
      ? noData('no run of mul that grokked with its multiplicative-basis measures')
      : barChart({
          title: 'mul: W_E in the additive and the multiplicative Fourier basis',
          names: ['FFD(W_E), additive', 'FCR(W_E), additive', 'FFD(W_E), multiplicative'],
          colors: [IDENTITY[0], IDENTITY[3], IDENTITY[2]],
          groups: mul.map((r) => ({ label: r.name, values: [r.measures.ffdWE, r.measures.fcrWE, r.measures.mulFfdWE!] })),
          xLabel: 'run',
          yLabel: 'FFD / FCR',
        })
  return {
    svg: [all, bars],
    caption:
      'Above: each run that grokked, at its grok step if it fell back later. The paper: mul dense (FFD ≈ 1) with a low FCR, ' +
      'add and sub sparse with a high FCR. Below: each such mul run, whose W_E the paper finds sparse in the multiplicative ' +
      '(discrete-logarithm) basis.',
  }
}

/** Claim 3: the FFD–FCR plane of the runs of the polynomials that grokked, and of every run that did not grok. */
const polynomialFigure = (doc: ClaimsDocument): Drawn => {
  const runs = doc.runs.filter(measured)
  const grokked = runs.filter((r) => r.grokStep !== null && !['add', 'sub', 'mul', 'div'].includes(r.op))
  const not = runs.filter((r) => r.grokStep === null)
  return {
    svg: [
      grokked.length === 0 ? noData('no run of a polynomial that grokked') : plane(grokked, 'FFD against FCR of W_E, polynomials that grokked'),
      not.length === 0 ? noData('no finished run that did not grok') : plane(not, 'FFD against FCR of W_E, runs that did not grok', true),
    ],
    caption:
      'Above: each run of an operation other than add, sub, mul and div that grokked. Below: each run that did ' +
      'not grok, a colour per operation. The paper: a²+b² at FCR near 0 (cosine only), (a+b)ⁿ sparse like add, and no clear pattern where an ' +
      'operation does not grok.',
  }
}

/** Claims 4 and 6: the share of each operation's finished runs that grokked, the paper's verdict by its name (✓ groks, ✗ not). */
const grokShareFigure = (rows: ReadonlyArray<TableRow>, title: string, what: string): Drawn => {
  const run = rows.filter((t) => t.finished > 0)
  const notRun = rows.filter((t) => t.finished === 0).map((t) => t.op)
  const caption =
    `The share of each operation's finished runs that grokked (test accuracy reached 0.99); ✓ after its name (and ▲) where ` +
    `the paper reports that it groks at r = 0.3, ✗ where it does not.${notRun.length === 0 ? '' : ` No finished run: ${notRun.join(', ')}.`}`
  if (run.length === 0) return { svg: [noData(`no finished run of ${what}`)], caption }
  return {
    svg: [
      barChart({
        title,
        names: ['share of finished runs that grokked'],
        colors: [IDENTITY[0]],
        groups: run.map((t) => ({ label: `${t.op} ${t.paperGroks ? '✓' : '✗'}`, values: [t.grokked / t.finished], marked: t.paperGroks })),
        xLabel: 'operation (✓: groks in the paper, ✗: does not)',
        yLabel: 'grokked share',
        markLabel: 'the paper: groks at r = 0.3',
      }),
    ],
    caption,
  }
}

/** The families of claim 4: the symmetric and alternating higher-degree expressions, and the non-factorizable cross terms. */
const CLAIM4_FAMILIES: ReadonlySet<string> = new Set(['sum-of-powers', 'factorizable', 'non-factorizable'])

/** Claim 5: one grokked run's test accuracy, FFD(W_E) and FCR(W_E) against the step (a clean one first), its grok step marked. */
const trackChart = (doc: ClaimsDocument, op: string): string => {
  const runs = doc.runs.filter((x) => grokkedEvidence(x) && x.op === op && x.curve.length > 0)
  const r = runs.find(isClean) ?? runs[0]
  if (r === undefined) return noData(`no run of ${op} that grokked with its curve`)
  return lineChart({
    title: `${r.name}: accuracy, FFD and FCR of W_E`,
    yLabel: 'accuracy / FFD / FCR',
    yDomain: [0, 1],
    dots: true,
    rule: { x: r.grokStep!, label: `grokked at step ${r.grokStep!}` },
    series: [
      { name: 'train accuracy', color: COLORS.train, points: r.curve.map((c) => [c.step, c.trainAcc] as const) },
      { name: 'test accuracy', color: COLORS.test, points: r.curve.map((c) => [c.step, c.testAcc] as const) },
      { name: 'FFD(W_E)', color: IDENTITY[2], points: r.curve.map((c) => [c.step, c.ffdWE] as const) },
      { name: 'FCR(W_E)', color: IDENTITY[4], points: r.curve.map((c) => [c.step, c.fcrWE] as const) },
    ],
  })
}

const trackFigure = (doc: ClaimsDocument): Drawn => ({
  svg: [trackChart(doc, 'add'), trackChart(doc, 'mul')],
  caption:
    'One run of add and one of mul that grokked (a clean one where there is one; a run that fell back shows its fall): ' +
    'train and test accuracy with FFD and FCR of W_E (additive basis) at ' +
    'each evaluation; the dashed line is the grok step (test accuracy first ≥ 0.99). The paper: the measures change with ' +
    'the late rise of test accuracy, and tell add from mul.',
})

/** Claim 7: per target and transfer kind, the median grok step of the finished runs that grokked, or the steps run when none did. */
const transferFigure = (doc: ClaimsDocument): Drawn => {
  const targets = [...new Set(doc.runs.filter((r) => r.transfer !== 'scratch').map((r) => r.op))]
  const cells = targets.flatMap((op) =>
    KINDS.flatMap((kind) => {
      const rs = doc.runs.filter((r) => r.finished && r.op === op && r.transfer === kind)
      const grok = rs.flatMap((r) => (r.grokStep === null ? [] : [r.grokStep]))
      return rs.length === 0
        ? []
        : [
            {
              label: `${op} · ${SHORT_KIND[kind]} (${grok.length}/${rs.length})`,
              values: grok.length === 0 ? [0, Math.max(...rs.map((r) => r.steps))] : [median(grok) ?? NaN, 0],
            },
          ]
    }),
  )
  const caption =
    'Each target of the transfer stage trained from scratch and with each transfer variant (k/n: seeds that grokked of ' +
    'those finished): the median grok step of the seeds that grokked, or, when none did, a grey bar at the steps they ran ' +
    'without grokking. The paper: a pre-grokked add embedding or Transformer helps linear expressions such as 2a+b.'
  if (cells.length === 0) return { svg: [noData('no finished run of the transfer stage')], caption }
  return {
    svg: [
      barChart({
        title: 'Grok step by target and transfer variant',
        names: ['median grok step', 'did not grok (steps run)'],
        colors: [IDENTITY[0], '#aaaaaa'],
        groups: cells,
        xLabel: 'target · transfer variant (grokked/finished)',
        yLabel: 'step',
      }),
    ],
    caption,
  }
}

/** Each claim's figure. */
const figures = (doc: ClaimsDocument): Readonly<Record<ClaimId, Drawn>> => ({
  1: asymmetryFigure(doc),
  2: mulFigure(doc),
  3: polynomialFigure(doc),
  4: grokShareFigure(
    doc.table.filter((t) => CLAIM4_FAMILIES.has(t.family)),
    'Grokked share: symmetric and alternating expressions against cross terms',
    'the sum-of-powers, factorizable and non-factorizable operations',
  ),
  5: trackFigure(doc),
  6: grokShareFigure(doc.table, 'Grokked share of each operation of Table A.5', 'any operation of Table A.5'),
  7: transferFigure(doc),
})

// ─────────────────────────────────────────────────────────────────────────────
// claims.html: page
// ─────────────────────────────────────────────────────────────────────────────

/** Each verdict's colour, readable on white (contrast 4.5:1 or more), always beside its word. */
const VERDICT_COLORS: Readonly<Record<Verdict, string>> = {
  reproduced: '#1a7f37',
  partly: '#9a6700',
  'not reproduced': '#cf222e',
  'not run': '#57606a',
}

const verdictClass = (v: Verdict): string => `v-${v.replace(/ /g, '-')}`

const STYLE =
  'body{font:14px/1.45 "DejaVu Sans",Verdana,sans-serif;color:#222;margin:0 auto;max-width:1100px;padding:16px 24px}' +
  'h1{font-size:22px;margin:8px 0}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:3px}' +
  'table{border-collapse:collapse;margin:6px 0 12px}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}' +
  'th{background:#f4f4f4}td.n{text-align:right;white-space:nowrap}' +
  'figure{margin:10px 0 18px;break-inside:avoid}figcaption{color:#555;font-size:12.5px;max-width:720px}' +
  'svg.chart{display:block;height:auto;max-width:720px;margin-bottom:8px}svg .series circle{opacity:.75}' +
  '.verdict{font-weight:bold;white-space:nowrap;border-left:4px solid;padding-left:5px}' +
  Object.entries(VERDICT_COLORS)
    .map(([v, c]) => `.${verdictClass(v as Verdict)}{color:${c};border-color:${c}}`)
    .join('') +
  '.no-data{color:#57606a;font-style:italic;border:1px dashed #bbb;padding:8px 10px;max-width:700px}' +
  '.muted{color:#666}dl.numbers{display:grid;grid-template-columns:max-content auto;gap:0 12px;font-size:12.5px;margin:4px 0}' +
  'dl.numbers dd{margin:0}' +
  '@media print{body{max-width:none;padding:0}h2{break-after:avoid}a{color:inherit;text-decoration:none}}'

const verdictHtml = (v: Verdict): string => `<span class="verdict ${verdictClass(v)}">${esc(v)}</span>`

const evidenceHtml = (c: ClaimResult, links: ClaimsLinks): string => {
  if (c.evidence.length === 0) return '—'
  const shown = c.evidence.slice(0, EVIDENCE_LINKS).map((run) => `<a href="${esc(hrefOf(links.evidence(run)))}">${esc(run)}</a>`)
  const more = c.evidence.length - EVIDENCE_LINKS
  return `${shown.join(', ')}${more > 0 ? ` + ${more} more` : ''}`
}

const claimsTableHtml = (claims: ReadonlyArray<ClaimResult>, links: ClaimsLinks): string =>
  `<table data-testid="claims-table"><thead><tr>${['#', 'claim', 'paper says', 'measured', 'verdict', 'evidence']
    .map((h) => `<th>${h}</th>`)
    .join('')}</tr></thead><tbody>${claims
    .map(
      (c) =>
        `<tr data-testid="claim-${c.id}" data-verdict="${esc(c.verdict)}"><td class="n">${c.id}</td>` +
        `<td><a href="#claim-${c.id}-section">${esc(c.title)}</a></td><td>${esc(c.paper)}</td><td>${esc(c.measured)}</td>` +
        `<td>${verdictHtml(c.verdict)}</td><td>${evidenceHtml(c, links)}</td></tr>`,
    )
    .join('')}</tbody></table>`

/** The numbers a claim's rule read, by name. */
const numbersHtml = (c: ClaimResult): string => {
  const entries = Object.entries(c.numbers)
  return entries.length === 0
    ? ''
    : `<details><summary>The numbers the rule read</summary><dl class="numbers">${entries
        .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${num(v)}</dd>`)
        .join('')}</dl></details>`
}

const figureHtml = (id: ClaimId, d: Drawn): string =>
  `<figure data-testid="claim-${id}-figure">${d.svg.join('')}<figcaption>${esc(d.caption)}</figcaption></figure>`

const tableA5Html = (table: ReadonlyArray<TableRow>): string =>
  table.length === 0
    ? '<p class="muted" data-testid="table-a5">No operation of Table A.5 was planned.</p>'
    : `<table data-testid="table-a5"><thead><tr>${[
        'operation',
        'formula',
        'paper (r = 0.3)',
        'ours: grokked k/n',
        'stayed',
        'unstable',
        'median grok step',
        'agrees',
      ]
        .map((h) => `<th>${h}</th>`)
        .join('')}</tr></thead><tbody>${table
        .map(
          (t) =>
            `<tr data-op="${esc(t.op)}"><td>${esc(t.op)}</td><td>${esc(t.formula)}</td><td>${paperText(t)}</td>` +
            `<td class="n">${esc(oursText(t))}</td><td class="n">${t.stayed}</td><td class="n">${esc(unstableText(t))}</td>` +
            `<td class="n">${t.medianGrokStep === null ? '—' : count(t.medianGrokStep)}</td><td>${agreesText(t)}</td></tr>`,
        )
        .join('')}</tbody></table><p data-testid="table-a5-agreement">${esc(agreementText(table))}</p>`

const claimSection = (c: ClaimResult, d: Drawn, doc: ClaimsDocument): string =>
  `<section id="claim-${c.id}-section"><h2>${c.id}. ${esc(c.title)} ${verdictHtml(c.verdict)}</h2>` +
  `<p><b>The paper:</b> ${esc(c.paper)}</p><p><b>The rule:</b> ${esc(c.rule)}</p>` +
  `<p><b>Measured:</b> ${esc(c.measured)}</p><p><b>Verdict ${esc(c.verdict)}:</b> ${esc(sentence(c.reason))}</p>` +
  `<p class="muted">Runs: ${esc(countsText(c))}.</p>${numbersHtml(c)}${figureHtml(c.id, d)}` +
  `${c.id === 6 ? `<h3>Table A.5: which operations grok at r = 0.3</h3>${tableA5Html(doc.table)}` : ''}</section>`

/**
 * claims.html: the content of claims.md (settings, the claims' table with each verdict's word and colour, each claim's
 * rule, reason and runs, Table A.5, every note and claim not run) and each claim's figure, drawn with
 * `@grokscope/charts`, or a one-line "no data" note where it has nothing to draw. One self-contained page: inline
 * styles and SVG, no script, no URL outside it but the relative links to the runs' folders. Hooks for tests:
 * `claims-table`, `claim-<id>` (with `data-verdict`), `claim-<id>-figure`, `table-a5`, `claims-notes`.
 *
 * @since 0.4.0
 */
export const claimsHtml = (doc: ClaimsDocument, links: ClaimsLinks = defaultLinks(doc)): string => {
  const claims = claimsOf(doc)
  const drawn = figures(doc)
  const notes = notRunLines(doc)
  const title = `Does grokscope reproduce the paper? Tier ${doc.settings.tier}`
  const body =
    `<h1>${esc(title)}</h1><p data-testid="claims-settings">${esc(settingsText(doc))}</p>` +
    `${claimsTableHtml(claims, links)}` +
    `<p class="muted">Each verdict rule was written, with its thresholds, before any run was read (docs/REPRODUCE.md).</p>` +
    claims.map((c) => claimSection(c, drawn[c.id], doc)).join('') +
    `<h2>Not run and budget cuts</h2><div data-testid="claims-notes">${
      notes.length === 0
        ? '<p>The document states no budget cut, and every claim was run.</p>'
        : `<ul>${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`
    }</div>`
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${esc(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>\n`
  )
}

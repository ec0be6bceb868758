/* global process, performance */
// The `auto` key-frequency rule on planted logits at any p (the property test in
// packages/measures/test/key-rule.test.ts runs it at p = 97 only): for each seed, draws a
// planted model the way that test does — <frequencies> distinct frequencies, amplitudes in
// [1, 2], a clean margin of 8 to 32, every frequency carrying at least 25 % of the margin, up to
// three output-independent terms of up to 10× the largest amplitude, noise on every logit of up
// to ¼ of the margin the least needed frequency carries — runs keyFrequencyAnalysis with the
// default rule (auto:2) on all p² pairs and prints one line per case: the planted and returned
// sets, whether they agree, the restricted and full losses, the seconds spent building the
// logits and running the rule, and the process's peak RSS so far. With --selection-only it runs
// keyFrequencies instead (the same key set, restricted and full losses, without the
// decomposition and the per-frequency ablations: what --measure-every records), which needs
// fewer p³ arrays and about half the time. Needs the built packages (npx tsc -b). Memory grows
// as p³ (a few arrays of p³ float64 each), time as p⁴:
//   nice -n 10 node scripts/key-rule-planted.mjs <p> <frequencies> <seeds> [first-seed] [--selection-only]
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const { keyFrequencies, keyFrequencyAnalysis, leastShare, plantedLogits, uniform } = await import(
  path.join(root, 'packages/measures/dist/index.js')
)

const fail = (line) => {
  process.stderr.write(`key-rule-planted: ${line}\n`)
  process.exit(2)
}
const selectionOnly = process.argv.includes('--selection-only')
const args = process.argv.slice(2).filter((a) => a !== '--selection-only')
if (args.length < 3 || args.length > 4) {
  fail(`usage: node scripts/key-rule-planted.mjs <p> <frequencies> <seeds> [first-seed] [--selection-only] (got ${args.length} arguments)`)
}
const integer = (name, text, min, max) => {
  const x = Number(text)
  if (!/^-?\d+$/.test(text) || x < min || x > max) fail(`${name} must be an integer in ${min}..${max}, got '${text}'`)
  return x
}
const P = integer('<p>', args[0], 5, 1625)
if (P % 2 === 0 || Array.from({ length: Math.floor(Math.sqrt(P)) - 1 }, (_, i) => i + 2).some((d) => P % d === 0)) {
  fail(`<p> must be an odd prime, got ${P}`)
}
const K = (P - 1) / 2
const count = integer('<frequencies>', args[1], 1, Math.min(K, 8))
const seeds = integer('<seeds>', args[2], 1, 1000)
const firstSeed = integer('[first-seed]', args[3] ?? '1', 0, 2 ** 31 - 1)

// ─── The planted models (plantedLogits of @grokscope/measures, drawn from the test's domain) ───

/** A planted model drawn from `seed` in the test's domain (redrawn until every frequency carries ≥ 25 % of the margin). */
const draw = (seed) => {
  const rand = uniform(seed)
  const between = (lo, hi) => lo + ((rand() + 1) / 2) * (hi - lo)
  const int = (lo, hi) => Math.min(hi, Math.floor(between(lo, hi + 1)))
  for (;;) {
    const ks = []
    while (ks.length < count) {
      const k = int(1, K)
      if (!ks.includes(k)) ks.push(k)
    }
    const alpha = ks.map(() => between(1, 2))
    const margin = between(8, 32)
    const distractors = Array.from({ length: int(0, 3) }, () => ({
      k: int(1, K),
      amp: between(0, 10),
      phaseA: between(0, 2 * Math.PI),
      phaseB: between(0, 2 * Math.PI),
    }))
    const noise = between(0, 0.25)
    if (leastShare(P, ks, alpha) >= 0.25) return { ks, alpha, margin, distractors, noise, seed: int(0, 2 ** 31 - 1) }
  }
}

// ─── The cases ──────────────────────────────────────────────────────────────────

const sorted = (ks) => [...ks].sort((x, y) => x - y)
const g = (x) => (x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential(2) : x.toPrecision(3))
process.stdout.write(`${selectionOnly ? 'keyFrequencies' : 'keyFrequencyAnalysis'}, rule auto:2\n`)
process.stdout.write(
  'p\tseed\tplanted\treturned\trecovered\trestricted\tfull\tprefix losses\tdistractors\tnoise\tbuild s\trule s\tpeak RSS MiB\n',
)
let recovered = 0
for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
  const m = draw(seed)
  const start = performance.now()
  const { logits, labels } = plantedLogits(P, m)
  const built = performance.now()
  const r = (selectionOnly ? keyFrequencies : keyFrequencyAnalysis)(logits, labels, P)
  const seconds = (performance.now() - built) / 1000
  const ok = r.key.join(',') === sorted(m.ks).join(',')
  if (ok) recovered++
  const distractors = m.distractors.map((d) => `${d.k}×${d.amp.toFixed(1)}`).join(' ') || '-'
  const rss = process.resourceUsage().maxRSS / 1024
  process.stdout.write(
    `${P}\t${seed}\t${sorted(m.ks).join(',')}\t${r.key.join(',')}\t${ok ? 'yes' : 'no'}\t${g(r.restricted)}\t${g(r.full)}\t` +
      `${r.prefixLosses.map(g).join(' ')}\t${distractors}\t${m.noise.toFixed(3)}\t${((built - start) / 1000).toFixed(1)}\t` +
      `${seconds.toFixed(1)}\t${rss.toFixed(0)}\n`,
  )
}
process.stdout.write(`recovered ${recovered}/${seeds}\n`)

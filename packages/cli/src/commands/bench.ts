// grokscope bench: ms per full-batch training step (and evaluation, measures) at one p, optionally against the
// PyTorch comparison program (the measuring: @grokscope/node's Bench.ts); given several p, one process per p
// (so each peak RSS is its own) and one table.
import { execFileSync } from 'node:child_process'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { type BenchOptions, type Stats, benchSteps, jsonOrText } from '@grokscope/node'
import { fixed, table } from '../format.js'

/** `grokscope bench`'s flags: what is timed (one p or several), and `--json`. */
export interface BenchFlags extends Omit<BenchOptions, 'p'> {
  readonly p: ReadonlyArray<number>
  readonly json?: boolean
}

/** What one p's benchmark prints with --json (the fields the table of several p reads). */
const BenchReport = t.type({
  p: t.number,
  n_train: t.number,
  step_ms: t.type({ median: t.number }),
  ms_per_1000_examples: t.number,
  eval_ms: t.type({ median: t.number }),
  step_chunk: t.number,
  memory_mib: t.number,
  peak_rss_mib: t.number,
  tensors_flat: t.boolean,
  ratio_median: t.union([t.number, t.null]),
})

/** Benchmarks each p in its own process (`grokscope bench --p <p> --json`) and prints one table. */
const benchMany = (f: BenchFlags): void => {
  const reports: Array<{ report: t.TypeOf<typeof BenchReport>; full: unknown }> = []
  for (const p of f.p) {
    const args = [
      process.argv[1]!, 'bench', '--p', String(p), '--frac', String(f.frac), '--memory', String(f.memory), '--steps', String(f.steps),
      '--warmup', String(f.warmup),
    ]
    args.push(
      '--rounds',
      String(f.rounds),
      '--threads',
      String(f.threads),
      '--evals',
      String(f.evals),
      '--torch-ref',
      f.torchRef,
      '--python',
      f.python,
      '--json',
    )
    if (f.vsTorch === true) args.push('--vs-torch')
    if (f.json !== true) process.stderr.write(`bench: p = ${p}…\n`)
    let out: string
    try {
      out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 2 ** 26 })
    } catch (e) {
      // A child that exited has printed its own one-line error on the shared stderr; its exit code is ours.
      const status = (e as { status?: unknown }).status
      if (typeof status !== 'number') process.stderr.write(`grokscope: error: bench --p ${p}: its benchmark process was killed\n`)
      process.exitCode = typeof status === 'number' ? status : 1
      return
    }
    const parsed = jsonOrText(out)
    const r = BenchReport.decode(parsed)
    if (E.isLeft(r)) throw new Error(`bench --p ${p}: its --json output is not a benchmark report: ${JSON.stringify(out.slice(0, 80))}`)
    reports.push({ report: r.right, full: parsed })
  }
  if (f.json === true) {
    process.stdout.write(`${JSON.stringify(reports.map((r) => r.full), null, 2)}\n`)
    return
  }
  const ratios = f.vsTorch === true
  process.stdout.write(
    `${table(
      [
        'p',
        'training examples',
        'step ms (median)',
        'ms per 1,000 examples',
        'evaluation ms',
        'chunk per thread',
        'peak RSS MiB',
        'tensors flat',
        ...(ratios ? ['vs PyTorch'] : []),
      ],
      reports.map(({ report: r }) => [
        String(r.p),
        String(r.n_train),
        fixed(r.step_ms.median, 1),
        fixed(r.ms_per_1000_examples, 1),
        fixed(r.eval_ms.median, 1),
        String(r.step_chunk),
        fixed(r.peak_rss_mib, 0),
        String(r.tensors_flat),
        ...(ratios ? [r.ratio_median === null ? '—' : fixed(r.ratio_median, 3)] : []),
      ]),
    )}\nr = ${f.frac}, ${f.threads} thread(s), --memory ${f.memory} MiB, ` +
      `${f.rounds} round(s) of ${f.steps} step(s) after ${f.warmup} warm-up step(s); one process per p\n`,
  )
}

export const benchCommand = async (f: BenchFlags): Promise<void> => {
  if (f.p.length !== 1) return benchMany(f)
  const report = await benchSteps({ ...f, p: f.p[0]! })
  if (f.json === true) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
    return
  }
  const s = (x: Stats) => [fixed(x.median, 1), fixed(x.p10, 1), fixed(x.p90, 1), fixed(x.min, 1), fixed(x.max, 1), String(x.n)]
  const lines = [
    `p = ${report.p}, r = ${f.frac}: ${report.n_train} training examples, ${report.n_test} test; ` +
      `backend ${report.backend} (SIMD ${report.simd}), ${f.threads} thread(s), Node ${process.version}`,
    `memory budget ${f.memory} MiB: chunks of ${report.step_chunk} training examples per thread, ${report.eval_chunk} per evaluation pass`,
    '',
    table(
      ['what (ms)', 'median', 'p10', 'p90', 'min', 'max', 'n'],
      [
        ['training step (fwd+bwd+AdamW)', ...s(report.step_ms)],
        ['  per 1,000 training examples', fixed(report.ms_per_1000_examples, 1), '', '', '', '', ''],
        [`evaluation, train + test sets (${report.threads} thread(s))`, ...s(report.eval_ms)],
        ['  the same on the main thread alone', ...s(report.eval_main_ms)],
        ['as the loop evaluates when a step follows:', '', '', '', '', '', ''],
        ['  step with the training set’s results', ...s(report.step_examples_ms)],
        ['  the same step without them', ...s(report.step_plain_ms)],
        ['  test set alone', ...s(report.eval_test_ms)],
        ['  test set, stopping below 0.99 (bench --to-grok)', ...s(report.eval_test_until_ms)],
        ['FFD/FCR of W_E and W_L', ...s(report.ffd_fcr_ms)],
      ],
    ),
    '',
    ...(f.vsTorch === true
      ? [
          table(
            ['round', 'grokscope ms/step', 'PyTorch ms/step', 'ratio'],
            report.rounds.map((r, i) => [String(i + 1), fixed(r.grokscope, 1), fixed(r.torch!, 1), fixed(r.grokscope / r.torch!, 3)]),
          ),
          `median ratio grokscope/PyTorch: ${fixed(report.ratio_median!, 3)}`,
          '',
        ]
      : []),
    `peak resident memory: ${fixed(report.peak_rss_mib, 0)} MiB; tensor count flat across steps: ${report.tensors_flat}`,
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
}

// grokscope plot: a run's training curves as an SVG.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { UsageError, writeAtomic } from '../files.js'
import { type MetricsLine, curvesSvg } from '../plot.js'

/** Reads a run folder's metrics and writes its curves; returns the SVG's path. */
export const plotRun = async (run: string, out?: string): Promise<string> => {
  const file = path.join(run, 'metrics.jsonl')
  if (!existsSync(file)) throw new UsageError(`${run} has no metrics.jsonl (give a run folder written by grokscope train)`)
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as MetricsLine & { grok_step?: number | null })
  if (lines.length === 0) throw new UsageError(`${file} has no evaluations yet`)
  const config = path.join(run, 'config.json')
  const task = existsSync(config) ? (JSON.parse(readFileSync(config, 'utf8')) as { task?: { ops?: string[]; p?: number; frac?: number; seed?: number } }).task : undefined
  const title = task === undefined ? path.basename(run) : `${(task.ops ?? []).join(', ')} mod ${task.p}, r = ${task.frac}, seed ${task.seed}`
  const target = out ?? path.join(run, 'curves.svg')
  writeAtomic(target, await curvesSvg(title, lines, lines.at(-1)?.grok_step ?? null))
  return target
}

export const plotCommand = async (run: string, o: { out?: string }): Promise<void> => {
  process.stdout.write(`${await plotRun(run, o.out)}\n`)
}

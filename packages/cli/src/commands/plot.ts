// grokscope plot: a run's training curves as an SVG.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { UsageError, writeAtomic } from '../files.js'
import { oneLine } from '../format.js'
import { checkOutputFile } from '../outputs.js'
import { curvesSvg } from '../plot.js'
import { FILES, holdsRun, readConfig, readMetrics, runFolder } from '../run-folder.js'

/** Reads a run folder's metrics and writes its curves; returns the SVG's path. A torn last line is left out, with a warning. */
export const plotRun = (dir: string, out?: string): string => {
  const run = runFolder(dir)
  if (!existsSync(run.file.metrics)) throw new UsageError(`${dir} has no ${FILES.metrics} (give a run folder written by grokscope train)`)
  const { records, warning } = readMetrics(run)
  if (warning !== null) process.stderr.write(`grokscope: warning: ${oneLine(warning)}\n`)
  if (records.length === 0) throw new UsageError(`${run.file.metrics} has no evaluations yet`)
  const task = holdsRun(run) ? readConfig(run).task : null
  const title = task === null ? path.basename(dir) : `${task.ops.map((op) => op.id).join(', ')} mod ${task.p}, r = ${task.frac}, seed ${task.seed}`
  const target = out ?? run.file.curves
  writeAtomic(target, curvesSvg(title, records, records.at(-1)?.grok_step ?? null))
  return target
}

export const plotCommand = (dir: string, o: { readonly out?: string | undefined }): void => {
  if (o.out !== undefined) checkOutputFile('--out', o.out, { noun: 'plot', example: FILES.curves })
  process.stdout.write(`${plotRun(dir, o.out)}\n`)
}

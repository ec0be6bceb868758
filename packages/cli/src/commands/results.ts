// grokscope results: the table of a sweep (every planned run, finished or not) or of a folder of runs,
// written into that folder (results.csv, table.md, accuracy.svg, measures.svg) and printed.
import { writeResults } from '@grokscope/node'
import { warn } from '../format.js'
import { whileDoing } from '../progress.js'

export const resultsCommand = async (
  dir: string,
  o: { readonly json?: boolean | undefined; readonly progress: boolean },
): Promise<void> => {
  const { rows, table, files } = await whileDoing(process.stderr, o.progress, `results: reading the runs of ${dir} and drawing the figures`, () =>
    Promise.resolve(writeResults(dir, warn)),
  )
  const counts = [...new Set(rows.map((r) => r.status))].map((s) => `${rows.filter((r) => r.status === s).length} ${s}`).join(', ')
  if (o.json === true) process.stdout.write(`${JSON.stringify(rows)}\n`)
  else process.stdout.write(`${table}\n${rows.length} runs: ${counts}\nwrote ${files.join(', ')}\n`)
}

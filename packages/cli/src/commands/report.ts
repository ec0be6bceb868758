// grokscope report: one self-contained HTML page for a run, a model file, or a folder of runs (a sweep).
import type { KeyRule } from '@grokscope/measures'
import { writeReport } from '@grokscope/node'
import { warn } from '../format.js'
import { whileDoing } from '../progress.js'

export const reportCommand = async (
  target: string,
  o: { readonly eta: number; readonly keyFreqs?: KeyRule; readonly out?: string | undefined; readonly progress: boolean },
): Promise<void> => {
  const written = await whileDoing(process.stderr, o.progress, `report: analysing ${target} and writing its pages`, () =>
    writeReport(target, {
      eta: o.eta,
      ...(o.keyFreqs === undefined ? {} : { keyRule: o.keyFreqs }),
      ...(o.out === undefined ? {} : { out: o.out }),
      onWarning: warn,
    }),
  )
  process.stdout.write(`${written.join('\n')}\n`)
}

// grokscope plot: a run's training curves as an SVG.
import { checkOutputFile, writeCurves } from '@grokscope/node'
import { RUN_FILES } from '@grokscope/runs'
import { warn } from '../format.js'

export const plotCommand = (dir: string, o: { readonly out?: string | undefined }): void => {
  if (o.out !== undefined) checkOutputFile('--out', o.out, { noun: 'plot', example: RUN_FILES.curves })
  process.stdout.write(`${writeCurves(dir, o.out, warn)}\n`)
}

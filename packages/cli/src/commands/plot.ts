// grokscope plot: a run's training curves as an SVG.
import { writeCurves } from '@grokscope/node'
import { warn } from '../format.js'

export const plotCommand = (dir: string, o: { readonly out?: string | undefined }): void => {
  process.stdout.write(`${writeCurves(dir, o.out, warn)}\n`)
}

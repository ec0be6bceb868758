// grokscope export: a model as a TransformerLens checkpoint (model.safetensors + config.json) that Python reads.
import { exportCheckpoint } from '@grokscope/node'

export const exportCommand = (target: string, o: { readonly out: string; readonly step?: number | undefined }): void => {
  const files = exportCheckpoint(target, o.out, o.step)
  process.stdout.write(`${files.weights}\n${files.config}\n`)
}

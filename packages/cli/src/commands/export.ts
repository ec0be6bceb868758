// grokscope export: a model as a TransformerLens checkpoint (model.safetensors + config.json) that Python reads.
import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { encodeTransformerLensCheckpoint } from '@grokscope/model'
import { UsageError, writeAtomic, writeJson } from '../files.js'
import { modelSource } from '../history.js'
import { CHECKPOINT_FILES, type LoadedModel, loadModel } from '../model-file.js'

/** What config.json records of the task: p, the operations and their tokens, the split's seed and fraction, the steps trained. */
export const exportedTask = (model: LoadedModel): Readonly<Record<string, unknown>> => {
  const { meta, task } = model
  const frac = typeof meta.frac === 'number' ? meta.frac : typeof meta.frac_train === 'number' ? meta.frac_train : null
  return {
    p: task.p,
    ops: task.ops.map((o) => o.id),
    op_tokens: task.ops.map((_, i) => task.p + i),
    seed: task.seed,
    frac,
    ...(typeof meta.steps === 'number' ? { steps: meta.steps } : {}),
    input: '[a, op, b]',
    logits_at: 'last position',
  }
}

/** Writes `<out>/model.safetensors` and `<out>/config.json` (of the run's weights at `step`, when given); refuses to overwrite either. Returns their paths. */
export const exportModel = (target: string, out: string, step?: number): { readonly weights: string; readonly config: string } => {
  const model = loadModel(modelSource(target, step))
  if (existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out: ${out} is a file (give a folder for model.safetensors and config.json)`)
  const files = { weights: path.join(out, CHECKPOINT_FILES.weights), config: path.join(out, CHECKPOINT_FILES.config) }
  for (const f of Object.values(files)) if (existsSync(f)) throw new UsageError(`--out: ${f} exists (an existing file is never overwritten; give another folder)`)
  const name = `grokscope-${model.task.ops.map((o) => o.id).join('+')}-p${model.task.p}`
  const { safetensors, config } = encodeTransformerLensCheckpoint(model.config, model.host, exportedTask(model), name)
  writeAtomic(files.weights, safetensors)
  writeJson(files.config, config, 2)
  return files
}

export const exportCommand = (target: string, o: { readonly out: string; readonly step?: number | undefined }): void => {
  const files = exportModel(target, o.out, o.step)
  process.stdout.write(`${files.weights}\n${files.config}\n`)
}

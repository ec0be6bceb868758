// The PyTorch comparison program, python/grokscope_torch.py at the root of the repository this CLI was
// built in: found from this module's own location (packages/cli/dist/), not from the current directory.
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository's PyTorch comparison program (the default of `bench --torch-ref`). */
export const TORCH_PROGRAM = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../python/grokscope_torch.py')

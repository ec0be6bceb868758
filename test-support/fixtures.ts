// Where the PyTorch fixtures are: $GROKSCOPE_FIXTURES, else fixtures/pytorch in the repository (fixtures/README.md).
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

export const FIXTURE_DIR = process.env.GROKSCOPE_FIXTURES ?? path.join(root, 'fixtures', 'pytorch')

export const FIXTURES = ['add-p31-s0.json', 'mul-p31-s0.json'] as const

/** The fixture's path; a missing fixture is an error, never a skipped test. */
export const fixturePath = (name: string): string => {
  const file = path.join(FIXTURE_DIR, name)
  if (!existsSync(file)) throw new Error(`fixture ${file} not found: set GROKSCOPE_FIXTURES to the folder with ${FIXTURES.join(', ')}`)
  return file
}

/**
 * A run folder (`run-add-p11`, with a weights history) and a sweep (`sweep/`) written by grokscope 0.1.0 (commit
 * f815b6d); see fixtures/README.md.
 */
export const LEGACY_DIR = path.resolve(root, 'fixtures/runs-0.1.0')

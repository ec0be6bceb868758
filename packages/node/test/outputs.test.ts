// Issue 24: no output a user names (plot --out, report --out, results, export --out) can replace a file of a run — a
// document, the start marker, a weights history file, a lock file, a temporary file — nor anything at its path that is
// not a regular file (a named pipe, a device, a symbolic link, a folder). Each is refused with a UsageError before a
// byte is written, and what was there stays byte for byte as it was.
import { execFileSync } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { CHECKPOINT_FILES, HISTORY_DIR, RESULT_FILES, RUN_FILES } from '@grokscope/runs'
import { runFileName } from '../../../test-support/run-files.js'
import { SMALL_RUN, configOf } from '../../../test-support/runs.js'
import { UsageError, exportCheckpoint, runTraining, writeCurves, writeReport, writeResults } from '../src/index.js'

const tmp = () => mkdtempSync(path.join(tmpdir(), 'grokscope-outputs-'))

/** A folder of runs holding one small run that keeps a weights history; trained once for the file. */
let root = ''
let run = ''

beforeAll(async () => {
  root = tmp()
  run = path.join(root, 'run')
  await runTraining(configOf({ ...SMALL_RUN, saveEvery: 20 }), run)
}, 60_000)

/** Each writer a user gives a file path to. */
const WRITERS = {
  plot: (target: string) => writeCurves(run, target, () => undefined),
  report: (target: string) => writeReport(run, { eta: 0.5, out: target }),
} as const

/** Whether calling `write` is refused with a `UsageError`. */
const refused = async (write: () => unknown): Promise<boolean> => {
  try {
    await write()
    return false
  } catch (e) {
    if (e instanceof UsageError) return true
    throw e
  }
}

describe('an output never names a file of a run', () => {
  it('plot --out and report --out onto any of a run’s files, there or not, are refused and leave it byte-identical', async () => {
    await fc.assert(
      fc.asyncProperty(
        runFileName,
        fc.boolean(),
        fc.option(fc.uint8Array({ maxLength: 64 })),
        fc.constantFrom(...(Object.keys(WRITERS) as Array<keyof typeof WRITERS>)),
        async (name, inHistory, content, writer) => {
          // plot writes a run's curves.svg: its own.
          fc.pre(!(writer === 'plot' && name === RUN_FILES.curves))
          const target = path.join(inHistory ? path.join(run, HISTORY_DIR) : run, name)
          const made = !existsSync(target) && content !== null
          if (made) writeFileSync(target, content)
          const before = existsSync(target) ? readFileSync(target) : null
          try {
            expect(await refused(() => WRITERS[writer](target))).toBe(true)
            expect(existsSync(target) ? readFileSync(target) : null).toEqual(before)
          } finally {
            if (made) rmSync(target)
          }
        },
      ),
      { numRuns: 200 },
    )
  })
})

describe('export --out', () => {
  it('into a run’s history folder is refused: a config.json there would be read as the history files’', async () => {
    const history = path.join(run, HISTORY_DIR)
    const before = readdirSync(history).sort()
    expect(await refused(() => exportCheckpoint(run, history))).toBe(true)
    expect(readdirSync(history).sort()).toEqual(before)
  })
})

describe('an output is only an absent path or a regular file', () => {
  /** Whether this process may make a character device (root may). */
  const mknodWorks = (() => {
    try {
      const probe = path.join(tmp(), 'null')
      execFileSync('mknod', [probe, 'c', '1', '3'], { stdio: 'ignore' })
      return true
    } catch {
      return false
    }
  })()

  /** What is made at a path, and what it is afterwards (the same: nothing replaced it). */
  const KINDS: Record<string, (file: string) => void> = {
    'a named pipe': (file) => execFileSync('mkfifo', [file]),
    'a symbolic link': (file) => {
      const aim = `${file}.aim`
      writeFileSync(aim, 'the link’s file')
      symlinkSync(aim, file)
    },
    'a dangling symbolic link': (file) => symlinkSync(`${file}.nowhere`, file),
    'a folder': (file) => mkdirSync(file),
    ...(mknodWorks ? { 'a device': (file: string) => execFileSync('mknod', [file, 'c', '1', '3']) } : {}),
  }
  const what = (file: string): string => {
    const s = lstatSync(file)
    return s.isSymbolicLink() ? `link to ${readlinkSync(file)}` : s.isFIFO() ? 'fifo' : s.isDirectory() ? 'folder' : `device ${s.rdev}`
  }

  /** Each writer with the path it writes to in a fresh folder. */
  const TARGETS: Record<string, () => { readonly target: string; readonly write: () => unknown }> = {
    'plot --out': () => {
      const target = path.join(tmp(), 'curves.svg')
      return { target, write: () => WRITERS.plot(target) }
    },
    'report --out': () => {
      const target = path.join(tmp(), 'report.html')
      return { target, write: () => WRITERS.report(target) }
    },
    'results (results.csv)': () => {
      const target = path.join(root, RESULT_FILES.csv)
      return { target, write: () => writeResults(root, () => undefined) }
    },
    'export --out (model.safetensors)': () => {
      const out = tmp()
      return { target: path.join(out, CHECKPOINT_FILES.weights), write: () => exportCheckpoint(run, out) }
    },
  }

  it.each(Object.keys(KINDS).flatMap((kind) => Object.keys(TARGETS).map((writer) => [writer, kind] as const)))(
    '%s onto %s is refused and leaves it as it was',
    async (writer, kind) => {
      const { target, write } = TARGETS[writer]!()
      KINDS[kind]!(target)
      const before = what(target)
      expect(await refused(write)).toBe(true)
      expect(what(target)).toBe(before)
      rmSync(target, { recursive: true })
    },
  )
})

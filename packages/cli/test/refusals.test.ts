// Issue 17, probed as an unlucky or hostile user would: output folders that are not runs, empty
// paths, outputs onto a run's own files, model files that are huge, bogus, endless or blocking,
// files of another run, and folders of runs with broken links. Each is one line, exit 2 (or a
// warning and a report), and nothing of the user's is changed.
import { execFileSync } from 'node:child_process'
import {
  closeSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { MAX_CHECKPOINT_HEADER_BYTES, MAX_SAFETENSORS_BYTES, UsageError, checkOutputFile, loadModel } from '@grokscope/node'
import { START_FILE, startDocument } from '@grokscope/runs'
import { SMALL_RUN, configOf } from '../../../test-support/runs.js'
import { cli, copyOf, digest, oneLineError, trainRuns } from './run-cli.js'

const tmp = () => mkdtempSync(path.join(tmpdir(), 'grokscope-refuse-'))
const json = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>

// Tiny and fast: 20 steps of a 16-wide model.
const TINY = [
  '--frac', '0.5', '--d-model', '16', '--heads', '2', '--d-head', '8', '--d-mlp', '32', '--steps', '20', '--eval-every', '10',
  '--threads', '1', '--no-progress',
]

/** Runs of p = 11 (seed 0 and 1) and p = 13, trained once for the whole file. */
let runs: Record<'p11' | 'p11s1' | 'p13', string>

beforeAll(async () => {
  runs = await trainRuns({ p11: ['--p', '11', ...TINY], p11s1: ['--p', '11', '--seed', '1', ...TINY], p13: ['--p', '13', ...TINY] })
}, 120_000)

describe('case 4: --out that holds a user’s files but no run', () => {
  it('train refuses it with one line and leaves every file as it was', async () => {
    const dir = tmp()
    writeFileSync(path.join(dir, 'summary.json'), '{"mine": true}\n')
    writeFileSync(path.join(dir, 'weights.json'), '{"my": "weights"}\n')
    writeFileSync(path.join(dir, 'metrics.jsonl'), '{"step": 1}\n')
    const before = digest(dir)
    const r = await cli(['train', '--p', '11', ...TINY, '--out', dir])
    oneLineError(
      r,
      new RegExp(
        '--out: .* is not empty and holds no run \\(it has metrics\\.jsonl, summary\\.json, weights\\.json; allowed: an absent or empty folder, ' +
          'a run folder with config\\.json to --resume, or a start grokscope interrupted, with its \\.start\\.json\\)$',
        'm',
      ),
    )
    expect(digest(dir)).toBe(before)
  })

  it('sweep refuses a folder that is neither empty nor a sweep (a run folder, a user’s folder)', async () => {
    const user = tmp()
    writeFileSync(path.join(user, 'notes.txt'), 'mine\n')
    oneLineError(
      await cli(['sweep', '--ops', 'add', '--p', '11', '--out', user]),
      /--out: .* is not empty and holds no sweep \(it has notes\.txt\); allowed: an absent or empty folder, or a sweep folder with sweep\.json to continue/,
    )
    expect(readdirSync(user)).toEqual(['notes.txt'])
    const run = copyOf(runs.p11)
    const before = digest(run)
    oneLineError(await cli(['sweep', '--ops', 'add', '--p', '11', '--out', run]), /--out: .* is a run folder \(config\.json\), not a sweep/)
    expect(digest(run)).toBe(before)
  })

  it('a start interrupted before 0.3.0 (empty metrics.jsonl, state.json, a temporary file, no start marker) is refused, ' +
    'saying to remove the folder', async () => {
    const dir = tmp()
    writeFileSync(path.join(dir, 'metrics.jsonl'), '')
    writeFileSync(path.join(dir, 'state.json'), '{')
    writeFileSync(path.join(dir, 'weights.json.4242.tmp'), '')
    const before = digest(dir)
    oneLineError(
      await cli(['train', '--p', '11', ...TINY, '--out', dir]),
      /if a start before 0\.3\.0 was interrupted there, it left no \.start\.json: remove the folder to start again$/m,
    )
    expect(digest(dir)).toBe(before)
  })

  it('with --save-every, the step-0 history an interrupted start wrote is a leftover too; ' +
    'a history folder with other files is not', async () => {
    const dir = tmp()
    writeFileSync(path.join(dir, START_FILE), JSON.stringify(startDocument(configOf(SMALL_RUN))))
    mkdirSync(path.join(dir, 'history'))
    writeFileSync(path.join(dir, 'history', 'step-000000.safetensors.4242.tmp'), '')
    writeFileSync(path.join(dir, 'metrics.jsonl'), '')
    const r = await cli(['train', '--p', '11', ...TINY, '--save-every', '10', '--out', dir])
    expect(r.code, r.stderr).toBe(0)
    expect(readdirSync(path.join(dir, 'history'))).toContain('step-000000.safetensors')
    const user = tmp()
    writeFileSync(path.join(user, START_FILE), JSON.stringify(startDocument(configOf(SMALL_RUN))))
    mkdirSync(path.join(user, 'history'))
    writeFileSync(path.join(user, 'history', 'notes.txt'), 'mine')
    const refused = await cli(['train', '--p', '11', ...TINY, '--out', user])
    expect([refused.code, refused.stderr.trim().split('\n').length]).toEqual([2, 1])
    expect(readFileSync(path.join(user, 'history', 'notes.txt'), 'utf8')).toBe('mine')
  })
})

describe('case 5: an empty path', () => {
  // Every path-valued flag and argument of every command.
  const COMMANDS: ReadonlyArray<ReadonlyArray<string>> = [
    ['train', '--out', ''],
    ['train', '--init-from', ''],
    ['sweep', '--ops', 'add', '--out', ''],
    ['sweep', '--ops', 'add', '--out', 'x', '--init-from', ''],
    ['results', ''],
    ['analyze', ''],
    ['predict', '', '--pairs', '1,2'],
    ['export', '', '--out', 'x'],
    ['export', 'x', '--out', ''],
    ['plot', ''],
    ['plot', 'x', '--out', ''],
    ['report', ''],
    ['report', 'x', '--out', ''],
    ['bench', '--torch-ref', ''],
    ['bench', '--python', ''],
  ]
  it.each(COMMANDS.map((args) => [args.join(' '), args] as const))(
    '%s: one line, exit 2, nothing written in the current folder', async (_, args) => {
    const cwd = tmp()
    const r = await cli(args, { cwd })
    oneLineError(r, /^grokscope: error: (--[a-z-]+|<[a-z-]+>): "" is not allowed \(a file or folder path; an empty one is refused\)\n$/)
    expect(readdirSync(cwd)).toEqual([])
  })
})

describe('case 6: no command writes over a run’s own files', () => {
  // A run's documents but curves.svg (plot's own), a sweep's plan, an exported checkpoint's weights.
  const PROTECTED = ['config.json', 'metrics.jsonl', 'state.json', 'weights.json', 'summary.json', 'sweep.json', 'model.safetensors']

  it('checkOutputFile refuses every protected name in any folder, and allows report.html, and curves.svg to plot', () => {
    const segment = fc.stringMatching(/^[a-z0-9 ._-]{1,8}$/).filter((s) => s !== '.' && s !== '..')
    const report = { flag: '--out', noun: 'report', example: 'report.html' }
    const under = (dirs: ReadonlyArray<string>, name: string) => path.join(tmpdir(), 'no-such-folder-17', ...dirs, name)
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 3 }), fc.constantFrom(...PROTECTED, 'curves.svg'), (dirs, name) => {
        expect(() => checkOutputFile(under(dirs, name), report)).toThrow(/is named as .*, which grokscope writes itself/)
        expect(() => checkOutputFile(under(dirs, 'report.html'), report)).not.toThrow()
        expect(() => checkOutputFile(under(dirs, 'curves.svg'), { ...report, noun: 'plot', own: ['curves.svg'] })).not.toThrow()
      }),
      { numRuns: 300 },
    )
  })

  it('report --out and plot --out onto any of a run’s files: one line, exit 2, the run unchanged', async () => {
    const run = copyOf(runs.p11)
    const before = digest(run)
    const targets = PROTECTED
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('report', 'plot'),
        fc.constantFrom(...targets),
        fc.constantFrom('', './'),
        async (command, name, prefix) => {
          const r = await cli([command, run, '--out', `${prefix === '' ? run : `${run}/${prefix}`}/${name}`.replace('//', '/')])
          oneLineError(
            r,
            new RegExp(`--out: .*${name.replace('.', '\\.')} is named as .*, which grokscope writes itself \\(allowed: any other file name`),
          )
          expect(digest(run)).toBe(before)
        },
      ),
      { numRuns: 10 },
    )
  })

  it('the default report.html and curves.svg inside the run are still written', async () => {
    const run = copyOf(runs.p11)
    const report = await cli(['report', run])
    expect(report.code, report.stderr).toBe(0)
    expect(report.stdout).toBe(`${path.join(run, 'report.html')}\n`)
    const plot = await cli(['plot', run, '--out', path.join(run, 'curves.svg')])
    expect(plot.code, plot.stderr).toBe(0)
  })
})

describe('case 8: model files are checked before they are read', () => {
  /** A sparse file of `size` bytes whose first 8 bytes are `first` (zeros if not given). */
  const sparse = (name: string, size: number, first?: bigint): string => {
    const file = path.join(tmp(), name)
    writeFileSync(file, '')
    truncateSync(file, size)
    if (first !== undefined) {
      const head = Buffer.alloc(8)
      head.writeBigUInt64LE(first)
      const fd = openSync(file, 'r+')
      writeSync(fd, head, 0, 8, 0)
      closeSync(fd)
    }
    return file
  }

  it.each([
    [
      'a 3 GB .safetensors with a 2^63 header length',
      () => sparse('big.safetensors', 3 * 2 ** 30, 2n ** 63n),
      /big\.safetensors holds 3\.0 GiB, more than the 1\.0 GiB allowed for it/,
    ],
    [
      'a 3 GB zero-filled .safetensors',
      () => sparse('zero.safetensors', 3 * 2 ** 30),
      /zero\.safetensors holds 3\.0 GiB, more than the 1\.0 GiB allowed for it/,
    ],
    [
      'a 3 GB weights.json',
      () => sparse('weights.json', 3 * 2 ** 30),
      /weights\.json holds 3\.0 GiB, more than the 512 MiB allowed for it/,
    ],
    [
      'a .safetensors under the limit with a 2^63 header length',
      () => sparse('hdr.safetensors', MAX_SAFETENSORS_BYTES - 8, 2n ** 63n),
      /hdr\.safetensors: safetensors: the header length 9223372036854775808 is more than the 100000000 bytes allowed/,
    ],
    [
      'a .safetensors with a 50 MB header length',
      () => sparse('h50.safetensors', 2 ** 27, 50_000_000n),
      /h50\.safetensors: safetensors: the header length 50000000 is more than the 16777216 bytes read \(a model's header is about 100 bytes a tensor\)/,
    ],
    [
      'a .safetensors whose header length runs past its end',
      () => sparse('past.safetensors', 4096, 4096n),
      /past\.safetensors: safetensors: the header length 4096 runs past the end of the 4096-byte file/,
    ],
    ['/dev/zero', () => '/dev/zero', /\/dev\/zero is not a regular file \(it is a device; allowed: a file\)/],
    [
      'a folder',
      () => path.join(tmp(), 'x.safetensors/'),
      /x\.safetensors\/? is not a regular file \(it is a folder; allowed: a file\)|does not exist/,
    ],
  ])('predict on %s: one line, exit 2', async (_, make, pattern) => {
    const file = make()
    if (file.endsWith('/')) mkdirSync(file)
    oneLineError(await cli(['predict', file, '--pairs', '1,2']), pattern)
  })

  it('loadModel on a sparse .safetensors of any size up to 3 GB with any header length: a one-line UsageError, ' +
    'memory bounded by the header bound (16 MiB)', () => {
    const file = path.join(tmp(), 'any.safetensors')
    writeFileSync(file, '')
    const length = fc.oneof(
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      fc.bigInt({ min: 0n, max: 100_000_000n }),
      fc.bigInt({ min: 0n, max: 4096n }),
    )
    fc.assert(
      fc.property(length, fc.oneof(fc.integer({ min: 0, max: 3 * 2 ** 30 }), fc.integer({ min: 0, max: 8192 })), (n, size) => {
        truncateSync(file, 0)
        truncateSync(file, size)
        if (size >= 8) {
          const head = Buffer.alloc(8)
          head.writeBigUInt64LE(n)
          const fd = openSync(file, 'r+')
          writeSync(fd, head, 0, 8, 0)
          closeSync(fd)
        }
        const before = process.memoryUsage().arrayBuffers
        let error: unknown = null
        try {
          loadModel(file)
        } catch (e) {
          error = e
        }
        expect(error).toBeInstanceOf(UsageError)
        expect((error as Error).message).not.toMatch(/\n/)
        // What the reader allocated is still counted (nothing forces a collection): at most a header.
        expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(MAX_CHECKPOINT_HEADER_BYTES + 2 ** 24)
      }),
      { numRuns: 40 },
    )
  })

  it('predict and analyze on a named pipe: one line, exit 2, no hang (nothing ever writes to it)', async () => {
    const dir = tmp()
    const pipe = path.join(dir, 'model.safetensors.fifo')
    execFileSync('mkfifo', [pipe])
    oneLineError(await cli(['predict', pipe, '--pairs', '1,2']), /is not a regular file \(it is a named pipe; allowed: a file\)/)
    oneLineError(await cli(['analyze', pipe]), /is not a regular file \(it is a named pipe; allowed: a file\)/)
  })

  it('a run’s config.json or state.json that is a named pipe or /dev/zero: one line, exit 2', async () => {
    const run = copyOf(runs.p11)
    rmSync(path.join(run, 'state.json'))
    symlinkSync('/dev/zero', path.join(run, 'state.json'))
    oneLineError(await cli(['train', '--resume', '--out', run]), /state\.json is not a regular file \(it is a device; allowed: a file\)/)
    rmSync(path.join(run, 'config.json'))
    execFileSync('mkfifo', [path.join(run, 'config.json')])
    oneLineError(await cli(['report', run]), /config\.json is not a regular file \(it is a named pipe; allowed: a file\)/)
  })
})

describe('case 9: the files of another run', () => {
  it('config.json records the fingerprint that state.json and weights.json carry', () => {
    const fingerprint = json(path.join(runs.p11, 'config.json')).fingerprint as Record<string, unknown>
    expect(fingerprint).toMatchObject({
      ops: ['add'],
      p: 11,
      frac: 0.5,
      seed: 0,
      d_model: 16,
      n_heads: 2,
      d_head: 8,
      d_mlp: 32,
      n_layers: 1,
    })
    expect(fingerprint.hash).toMatch(/^[0-9a-f]{16}$/)
    expect(json(path.join(runs.p11, 'state.json')).fingerprint).toEqual(fingerprint)
    expect((json(path.join(runs.p11, 'weights.json')).config as Record<string, unknown>).fingerprint).toEqual(fingerprint)
    expect((json(path.join(runs.p13, 'config.json')).fingerprint as Record<string, unknown>).hash).not.toBe(fingerprint.hash)
  })

  it.each([
    ['report', (run: string) => ['report', run]],
    ['analyze', (run: string) => ['analyze', run]],
    ['predict --test-errors', (run: string) => ['predict', run, '--test-errors']],
    ['predict weights.json', (run: string) => ['predict', path.join(run, 'weights.json'), '--pairs', '1,2']],
    ['export', (run: string) => ['export', run, '--out', path.join(tmp(), 'tl')]],
  ])('%s refuses a weights.json of p = 13 in a p = 11 run', async (_, args) => {
    const run = copyOf(runs.p11)
    cpSync(path.join(runs.p13, 'weights.json'), path.join(run, 'weights.json'))
    oneLineError(
      await cli(args(run)),
      /weights\.json is from op=add p=13 frac=0\.5 seed=0 d_vocab=14 n_out=13, .*config\.json says p=11 d_vocab=12 n_out=11 \(the files of another run/,
    )
  })

  it('a weights.json written before fingerprints is compared by the task fields it records', async () => {
    const run = copyOf(runs.p11)
    const weights = json(path.join(runs.p13, 'weights.json'))
    delete (weights.config as Record<string, unknown>).fingerprint
    writeFileSync(path.join(run, 'weights.json'), JSON.stringify(weights))
    oneLineError(await cli(['predict', run, '--test-errors']), /weights\.json is from op=add p=13 .* says p=11/)
  })

  it('--resume refuses a same-shape state.json of another seed', async () => {
    const run = copyOf(runs.p11)
    cpSync(path.join(runs.p11s1, 'state.json'), path.join(run, 'state.json'))
    const before = digest(run)
    oneLineError(
      await cli(['train', '--resume', '--out', run, '--steps', '30']),
      /state\.json is from op=add p=11 frac=0\.5 seed=1, .*config\.json says seed=0 \(the files of another run/,
    )
    expect(digest(run)).toBe(before)
  })

  it('a run from before fingerprints (none in any file) still resumes and reports', async () => {
    const run = copyOf(runs.p11)
    for (const f of ['config.json', 'state.json']) {
      const doc = json(path.join(run, f))
      delete doc.fingerprint
      writeFileSync(path.join(run, f), JSON.stringify(doc))
    }
    const weights = json(path.join(run, 'weights.json'))
    delete (weights.config as Record<string, unknown>).fingerprint
    writeFileSync(path.join(run, 'weights.json'), JSON.stringify(weights))
    const report = await cli(['report', run])
    expect(report.code, report.stderr).toBe(0)
    const resume = await cli(['train', '--resume', '--out', run, '--steps', '30', '--threads', '1', '--no-progress'])
    expect(resume.code, resume.stderr).toBe(0)
  })
})

describe('case 10: broken links in a folder of runs', () => {
  it('report skips a dangling link and a loop, names each once, and reports the runs', async () => {
    const dir = tmp()
    cpSync(runs.p11, path.join(dir, 'a'), { recursive: true })
    symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangling'))
    symlinkSync(path.join(dir, 'loop'), path.join(dir, 'loop'))
    const r = await cli(['report', dir])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr.split('\n').filter((l) => l !== '')).toEqual([
      `grokscope: warning: skipped ${path.join(dir, 'dangling')} (a dangling symbolic link)`,
      `grokscope: warning: skipped ${path.join(dir, 'loop')} (a loop of symbolic links)`,
    ])
    expect(r.stdout).toBe(`${path.join(dir, 'report.html')}\n${path.join(dir, 'a', 'report.html')}\n`)
  })

  it('results copes with a planned run whose folder is a dangling link', async () => {
    const dir = tmp()
    const sweep = await cli(['sweep', '--ops', 'add', '--p', '11', '--fracs', '0.5', ...TINY.slice(2, -1), '--out', dir])
    expect(sweep.code, sweep.stdout + sweep.stderr).toBe(0)
    const name = readdirSync(dir).find((f) => f.startsWith('add-'))!
    rmSync(path.join(dir, name), { recursive: true })
    symlinkSync(path.join(dir, 'nowhere'), path.join(dir, name))
    const r = await cli(['results', dir])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/1 runs: 1 not started/)
  })
})

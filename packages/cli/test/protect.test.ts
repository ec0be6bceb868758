// Issue 24, part A ("nothing lost, nothing misread"), as a user meets it: an output never replaces a file of a run (its
// weights history, its lock) nor a device or a named pipe; a user's weights.json or state.json in --out is never taken
// for what an interrupted start left; train --resume never rewrites a weights.json that is not the run's. Each is one
// line, exit 2, and the file stays byte for byte as it was.
import { execFileSync } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { START_FILE, startDocument } from '@grokscope/runs'
import { SMALL_RUN, configOf } from '../../../test-support/runs.js'
import { cli, copyOf, digest, oneLineError, trainRuns } from './run-cli.js'

const tmp = () => mkdtempSync(path.join(tmpdir(), 'grokscope-protect-'))

// The issue's run: a+b mod 23 with the paper's model, 100 steps, its weights saved every 50.
const RUN = ['--op', 'add', '--p', '23', '--frac', '0.5', '--steps', '100', '--threads', '1', '--no-progress']
const SMALL = ['--op', 'add', '--p', '11', '--frac', '0.5', '--d-model', '16', '--heads', '2', '--d-head', '8', '--d-mlp', '32',
  '--steps', '20', '--eval-every', '10', '--threads', '1', '--no-progress']

/** The issue's run (with its history) and a run of another task, trained once for the file. */
let runs: Record<'r' | 'other', string>

beforeAll(async () => {
  runs = await trainRuns({ r: [...RUN, '--save-every', '50'], other: SMALL })
}, 180_000)

describe('case 1: an output never replaces a run’s history file or its lock', () => {
  it('plot --out <run>/history/step-000050.safetensors: one line, exit 2; report and analyze --step 50 still work', async () => {
    const r = copyOf(runs.r)
    const before = digest(r)
    oneLineError(
      await cli(['plot', r, '--out', path.join(r, 'history', 'step-000050.safetensors')]),
      /--out: .*step-000050\.safetensors is named as a run's weights history file, which grokscope writes itself/,
    )
    expect(digest(r)).toBe(before)
    const report = await cli(['report', r])
    expect(report.code, report.stderr).toBe(0)
    const analyze = await cli(['analyze', r, '--step', '50'])
    expect(analyze.code, analyze.stderr).toBe(0)
  })

  it('plot --out <run>/.lock and report --out <run>/.lock: one line, exit 2, no lock made', async () => {
    const r = copyOf(runs.r)
    const before = digest(r)
    for (const command of ['plot', 'report']) {
      oneLineError(await cli([command, r, '--out', path.join(r, '.lock')]), /--out: .*\.lock is named as a run folder's lock/)
    }
    expect(digest(r)).toBe(before)
  })
})

describe('case 2: a user’s weights.json or state.json in train --out is not an interrupted start', () => {
  it.each([
    ['a user’s weights.json', 'weights.json', () => '{"my":"weights"}\n'],
    ['a trained weights.json', 'weights.json', () => readFileSync(path.join(runs.other, 'weights.json'), 'utf8')],
    ['a text file named state.json', 'state.json', () => 'my notes\n'],
  ])('%s: one line, exit 2, the file untouched', async (_, name, content) => {
    const d = tmp()
    writeFileSync(path.join(d, name), content())
    const before = digest(d)
    oneLineError(
      await cli(['train', ...SMALL, '--out', d]),
      new RegExp(`--out: .* is not empty and holds no run \\(it has ${name.replace('.', '\\.')}; allowed: .*remove the folder to start again`),
    )
    expect(digest(d)).toBe(before)
  })

  it('what an interrupted start left, with its start marker, starts again, and none of it stays', async () => {
    const d = tmp()
    writeFileSync(path.join(d, START_FILE), JSON.stringify(startDocument(configOf(SMALL_RUN))))
    writeFileSync(path.join(d, 'metrics.jsonl'), '')
    writeFileSync(path.join(d, 'state.json'), '{')
    writeFileSync(path.join(d, 'weights.json.4242.tmp'), '')
    mkdirSync(path.join(d, 'history'))
    writeFileSync(path.join(d, 'history', 'step-000000.safetensors.4242.tmp'), '')
    writeFileSync(path.join(d, 'history', 'step-000000.safetensors'), 'that start’s step-0 weights')
    const r = await cli(['train', ...SMALL, '--out', d])
    expect(r.code, r.stderr).toBe(0)
    expect(readdirSync(d).sort()).toEqual(['config.json', 'curves.svg', 'metrics.jsonl', 'state.json', 'summary.json', 'weights.json'])
  })

  it('a start killed (SIGKILL) after its marker, before config.json: train again starts the run', async () => {
    const d = path.join(tmp(), 'run')
    const marker = path.join(d, START_FILE)
    let poll: NodeJS.Timeout | undefined
    const killed = await cli(['train', ...RUN, '--save-every', '50', '--out', d], {
      // The paper's model writes megabytes of state.json at its start: the kill lands among the start's writes.
      onStart: (kill) => {
        poll = setInterval(() => {
          if (existsSync(marker)) kill('SIGKILL')
        }, 1)
      },
    })
    clearInterval(poll)
    expect(killed.signal).toBe('SIGKILL')
    expect(existsSync(marker)).toBe(true)
    expect(existsSync(path.join(d, 'config.json'))).toBe(false)
    const again = await cli(['train', ...RUN, '--save-every', '50', '--out', d])
    expect(again.code, again.stderr).toBe(0)
    expect(readdirSync(path.join(d, 'history'))).toEqual(['step-000000.safetensors', 'step-000050.safetensors', 'step-000100.safetensors'])
  })

  it('a start marker that is not one (a user’s .start.json) proves nothing', async () => {
    const d = tmp()
    writeFileSync(path.join(d, START_FILE), '{"mine": true}\n')
    writeFileSync(path.join(d, 'weights.json'), '{"my":"weights"}\n')
    const before = digest(d)
    oneLineError(await cli(['train', ...SMALL, '--out', d]), /--out: .* is not empty and holds no run/)
    expect(digest(d)).toBe(before)
  })
})

describe('case 3: an output never replaces a device or a named pipe', () => {
  /** A character device like /dev/null, where this process may make one (as root). */
  const device = (file: string): boolean => {
    try {
      execFileSync('mknod', [file, 'c', '1', '3'], { stdio: 'ignore' })
      return true
    } catch {
      return false
    }
  }

  it('plot --out and report --out onto a named pipe, and onto a device where one can be made: one line, exit 2, it stays', async () => {
    const dir = tmp()
    const pipe = path.join(dir, 'pipe')
    execFileSync('mkfifo', [pipe])
    const targets: Array<[string, RegExp]> = [[pipe, /is a named pipe, which is never replaced/]]
    const dev = path.join(dir, 'dev')
    if (device(dev)) targets.push([dev, /is a device, which is never replaced/])
    for (const [target, pattern] of targets) {
      const rdev = lstatSync(target).rdev
      for (const command of ['plot', 'report']) {
        oneLineError(await cli([command, runs.r, '--out', target]), pattern)
        const s = lstatSync(target)
        expect(s.isFIFO() || s.isCharacterDevice(), `${command} --out ${target}`).toBe(true)
        expect(s.rdev).toBe(rdev)
      }
    }
  })
})

describe('case 5: train --resume never rewrites a weights.json that is not the run’s', () => {
  it.each([
    ['another run’s weights.json', () => readFileSync(path.join(runs.other, 'weights.json'), 'utf8'), /weights\.json is from op=add p=11/],
    ['garbage', () => 'garbage\n', /weights\.json is not valid JSON/],
  ])('%s: one line, exit 2, the folder untouched', async (_, content, pattern) => {
    const r = copyOf(runs.r)
    writeFileSync(path.join(r, 'weights.json'), content())
    const before = digest(r)
    oneLineError(await cli(['train', '--resume', '--steps', '150', '--threads', '1', '--no-progress', '--out', r]), pattern)
    expect(digest(r)).toBe(before)
  })
})

// How long work reaches the terminal: a status line redrawn in place on a terminal, a few lines elsewhere,
// nothing with --no-progress; and a sweep's status line through the built CLI.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type ProgressStream, statusLine, whileDoing } from '../src/progress.js'
import { cli } from './run-cli.js'

/** A stream that records what is written to it. */
const stream = (isTTY: boolean, columns = 80): ProgressStream & { text: () => string } => {
  let written = ''
  return {
    isTTY,
    columns,
    write: (s: string | Uint8Array) => {
      written += String(s)
      return true
    },
    text: () => written,
  } as ProgressStream & { text: () => string }
}

describe('a status line', () => {
  it('off a terminal, at most one line per period however often it is shown', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 200 }), (gaps) => {
        const s = stream(false)
        let t = 0
        const line = statusLine(s, true, () => t, 30_000)
        for (const gap of gaps) {
          t += gap
          line.show(`at ${t}`)
        }
        const printed = s.text().split('\n').filter((l) => l !== '')
        expect(printed.length).toBeLessThanOrEqual(1 + Math.floor(t / 30_000))
        expect(printed[0]).toBe(`at ${gaps[0]}`)
      }),
    )
  })

  it('on a terminal, one line redrawn in place, cut to the width, and cleared while other output is printed', () => {
    const s = stream(true, 40)
    let t = 0
    const line = statusLine(s, true, () => t)
    line.show('x'.repeat(100))
    expect(s.text()).toBe(`\r\x1b[K${'x'.repeat(38)}…`)
    t += 50
    line.show('too soon')
    expect(s.text()).not.toContain('too soon')
    line.print(() => s.write('a result\n'))
    line.show('after')
    expect(s.text().endsWith('\r\x1b[Ka result\n\r\x1b[Kafter')).toBe(true)
    line.stop()
    expect(s.text().endsWith('after\r\x1b[K')).toBe(true)
    expect(s.text()).not.toContain('\n\n')
  })

  it('--no-progress: nothing', () => {
    for (const tty of [true, false]) {
      const s = stream(tty)
      const line = statusLine(s, false)
      line.show('x')
      line.print(() => undefined)
      line.stop()
      expect(s.text()).toBe('')
    }
  })

  it('a slow command says what it does on a terminal, and erases it when done, also when it fails', async () => {
    const s = stream(true)
    expect(await whileDoing(s, true, 'report: writing', () => Promise.resolve(7))).toBe(7)
    expect(s.text()).toBe('\r\x1b[Kgrokscope: report: writing…\r\x1b[K')
    const failing = stream(true)
    await expect(whileDoing(failing, true, 'x', () => Promise.reject(new Error('no')))).rejects.toThrow('no')
    expect(failing.text().endsWith('\r\x1b[K')).toBe(true)
    const off = stream(false)
    await whileDoing(off, true, 'x', () => Promise.resolve(0))
    expect(off.text()).toBe('')
  })
})

describe('grokscope sweep shows its running runs', () => {
  const MODEL = ['--p', '7', '--d-model', '16', '--heads', '2', '--d-head', '8', '--d-mlp', '32', '--eval-every', '10']
  const TINY = [...MODEL, '--fracs', '0.6']
  it('off a terminal: the runs’ step, accuracies and time left on stderr, a few lines; the logs named; none with --no-progress', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'grokscope-progress-')), 's')
    const r = await cli(['sweep', '--ops', 'add,mul', '--seeds', '0', ...TINY, '--steps', '60', '--jobs', '2', '--out', out])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain(`each run's progress lines in ${path.join(out, 'logs', '<run>.log')}`)
    const status = r.stderr.split('\n').filter((l) => l !== '')
    expect(status.length).toBeGreaterThanOrEqual(1)
    expect(status.length).toBeLessThanOrEqual(2)
    expect(status[0]).toMatch(/^\[0 done, 2 running, 0 left\] (add|mul)-p7-r0\.6-s0 /)
    expect(status[0]).toMatch(/(add|mul)-p7-r0\.6-s0 \d+\/≤60 train \d\.\d{3} test \d\.\d{3} ≤ \d+ s/)
    const quiet = await cli(['sweep', '--ops', 'sub', '--seeds', '0', ...TINY, '--steps', '20', '--no-progress', '--out', out + '2'])
    expect(quiet.code, quiet.stderr).toBe(0)
    expect(quiet.stderr).toBe('')
  }, 180_000)

  it('train off a terminal: each progress line ends with the time left', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'grokscope-progress-')), 'r')
    const r = await cli(['train', ...MODEL, '--frac', '0.6', '--steps', '30', '--out', out])
    expect(r.code, r.stderr).toBe(0)
    const [header, ...lines] = r.stderr.trimEnd().split('\n')
    expect(header).toMatch(/time left$/)
    expect(lines.at(-1)).toMatch(/ 0 s$/)
  }, 120_000)
})

// Every command's --help is true: each flag its text mentions is one that command (or the command it names)
// has, defaults read as they would be typed, and the top-level help points at the page (pnpm web).
import { describe, expect, it } from 'vitest'
import { cli } from './run-cli.js'

/** A command's help: its own flags (the Options section) and its text as logical lines (wrapped descriptions joined). */
interface HelpPage {
  readonly flags: ReadonlySet<string>
  readonly lines: ReadonlyArray<string>
  readonly text: string
}

/** A help text's logical lines: a line indented deeper than an item's first line continues it. */
const logicalLines = (text: string): string[] =>
  text.split('\n').reduce<string[]>((out, line) => {
    const previous = out[out.length - 1]
    if (previous !== undefined && previous.trim() !== '' && /^ {6,}\S/.test(line) && !/^ {6,}\S/.test(previous)) {
      out[out.length - 1] = `${previous} ${line.trim()}`
    } else if (previous !== undefined && /^ {6,}\S/.test(previous) && /^ {6,}\S/.test(line) && out.length > 0) {
      out[out.length - 1] = `${previous} ${line.trim()}`
    } else out.push(line)
    return out
  }, [])

const helpPage = async (args: ReadonlyArray<string>): Promise<HelpPage> => {
  const r = await cli([...args, '--help'])
  expect(r.code, r.stderr).toBe(0)
  const options = r.stdout.split('\nOptions:\n')[1]?.split(/\n\n/)[0] ?? ''
  const flags = new Set([...options.matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]!))
  return { flags, lines: logicalLines(r.stdout), text: r.stdout }
}

/** Programs other than grokscope whose flags an example line shows (`sbatch --array=0-3 --wrap "grokscope sweep …"`). */
const FOREIGN = new Set(['sbatch', 'python', 'python3', 'pnpm', 'kubectl'])

/**
 * The flags a help line mentions, each with the command it belongs to: the page's own, the command an
 * example names (`grokscope sweep --ops …`), or the command written just before it (`train --save-every`);
 * null for another program's.
 */
const mentions = (line: string, own: string, commands: ReadonlySet<string>): Array<[string, string | null]> => {
  const words = line.split(/\s+/).map((w) => w.replace(/^[("'`]+|[)"'`,;:.]+$/g, ''))
  let context: string | null = own
  const found: Array<[string, string | null]> = []
  words.forEach((w, i) => {
    if (w === 'grokscope' && commands.has(words[i + 1] ?? '')) context = words[i + 1]!
    else if (FOREIGN.has(w) || w.endsWith('.py')) context = null
    const flag = /^(--[a-z][a-z-]*[a-z])/.exec(w)?.[1]
    if (flag === undefined) return
    const before = words[i - 1] ?? ''
    found.push([flag, commands.has(before) && words[i - 2] !== 'grokscope' ? before : context])
  })
  return found
}

describe('help texts', () => {
  it('every flag a command’s help mentions is a flag of that command (or of the command it names)', async () => {
    const root = await helpPage([])
    const commands = new Set(
      [...root.text.split('\nCommands:\n')[1]!.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]!).filter((c) => c !== 'help'),
    )
    expect([...commands]).toEqual(expect.arrayContaining(['train', 'sweep', 'results', 'analyze', 'report', 'bench', 'ops']))
    const pages = new Map<string, HelpPage>([['', root]])
    for (const c of commands) pages.set(c, await helpPage([c]))
    const wrong: string[] = []
    for (const [name, page] of pages) {
      for (const line of page.lines) {
        // The top-level help's list of commands: each line is a command's own description.
        const item = name === '' ? /^ {2}([a-z][a-z-]*) /.exec(line)?.[1] : undefined
        for (const [flag, owner] of mentions(line, item !== undefined && commands.has(item) ? item : name, commands)) {
          if (owner === null) continue
          const flags = pages.get(owner)!.flags
          if (!flags.has(flag)) wrong.push(`grokscope ${name} --help mentions ${flag}, which ${owner === '' ? 'grokscope' : owner} has not: ${line.trim()}`)
        }
      }
    }
    expect(wrong).toEqual([])
  }, 120_000)

  it('defaults and choices read as they would be typed: no JSON lists, no quoted words', async () => {
    const root = await helpPage([])
    const commands = [...root.text.split('\nCommands:\n')[1]!.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]!)
    for (const c of commands.filter((x) => x !== 'help')) {
      const page = await helpPage([c])
      for (const line of page.lines) {
        expect(line, `grokscope ${c} --help`).not.toMatch(/(default|choices): *[["{]/)
        expect(line, `grokscope ${c} --help`).not.toMatch(/(default|choices): [^)]*"/)
      }
    }
    const bench = await helpPage(['bench'])
    expect(bench.lines.find((l) => l.includes('--p <primes>'))).toMatch(/\(default: 97\)$/)
    expect(bench.lines.find((l) => l.includes('--variants <ids>'))).toMatch(/\(default: adamw,ema,ma,fast\)$/)
  }, 120_000)

  it('the top-level help points at the page (pnpm web)', async () => {
    expect((await helpPage([])).text).toMatch(/pnpm web/)
  })

  it.each(['train', 'sweep', 'report', 'results', 'analyze'])('%s has --no-progress', async (c) => {
    expect((await helpPage([c])).flags.has('--no-progress')).toBe(true)
  })

  it('sweep’s help says where each run’s folder and progress lines are, and mentions no --resume', async () => {
    const sweep = await helpPage(['sweep'])
    expect(sweep.text).toContain('<out>/<run>')
    expect(sweep.text).toContain('<out>/logs/<run>.log')
    expect(sweep.text).not.toMatch(/--resume|<out>\/history/)
  })

  it.each([['ops'], ['ops', '--json'], ['--help'], ['ops', '--help'], ['--version']])('%j ends its output with a newline', async (...args) => {
    const r = await cli(args)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/\n$/)
  })
})

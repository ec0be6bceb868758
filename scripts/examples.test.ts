// The examples' checker, on examples written here: what holds compiles and runs; a wrong import fails the type check, a
// wrong stated output or a throw fails the run, each naming the source file and the line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ROOT, checkExamples, extractExamples } from './examples.mjs'

const dirs: string[] = []
const temp = (parent: string, prefix: string): string => {
  const dir = mkdtempSync(path.join(parent, prefix))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A doc comment whose example is `lines`: they start at its line 5. */
const comment = (lines: ReadonlyArray<string>): string => ['/**', ' * What it does.', ' *', ' * @example', ...lines.map((l) => ` * ${l}`), ' *', ' * @since 0.1.0', ' */', 'export {}', ''].join('\n')

/** Checks the example of a source file outside the checkout; the modules are generated inside it, where the packages resolve. */
const check = (lines: ReadonlyArray<string>) => {
  const file = path.join(temp(tmpdir(), 'grokscope-example-'), 'Source.ts')
  writeFileSync(file, comment(lines))
  return { at: `${path.relative(ROOT, file).split(path.sep).join('/')}:`, report: checkExamples([file], temp(ROOT, '.examples-test-')) }
}

describe('extractExamples', () => {
  it('takes the lines after @example up to the next tag or the end of the comment, without the leading " * "', () => {
    const text = `${comment(['const a = 1', '', '  a  // => 1'])}/**\n * @example\n * f()\n */\n`
    expect(extractExamples('x.ts', text)).toEqual([
      { file: 'x.ts', line: 5, lines: ['const a = 1', '', '  a  // => 1'] },
      { file: 'x.ts', line: 14, lines: ['f()'] },
    ])
  })
})

describe('checkExamples', () => {
  it('compiles an example and runs it when it states an output', () => {
    const { report } = check(["import { invMod, primitiveRoot } from '@grokscope/data'", 'invMod(5, 97)  // => 39', 'primitiveRoot(97)  // => 5'])
    expect(report).toEqual({ examples: 1, runs: 1, errors: [] })
  })

  it('compiles an example without an output and does not run it', () => {
    const { report } = check(["import type { Task } from '@grokscope/data'", 'declare const task: Task', 'task.p.toFixed()'])
    expect(report).toEqual({ examples: 1, runs: 0, errors: [] })
  })

  it('fails an example that does not compile, at its line', () => {
    const { at, report } = check(["import { invMod } from '@grokscope/data'", "invMod('5', 97)"])
    expect(report.errors).toEqual([`${at}6: Argument of type 'string' is not assignable to parameter of type 'number'.\n    invMod('5', 97)`])
  })

  it('fails an example whose stated output differs, at its line', () => {
    const { at, report } = check(["import { invMod } from '@grokscope/data'", 'invMod(5, 97)  // => 39', 'invMod(3, 97)  // => 33'])
    expect(report.errors).toEqual([`${at}7: the example states 33, the code gives 65`])
  })

  it('fails an example that throws, at its first line', () => {
    const { at, report } = check(["JSON.parse('{')  // => {}"])
    expect(report.errors).toHaveLength(1)
    expect(report.errors[0]?.startsWith(`${at}5: the example throws SyntaxError`), report.errors[0]).toBe(true)
  })
})

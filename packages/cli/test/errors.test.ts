// One voice for errors: commander's own messages, usage errors and faults all leave as one
// `grokscope: error: …` line with exit code 2 (what the user typed) or 1 (a fault).
import fc from 'fast-check'
import { CommanderError } from '@commander-js/extra-typings'
import { describe, expect, it } from 'vitest'
import { UsageError } from '@grokscope/node'
import { CommandLineError, commanderMessage, failureOf } from '../src/format.js'
import { cli } from './run-cli.js'

describe('commander’s messages in the CLI’s words', () => {
  it.each([
    [
      'commander.invalidArgument',
      "error: option '--p <prime>' argument '32' is invalid. 32 is not allowed (a prime from 3 to 997)",
      '--p: 32 is not allowed (a prime from 3 to 997)',
    ],
    ['commander.invalidArgument', "error: option '--act <name>' argument 'tanh' is invalid. Allowed choices are relu, gelu.", '--act: "tanh" is not allowed (allowed: relu, gelu)'],
    [
      'commander.invalidArgument',
      "error: command-argument value '' is invalid for argument 'run'. \"\" is not allowed (a path)",
      '<run>: "" is not allowed (a path)',
    ],
    ['commander.missingMandatoryOptionValue', "error: required option '--out <dir>' not specified", '--out: required, and not given (--out <dir>; see grokscope export --help)'],
    ['commander.optionMissingArgument', "error: option '--p <prime>' argument missing", '--p: the value is missing (--p <prime>)'],
    ['commander.missingArgument', "error: missing required argument 'run'", '<run>: required, and not given (see grokscope export --help)'],
    ['commander.unknownOption', "error: unknown option '--prgress'\n(Did you mean --progress?)", '--prgress: not an option of grokscope export (did you mean --progress?)'],
    ['commander.unknownOption', "error: unknown option '--x'", '--x: not an option of grokscope export (see grokscope export --help)'],
    ['commander.excessArguments', "error: too many arguments for 'export'. Expected 1 argument but got 2.", 'too many arguments (expected 1, got 2; see grokscope export --help)'],
  ])('%s: %j', (code, message, expected) => {
    expect(commanderMessage(code, message, 'export')).toBe(expected)
  })

  it('any commander error is one line, exit code 2, whatever the value typed', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('--p <prime>', '--out <dir>', '--frac <r>'), (value, flags) => {
        const error = new CommanderError(1, 'commander.invalidArgument', `error: option '${flags}' argument '${value}' is invalid. not this`)
        const f = failureOf(new CommandLineError(error, 'train'))
        expect(f.exitCode).toBe(2)
        expect(f.text).toMatch(/^grokscope: error: --[a-z]+: /)
        expect(f.text).not.toMatch(/[\n\r\u2028\u2029]/)
      }),
    )
  })

  it('usage errors exit 2, faults 1, help and the version 0 with nothing more printed', () => {
    expect(failureOf(new UsageError('--x: no\nmore'))).toEqual({ text: 'grokscope: error: --x: no\\u000amore', exitCode: 2 })
    const fault = Object.assign(new Error("EACCES: permission denied, open 'runs/x'"), { syscall: 'open', code: 'EACCES', path: 'runs/x' })
    expect(failureOf(fault)).toEqual({
      text: 'grokscope: error: runs/x: permission denied (EACCES, open); choose a file or folder you may use, or change its permissions',
      exitCode: 1,
    })
    const other = Object.assign(new Error("ENOENT: no such file or directory, open 'runs/y'"), { syscall: 'open', code: 'ENOENT', path: 'runs/y' })
    expect(failureOf(other)).toEqual({ text: "grokscope: error: ENOENT: no such file or directory, open 'runs/y'", exitCode: 1 })
    expect(failureOf(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toEqual({ text: '', exitCode: 0 })
    expect(failureOf(new CommanderError(0, 'commander.version', '0.2.0'))).toEqual({ text: '', exitCode: 0 })
  })
})

describe('the built CLI', () => {
  it.each([
    [['train', '--p', '32'], 'grokscope: error: --p: 32 is not allowed (a prime from 3 to 997)'],
    [['export', 'x'], 'grokscope: error: --out: required, and not given (--out <dir>; see grokscope export --help)'],
    [['train', '--p'], 'grokscope: error: --p: the value is missing (--p <prime>)'],
    [['analyze'], 'grokscope: error: <run-or-weights>: required, and not given (see grokscope analyze --help)'],
    [['ops', 'extra'], 'grokscope: error: too many arguments (expected 0, got 1; see grokscope ops --help)'],
    [['sweep', '--ops', 'add', '--out', 'x', '--frob'], 'grokscope: error: --frob: not an option of grokscope sweep (see grokscope sweep --help)'],
  ])('%j: one line in the CLI’s voice, exit 2', async (args, line) => {
    const r = await cli(args)
    expect([r.code, r.stderr]).toEqual([2, `${line}\n`])
  })
})

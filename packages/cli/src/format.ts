// What the CLI prints besides the commands' own output: terminal tables, the warning line, the help's
// option descriptions, and the one error line every failure is printed as (`failureOf`: commander's own
// errors, `UsageError`s, out-of-memory and file-system faults, and bugs).
import { CommanderError, type Help, type Option } from '@commander-js/extra-typings'
import { oneLine } from '@grokscope/data'
import { UsageError, fileFaultMessage, outOfMemoryMessage } from '@grokscope/node'

// ─────────────────────────────────────────────────────────────────────────────
// tables and numbers
// ─────────────────────────────────────────────────────────────────────────────

const NUMERIC = /^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i

/** Columns two spaces apart; a column whose cells are all numbers is right-aligned. */
export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const all = [header, ...rows]
  const widths = header.map((_, j) => Math.max(...all.map((r) => (r[j] ?? '').length)))
  const right = header.map((_, j) => rows.length > 0 && rows.every((r) => NUMERIC.test(r[j] ?? '')))
  return all
    .map((r) => r.map((cell, j) => (right[j] ? cell.padStart(widths[j]!) : cell.padEnd(widths[j]!))).join('  ').trimEnd(),
    )
    .join('\n')
}

/** A number with `digits` decimals. */
export const fixed = (x: number, digits = 4): string => (Number.isFinite(x) ? x.toFixed(digits) : String(x))

/** Prints a one-line warning on stderr. */
export const warn = (message: string): void => {
  process.stderr.write(`grokscope: warning: ${oneLine(message)}\n`)
}

// ─────────────────────────────────────────────────────────────────────────────
// help
// ─────────────────────────────────────────────────────────────────────────────

/** A flag value as a user would type it: a list comma-separated, a text without quotes. */
const typed = (value: unknown): string =>
  Array.isArray(value) ? value.map(typed).join(',') : typeof value === 'string' ? value : String(value)

/**
 * An option's line in `--help`: its description, then its choices and default as they would be typed
 * (`choices: relu, gelu; default: relu`, `default: 97` for a list of one prime), where commander would
 * print JSON (`"relu"`, `[97]`).
 */
export const optionDescription = (option: Option): string => {
  const extra: string[] = []
  if (option.argChoices !== undefined) extra.push(`choices: ${option.argChoices.join(', ')}`)
  if (option.defaultValue !== undefined && (option.required || option.optional)) {
    extra.push(`default: ${option.defaultValueDescription ?? typed(option.defaultValue)}`)
  }
  return extra.length === 0 ? option.description : `${option.description} (${extra.join('; ')})`
}

/** The help configuration of every command (commander's `configureHelp`). */
export const HELP: Partial<Help> = { optionDescription }

// ─────────────────────────────────────────────────────────────────────────────
// errors
// ─────────────────────────────────────────────────────────────────────────────

/** How the CLI ends on an error: what it prints on stderr (empty: nothing) and its exit code. */
export interface Failure {
  readonly text: string
  readonly exitCode: number
}

/** The one line an error is printed as: `grokscope: error: <message>`. */
export const errorLine = (message: string): string => `grokscope: error: ${oneLine(message)}`

/** The long name of an option from its flags (`--p <prime>` → `--p`, `-V, --version` → `--version`). */
const flagName = (flags: string): string => flags.split(/[ ,|]+/).find((f) => f.startsWith('--')) ?? flags.split(' ')[0]!

/** What commander says about a value it refused (an `InvalidArgumentError`'s text, or its list of choices). */
const refusal = (value: string, reason: string): string => {
  const choices = /^Allowed choices are (.*)\.$/.exec(reason)
  return choices === null ? reason : `${oneLine(JSON.stringify(value))} is not allowed (allowed: ${choices[1]})`
}

/**
 * commander's own error message (`error: option '--p <prime>' argument '32' is invalid. 32 is not allowed
 * (…)`) in the words of every other error: the flag or argument first, then the problem and what is
 * allowed (`--p: 32 is not allowed (…)`); `command` is the command it came from (`train`), for the
 * pointer to its help.
 */
export const commanderMessage = (code: string, message: string, command: string): string => {
  const text = message.replace(/^error: /, '')
  const help = `see grokscope${command === '' ? '' : ` ${command}`} --help`
  let m: RegExpExecArray | null
  switch (code) {
    case 'commander.invalidArgument':
      if ((m = /^option '([^']*)' argument '([\s\S]*)' is invalid\. ([\s\S]*)$/.exec(text)) !== null) {
        return `${flagName(m[1]!)}: ${refusal(m[2]!, m[3]!)}`
      }
      if ((m = /^command-argument value '([\s\S]*)' is invalid for argument '([^']*)'\. ([\s\S]*)$/.exec(text)) !== null) {
        return `<${m[2]!}>: ${refusal(m[1]!, m[3]!)}`
      }
      break
    case 'commander.missingMandatoryOptionValue':
      if ((m = /^required option '([^']*)' not specified$/.exec(text)) !== null) {
        return `${flagName(m[1]!)}: required, and not given (${m[1]!}; ${help})`
      }
      break
    case 'commander.optionMissingArgument':
      if ((m = /^option '([^']*)' argument missing$/.exec(text)) !== null) return `${flagName(m[1]!)}: the value is missing (${m[1]!})`
      break
    case 'commander.missingArgument':
      if ((m = /^missing required argument '([^']*)'$/.exec(text)) !== null) return `<${m[1]!}>: required, and not given (${help})`
      break
    case 'commander.unknownOption':
      if ((m = /^unknown option '([^']*)'(?:\s*\(Did you mean (.*)\?\))?$/.exec(text)) !== null) {
        return `${m[1]!}: not an option of grokscope${command === '' ? '' : ` ${command}`} (${m[2] === undefined ? help : `did you mean ${m[2]}?`})`
      }
      break
    case 'commander.excessArguments':
      if ((m = /^too many arguments(?: for '[^']*')?\. Expected (\d+) arguments? but got (\d+)\.$/.exec(text)) !== null) {
        return `too many arguments (expected ${m[1]!}, got ${m[2]!}; ${help})`
      }
      break
    case 'commander.unknownCommand':
      if ((m = /^unknown command '([^']*)'(?:\s*\(Did you mean (.*)\?\))?$/.exec(text)) !== null) {
        return `${m[1]!}: not a command of grokscope (${m[2] === undefined ? help : `did you mean ${m[2]}?`})`
      }
      break
  }
  return text.replace(/\.$/, '')
}

/** A commander error thrown by a command (`exitOverride`), with that command's name. */
export class CommandLineError extends Error {
  constructor(
    readonly error: CommanderError,
    readonly command: string,
  ) {
    super(error.message)
  }
}

/**
 * What the CLI prints and its exit code for anything a command threw: commander's errors and
 * `UsageError`s exit 2, faults (out of memory, a file operation the system refused) exit 1, each as one
 * `errorLine`; help and the version exit 0 (commander printed them); anything else is a bug, printed
 * with its stack, exit 1.
 */
export const failureOf = (e: unknown): Failure => {
  if (e instanceof CommandLineError || e instanceof CommanderError) {
    const error = e instanceof CommandLineError ? e.error : e
    // Help and the version were printed by commander (on stderr and exit 2 when a command was missing).
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return { text: '', exitCode: 0 }
    if (error.code === 'commander.help') return { text: '', exitCode: 2 }
    return { text: errorLine(commanderMessage(error.code, error.message, e instanceof CommandLineError ? e.command : '')), exitCode: 2 }
  }
  if (e instanceof UsageError) return { text: errorLine(e.message), exitCode: 2 }
  const outOfMemory = outOfMemoryMessage(e)
  if (outOfMemory !== null) return { text: errorLine(outOfMemory), exitCode: 1 }
  // The system refused a file operation: a known fault (ENOSPC, EROFS, EACCES, ELOOP, …) said with what to do, another
  // (ENOENT, …) by its message, which names the path.
  const fault = fileFaultMessage(e)
  if (fault !== null) return { text: errorLine(fault), exitCode: 1 }
  if (e instanceof Error && typeof (e as NodeJS.ErrnoException).syscall === 'string') return { text: errorLine(e.message), exitCode: 1 }
  return { text: `grokscope: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`, exitCode: 1 }
}

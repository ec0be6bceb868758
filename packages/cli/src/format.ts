// Plain-text tables for the terminal.
import { oneLine } from '@grokscope/data'

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

// Plain-text tables for the terminal.

const NUMERIC = /^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i

/** Columns two spaces apart; a column whose cells are all numbers is right-aligned. */
export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const all = [header, ...rows]
  const widths = header.map((_, j) => Math.max(...all.map((r) => (r[j] ?? '').length)))
  const right = header.map((_, j) => rows.length > 0 && rows.every((r) => NUMERIC.test(r[j] ?? '')))
  return all.map((r) => r.map((cell, j) => (right[j] ? cell.padStart(widths[j]!) : cell.padEnd(widths[j]!))).join('  ').trimEnd()).join('\n')
}

/** A number with `digits` decimals. */
export const fixed = (x: number, digits = 4): string => (Number.isFinite(x) ? x.toFixed(digits) : String(x))

/** Text on one line: line breaks and other control characters written as `\uXXXX` (a flag value or a file can hold them). */
export const oneLine = (text: string): string =>
  Array.from(text, (ch) => {
    const code = ch.codePointAt(0) ?? 0
    return code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029 ? `\\u${code.toString(16).padStart(4, '0')}` : ch
  }).join('')

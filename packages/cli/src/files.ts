// File writes that never leave a half-written file: write beside, then rename.
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/** Writes `text` to `file` atomically (a temporary file in the same folder, then a rename). */
export const writeAtomic = (file: string, text: string): void => {
  mkdirSync(path.dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, text)
  renameSync(tmp, file)
}

/** Writes a value as JSON, atomically. */
export const writeJson = (file: string, value: unknown, indent?: number): void => writeAtomic(file, `${JSON.stringify(value, null, indent)}\n`)

/** Reads and parses a JSON file; the error names the file. */
export const readJson = (file: string): unknown => {
  if (!existsSync(file)) throw new UsageError(`${file} does not exist`)
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch (e) {
    throw new UsageError(`${file} is not valid JSON (${(e as Error).message})`)
  }
}

/** Appends one line. */
export const appendLine = (file: string, line: string): void => appendFileSync(file, `${line}\n`)

/** A problem with what the user asked for: printed as one line, exit code 2. */
export class UsageError extends Error {}

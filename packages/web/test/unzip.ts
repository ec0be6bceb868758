// Unpacks a run .zip (as the page downloads it) into a folder.
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { unzipSync } from 'fflate'

/** Writes every entry of `zip` under `dir` (a name ending in `/` is a folder); returns the entries' names, sorted. */
export const unzipTo = (zip: Uint8Array, dir: string): string[] => {
  const entries = unzipSync(zip)
  for (const [name, data] of Object.entries(entries)) {
    const file = path.join(dir, name)
    if (!file.startsWith(`${dir}${path.sep}`)) throw new Error(`zip entry ${name} is outside the folder`)
    if (name.endsWith('/')) {
      mkdirSync(file, { recursive: true })
      continue
    }
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, data)
  }
  return Object.keys(entries).sort()
}

// grokscope ops: the registered operations.
import { OPERATIONS } from '@grokscope/data'
import { table } from '../format.js'

export const opsCommand = (o: { json?: boolean }): void => {
  if (o.json === true) {
    const rows = OPERATIONS.map((op) => ({ id: op.id, formula: op.formula, family: op.family, groks_in_paper: op.groksInPaper }))
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`)
    return
  }
  const groks = (g: boolean | null) => (g === null ? '—' : g ? 'yes' : 'no')
  process.stdout.write(
    `${table(
      ['id', 'formula', 'family', 'groks at r=0.3 (paper)'],
      OPERATIONS.map((op) => [op.id, op.formula, op.family, groks(op.groksInPaper)]),
    )}\n`,
  )
  process.stdout.write('\nAny other expression in a and b also works, e.g. --op "a^3 + 2ab - b" (/ is the modular inverse).\n')
}

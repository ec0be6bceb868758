/**
 * The operations of the paper (Furuta et al., Table A.5) with stable ids,
 * plus user-defined expressions.
 *
 * @example
 * import { labelTable, resolveOperation } from '@grokscope/data'
 * const op = resolveOperation('a2+b2')  // a registered id, or an expression such as 'a^2 + b^2'
 * if (op._tag === 'Left') throw new Error(op.left.message)
 * op.right.formula                   // => 'a^2 + b^2'
 * Array.from(labelTable(op.right, 3, 0))  // => [0, 1, 1, 1, 2, 2, 1, 2, 2]
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { type Expr, type ParseError, compile, parse, print } from './Expr.js'
import { Mt19937 } from './internal/random.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** The paper's grouping of operations. */
export type Family =
  | 'elementary'
  | 'linear'
  | 'cross-term'
  | 'univariate'
  | 'sum-of-powers'
  | 'factorizable'
  | 'non-factorizable'
  | 'control'
  | 'custom'

/** An operation `(a, b) ↦ c` in ℤ_p. */
export type Operation =
  | {
      readonly _tag: 'expr'
      /** Stable id (for registered operations) or the canonical formula (for custom ones). */
      readonly id: string
      /** Canonical display formula, parseable by `parse`. */
      readonly formula: string
      readonly expr: Expr
      readonly family: Family
      /** Whether the paper reports that it groks at r = 0.3 (`null`: not reported). */
      readonly groksInPaper: boolean | null
    }
  | {
      readonly _tag: 'table'
      readonly id: 'rand'
      readonly formula: string
      readonly family: 'control'
      readonly groksInPaper: null
    }

// ─────────────────────────────────────────────────────────────────────────────
// constructors
// ─────────────────────────────────────────────────────────────────────────────

const defineExpr = (id: string, source: string, family: Family, groksInPaper: boolean | null): Operation => {
  const parsed = parse(source)
  if (E.isLeft(parsed)) throw new Error(`built-in operation ${id}: ${parsed.left.message}`)
  return { _tag: 'expr', id, formula: print(parsed.right), expr: parsed.right, family, groksInPaper }
}

/** Every operation of docs/SCIENCE.md §1 / the paper's Table A.5, in the paper's order. */
export const OPERATIONS: ReadonlyArray<Operation> = [
  defineExpr('add', 'a + b', 'elementary', true),
  defineExpr('sub', 'a - b', 'elementary', true),
  defineExpr('mul', 'a*b', 'elementary', true),
  defineExpr('div', 'a/b', 'elementary', null),
  defineExpr('2a+b', '2*a + b', 'linear', false),
  defineExpr('2a-b', '2*a - b', 'linear', false),
  defineExpr('2a+3b', '2*a + 3*b', 'linear', false),
  defineExpr('2a-3b', '2*a - 3*b', 'linear', false),
  defineExpr('ab+b', 'a*b + b', 'cross-term', false),
  defineExpr('ab-b', 'a*b - b', 'cross-term', false),
  defineExpr('ab+a+b', 'a*b + a + b', 'cross-term', true),
  defineExpr('a2+b', 'a^2 + b', 'univariate', true),
  defineExpr('a2-b', 'a^2 - b', 'univariate', false),
  defineExpr('a3+2b', 'a^3 + 2*b', 'univariate', true),
  defineExpr('a3-2b', 'a^3 - 2*b', 'univariate', true),
  ...[2, 3, 4, 5, 6, 7].map((n) => defineExpr(`a${n}+b${n}`, `a^${n} + b^${n}`, 'sum-of-powers', true)),
  defineExpr('a2-b2', 'a^2 - b^2', 'sum-of-powers', true),
  ...[2, 3, 4, 5, 6, 7].map((n) => defineExpr(`(a+b)${n}`, `(a + b)^${n}`, 'factorizable', true)),
  ...[2, 3, 4].map((n) => defineExpr(`(a-b)${n}`, `(a - b)^${n}`, 'factorizable', n === 2)),
  defineExpr('(a+b)2+a+b', '(a + b)^2 + a + b', 'factorizable', true),
  defineExpr('a2+ab+b2', 'a^2 + a*b + b^2', 'non-factorizable', false),
  defineExpr('a2+ab+b2+a', 'a^2 + a*b + b^2 + a', 'non-factorizable', false),
  defineExpr('a3+ab', 'a^3 + a*b', 'non-factorizable', false),
  defineExpr('a3+ab2+b', 'a^3 + a*b^2 + b', 'non-factorizable', false),
  { _tag: 'table', id: 'rand', formula: 'rand', family: 'control', groksInPaper: null },
]

const BY_ID: ReadonlyMap<string, Operation> = new Map(OPERATIONS.map((op) => [op.id, op]))

/** The registered operation with this id, if any. */
export const findOperation = (id: string): Operation | undefined => BY_ID.get(id)

/** A user-defined operation from an expression; its id is the canonical formula. */
export const customOperation = (source: string): E.Either<ParseError, Operation> =>
  pipe(
    parse(source),
    E.map((expr): Operation => {
      const formula = print(expr)
      return { _tag: 'expr', id: formula, formula, expr, family: 'custom', groksInPaper: null }
    }),
  )

const BY_FORMULA: ReadonlyMap<string, Operation> = new Map(OPERATIONS.map((op) => [op.formula, op]))

/**
 * A registered id, else an expression to parse; an expression whose canonical
 * formula is a registered operation's (e.g. `a+b`) resolves to that operation.
 */
export const resolveOperation = (idOrExpr: string): E.Either<ParseError, Operation> => {
  const known = findOperation(idOrExpr.trim())
  return known === undefined
    ? pipe(
        customOperation(idOrExpr),
        E.map((op) => BY_FORMULA.get(op.formula) ?? op),
      )
    : E.right(known)
}

// ─────────────────────────────────────────────────────────────────────────────
// utils
// ─────────────────────────────────────────────────────────────────────────────

/** The labels of `op` over all pairs, `table[a*p + b]`, with -1 where the pair has no label (division by zero). */
export const labelTable = (op: Operation, p: number, seed: number): Int32Array => {
  const table = new Int32Array(p * p)
  if (op._tag === 'table') {
    // The random control draws from its own stream, derived from the run seed.
    const rng = new Mt19937(seed + 0x5eed)
    for (let i = 0; i < table.length; i++) table[i] = rng.below(p)
    return table
  }
  const f = compile(op.expr, p)
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) table[a * p + b] = f(a, b) ?? -1
  }
  return table
}

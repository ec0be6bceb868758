/**
 * Expressions over `a` and `b` in a small safe grammar, evaluated exactly in ℤ_p.
 *
 * ```
 * expr    := term (('+' | '-') term)*
 * term    := unary (('*' | '/') unary | factor)*     juxtaposition multiplies: 2a, ab, a(b+1)
 * unary   := '-' unary | power
 * power   := primary ('^' integer)?
 * primary := integer | 'a' | 'b' | '(' expr ')'
 * ```
 * `x / y` is `x · y⁻¹ mod p`; a pair where `y ≡ 0` has no label and is left out.
 * Literals may be of any size, exponents up to `MAX_EXPONENT` (2^53 − 1);
 * expressions are at most `MAX_EXPRESSION_LENGTH` long (written and printed) and
 * nested at most `MAX_NESTING` deep, so that `parse` always returns, with a tree
 * or a one-line error.
 *
 * @example
 * import { parse, print } from '@grokscope/data'
 * const e = parse('a^3 + 2ab - b')
 * if (e._tag === 'Left') throw new Error(e.left.message)
 * print(e.right)  // => 'a^3 + 2*a*b - b'
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { invMod, powMod } from './Modular.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/** An expression tree. Integer literals are non-negative; signs are `neg` nodes. */
export type Expr =
  | { readonly _tag: 'int'; readonly value: bigint }
  | { readonly _tag: 'var'; readonly name: 'a' | 'b' }
  | { readonly _tag: 'neg'; readonly arg: Expr }
  | { readonly _tag: 'pow'; readonly base: Expr; readonly exponent: number }
  | { readonly _tag: 'bin'; readonly op: BinOp; readonly left: Expr; readonly right: Expr }

/** The binary operators: `/` multiplies by the modular inverse. */
export type BinOp = '+' | '-' | '*' | '/'

/** A parse failure: what went wrong and the 1-based column where it did. */
export interface ParseError {
  readonly message: string
  readonly column: number
  readonly source: string
}

/** The largest exponent accepted, 2^53 − 1 (exponentiation is by squaring: at most 53 steps, whatever the size). */
export const MAX_EXPONENT = Number.MAX_SAFE_INTEGER

/**
 * The longest expression accepted, in UTF-16 code units, both as written and as
 * printed (its canonical formula): it bounds the tree, whose evaluation costs its
 * size per pair, and a printed formula always parses back.
 */
export const MAX_EXPRESSION_LENGTH = 1_000

/** The deepest nesting of parentheses and signs accepted, so that parsing never exhausts the stack. */
export const MAX_NESTING = 100

// ─────────────────────────────────────────────────────────────────────────────
// constructors
// ─────────────────────────────────────────────────────────────────────────────

/** An integer literal. */
export const int = (value: bigint | number): Expr => ({ _tag: 'int', value: BigInt(value) })
/** The variable `a` or `b`. */
export const variable = (name: 'a' | 'b'): Expr => ({ _tag: 'var', name })
/** Negation. */
export const neg = (arg: Expr): Expr => ({ _tag: 'neg', arg })
/** `base ^ exponent` with a non-negative integer exponent. */
export const pow = (base: Expr, exponent: number): Expr => ({ _tag: 'pow', base, exponent })
/** A binary operation. */
export const bin = (op: BinOp, left: Expr, right: Expr): Expr => ({ _tag: 'bin', op, left, right })

// ─────────────────────────────────────────────────────────────────────────────
// parsing
// ─────────────────────────────────────────────────────────────────────────────

type Token =
  | { readonly kind: 'int'; readonly value: bigint; readonly column: number }
  | { readonly kind: 'var'; readonly name: 'a' | 'b'; readonly column: number }
  | { readonly kind: 'sym'; readonly sym: '+' | '-' | '*' | '/' | '^' | '(' | ')'; readonly column: number }
  | { readonly kind: 'end'; readonly column: number }

class Failure extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message)
  }
}

const ALLOWED = "integers, a, b, + - * / ^ and parentheses"

/** Visible characters as themselves; anything else (controls, line breaks, unusual spaces, lone surrogates) is escaped. */
const PRINTABLE = /[\p{L}\p{N}\p{P}\p{S}]/u

const codePoint = (ch: string): string => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`

/** One character for a message: `'c'`, or its code point (`U+000A`) when it would not print on one line. */
const showChar = (ch: string): string => (PRINTABLE.test(ch) ? `'${ch}'` : codePoint(ch))

/** An integer for a message, shortened when it is long: `'12345678…6789' (40 digits)`. */
const showInt = (v: bigint): string => {
  const s = v.toString()
  return s.length <= 24 ? `'${s}'` : `'${s.slice(0, 8)}…${s.slice(-4)}' (${s.length} digits)`
}

const tokenize = (src: string): Token[] => {
  const out: Token[] = []
  let i = 0
  while (i < src.length) {
    const ch = String.fromCodePoint(src.codePointAt(i)!)
    const column = i + 1
    if (ch === ' ' || ch === '\t') {
      i++
    } else if (ch >= '0' && ch <= '9') {
      let j = i
      while (j < src.length && src[j]! >= '0' && src[j]! <= '9') j++
      out.push({ kind: 'int', value: BigInt(src.slice(i, j)), column })
      i = j
    } else if (ch === 'a' || ch === 'b') {
      out.push({ kind: 'var', name: ch, column })
      i++
    } else if ('+-*/^()'.includes(ch)) {
      out.push({ kind: 'sym', sym: ch as '+', column })
      i++
    } else {
      throw new Failure(`unexpected character ${showChar(ch)} (allowed: ${ALLOWED})`, column)
    }
  }
  out.push({ kind: 'end', column: src.length + 1 })
  return out
}

const describe = (t: Token): string =>
  t.kind === 'end' ? 'end of input' : t.kind === 'int' ? showInt(t.value) : t.kind === 'var' ? `'${t.name}'` : `'${t.sym}'`

class Parser {
  private i = 0
  private depth = 0
  constructor(private readonly tokens: ReadonlyArray<Token>) {}

  /** Parses one nested level (after a sign or inside parentheses), refusing to go deeper than `MAX_NESTING`. */
  private nested<A>(column: number, f: () => A): A {
    if (++this.depth > MAX_NESTING) throw new Failure(`parentheses and signs are nested more than ${MAX_NESTING} deep`, column)
    const a = f()
    this.depth--
    return a
  }

  private peek(): Token {
    return this.tokens[this.i]!
  }

  private isSym(sym: string): boolean {
    const t = this.peek()
    return t.kind === 'sym' && t.sym === sym
  }

  parseAll(): Expr {
    const e = this.expr()
    const t = this.peek()
    if (t.kind !== 'end') {
      throw new Failure(
        t.kind === 'sym' && t.sym === ')' ? "unmatched ')'" : `unexpected ${describe(t)} after a complete expression`,
        t.column,
      )
    }
    return e
  }

  private expr(): Expr {
    let left = this.term()
    while (this.isSym('+') || this.isSym('-')) {
      const op = (this.tokens[this.i++] as { sym: '+' | '-' }).sym
      left = bin(op, left, this.term())
    }
    return left
  }

  private term(): Expr {
    let left = this.unary()
    for (;;) {
      if (this.isSym('*') || this.isSym('/')) {
        const op = (this.tokens[this.i++] as { sym: '*' | '/' }).sym
        left = bin(op, left, this.unary())
      } else if (this.peek().kind === 'var' || this.isSym('(')) {
        left = bin('*', left, this.power())
      } else {
        return left
      }
    }
  }

  private unary(): Expr {
    if (this.isSym('-')) {
      const column = this.peek().column
      this.i++
      return neg(this.nested(column, () => this.unary()))
    }
    return this.power()
  }

  private power(): Expr {
    const base = this.primary()
    if (!this.isSym('^')) return base
    this.i++
    const t = this.peek()
    if (t.kind !== 'int') {
      throw new Failure(`the exponent after '^' must be a non-negative integer, got ${describe(t)}`, t.column)
    }
    if (t.value > BigInt(MAX_EXPONENT)) {
      throw new Failure(`the exponent ${showInt(t.value)} is too large (at most 2^53 - 1 = ${MAX_EXPONENT})`, t.column)
    }
    this.i++
    if (this.isSym('^')) {
      throw new Failure("chained '^' is ambiguous; add parentheses, e.g. (a^2)^3", this.peek().column)
    }
    return pow(base, Number(t.value))
  }

  private primary(): Expr {
    const t = this.peek()
    this.i++
    switch (t.kind) {
      case 'int':
        return int(t.value)
      case 'var':
        return variable(t.name)
      case 'sym':
        if (t.sym === '(') {
          const e = this.nested(t.column, () => this.expr())
          const close = this.peek()
          if (close.kind !== 'sym' || close.sym !== ')') {
            throw new Failure(`expected ')' to close the '(' at column ${t.column}, got ${describe(close)}`, close.column)
          }
          this.i++
          return e
        }
        throw new Failure(`expected a number, a, b or '(', got ${describe(t)}`, t.column)
      case 'end':
        throw new Failure(`unexpected end of input (expected a number, a, b or '(')`, t.column)
    }
  }
}

/**
 * Parses an expression; a malformed one gives a one-line message and the column
 * of the problem. Never throws: an expression longer than `MAX_EXPRESSION_LENGTH`
 * (as written or as printed) or nested deeper than `MAX_NESTING` is an error too.
 */
export const parse = (source: string): E.Either<ParseError, Expr> => {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    return E.left({
      message: `the expression is ${source.length} characters long (at most ${MAX_EXPRESSION_LENGTH})`,
      column: MAX_EXPRESSION_LENGTH + 1,
      source,
    })
  }
  if (source.trim() === '') return E.left({ message: 'empty expression', column: 1, source })
  try {
    const e = new Parser(tokenize(source)).parseAll()
    const printed = print(e).length
    return printed > MAX_EXPRESSION_LENGTH
      ? E.left({
          message: `the expression is ${printed} characters long once printed as a formula (at most ${MAX_EXPRESSION_LENGTH})`,
          column: 1,
          source,
        })
      : E.right(e)
  } catch (e) {
    if (e instanceof Failure) return E.left({ message: e.message, column: e.column, source })
    throw e
  }
}

const SOURCE_WINDOW = 60

/** The source for a one-line message: at most `SOURCE_WINDOW` characters around the column, invisible ones escaped. */
const excerpt = (source: string, column: number): string => {
  const start = source.length <= SOURCE_WINDOW ? 0 : Math.max(0, Math.min(column - 1 - SOURCE_WINDOW / 2, source.length - SOURCE_WINDOW))
  const end = Math.min(source.length, start + SOURCE_WINDOW)
  const shown = Array.from(source.slice(start, end), (ch) =>
    ch === ' ' || PRINTABLE.test(ch) ? ch : `\\u{${ch.codePointAt(0)!.toString(16)}}`,
  ).join('')
  return `${start > 0 ? '…' : ''}${shown}${end < source.length ? '…' : ''}`
}

/** A one-line rendering of a parse error: `column 5: unexpected ')' in "a + )"` (long sources shortened around the column). */
export const formatParseError = (e: ParseError): string => `column ${e.column}: ${e.message} in "${excerpt(e.source, e.column)}"`

// ─────────────────────────────────────────────────────────────────────────────
// printing
// ─────────────────────────────────────────────────────────────────────────────

const precedence = (e: Expr): number => {
  switch (e._tag) {
    case 'bin':
      return e.op === '+' || e.op === '-' ? 1 : 2
    case 'neg':
      return 3
    case 'pow':
      return 4
    case 'int':
    case 'var':
      return 5
  }
}

const wrap = (s: string, yes: boolean): string => (yes ? `(${s})` : s)

/**
 * The canonical display formula: `parse(print(e))` gives back `e` exactly
 * (binary operators are left-associative; parentheses appear only where needed).
 */
export const print = (e: Expr): string => {
  switch (e._tag) {
    case 'int':
      return e.value.toString()
    case 'var':
      return e.name
    case 'neg':
      return `-${wrap(print(e.arg), precedence(e.arg) < 3)}`
    case 'pow':
      return `${wrap(print(e.base), precedence(e.base) < 5)}^${e.exponent}`
    case 'bin': {
      const p = precedence(e)
      const left = wrap(print(e.left), precedence(e.left) < p)
      const right = wrap(print(e.right), precedence(e.right) <= p)
      return p === 1 ? `${left} ${e.op} ${right}` : `${left}${e.op}${right}`
    }
  }
}

// ─────────────────────────────────────────────────────────────────────────────
// evaluation
// ─────────────────────────────────────────────────────────────────────────────

/** A compiled evaluator: the residue of the expression, or `undefined` where it divides by zero. */
export type Evaluator = (a: number, b: number) => number | undefined

/**
 * Compiles `e` to an exact evaluator in ℤ_p, for prime `p < 2^26` (every
 * intermediate value stays below 2^52), taking residues `a, b ∈ [0, p)`.
 * Exponents of any size up to `MAX_EXPONENT` are first reduced mod `p − 1`
 * (Fermat); a hand-built `pow` node with another exponent is a `RangeError` here.
 */
export const compile = (e: Expr, p: number): Evaluator => {
  switch (e._tag) {
    case 'int': {
      const v = Number(e.value % BigInt(p))
      return () => v
    }
    case 'var':
      return e.name === 'a' ? (a) => a % p : (_, b) => b % p
    case 'neg': {
      const f = compile(e.arg, p)
      return (a, b) => {
        const x = f(a, b)
        return x === undefined ? undefined : (p - x) % p
      }
    }
    case 'pow': {
      if (!Number.isSafeInteger(e.exponent) || e.exponent < 0) {
        throw new RangeError(`compile: the exponent must be a safe integer ≥ 0, got ${e.exponent}`)
      }
      // Fermat: x^n = x^n' with n' = ((n − 1) mod (p − 1)) + 1 for n ≥ 1 (also for x = 0), so at most p − 1.
      const n = e.exponent === 0 ? 0 : ((e.exponent - 1) % (p - 1)) + 1
      const f = compile(e.base, p)
      return (a, b) => {
        const x = f(a, b)
        return x === undefined ? undefined : powMod(x, n, p)
      }
    }
    case 'bin': {
      const l = compile(e.left, p)
      const r = compile(e.right, p)
      const op = e.op
      return (a, b) => {
        const x = l(a, b)
        const y = r(a, b)
        if (x === undefined || y === undefined) return undefined
        switch (op) {
          case '+':
            return (x + y) % p
          case '-':
            return (x - y + p) % p
          case '*':
            return (x * y) % p
          case '/': {
            const inv = invMod(y, p)
            return inv === undefined ? undefined : (x * inv) % p
          }
        }
      }
    }
  }
}

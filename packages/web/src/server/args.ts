// The flags of `pnpm web`: --port <n> (0 to 65535; 0: a free port) and --host <address>,
// as `--flag value` or `--flag=value`. Anything else is one line naming it and what is allowed.
import * as E from 'fp-ts/lib/Either.js'

/** What `pnpm web` was asked for. */
export interface WebArgs {
  readonly port: number
  readonly host: string
}

/** The defaults: port 8023 on the loopback address. */
export const WEB_DEFAULTS: WebArgs = { port: 8023, host: '127.0.0.1' }

const FLAGS = ['--port', '--host'] as const

const USAGE = 'allowed: --port <0 to 65535> and --host <address>'

/** A value as a message shows it: quoted, on one line. */
const quote = (v: string): string => JSON.stringify(v).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`)

const portOf = (v: string): E.Either<string, number> =>
  /^\d+$/.test(v) && Number(v) <= 65535 ? E.right(Number(v)) : E.left(`--port: ${quote(v)} is not allowed (an integer from 0 to 65535)`)

/** The flags after `node main.js`; `Left` is one line: an unknown flag, a missing value, a port out of range. */
export const parseWebArgs = (argv: ReadonlyArray<string>): E.Either<string, WebArgs> => {
  let args: WebArgs = WEB_DEFAULTS
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const eq = arg.indexOf('=')
    const flag = eq < 0 ? arg : arg.slice(0, eq)
    if (!(FLAGS as ReadonlyArray<string>).includes(flag)) return E.left(`${quote(arg)} is not a flag of grokscope web (${USAGE})`)
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1)
    if (value === undefined) return E.left(`${flag} needs a value (${USAGE})`)
    if (flag === '--port') {
      const port = portOf(value)
      if (E.isLeft(port)) return port
      args = { ...args, port: port.right }
    } else {
      if (value.trim() === '') return E.left(`--host: an empty address is not allowed (e.g. 127.0.0.1, or 0.0.0.0 for every interface)`)
      args = { ...args, host: value }
    }
  }
  return E.right(args)
}

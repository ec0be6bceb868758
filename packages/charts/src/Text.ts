/**
 * Text in generated HTML and SVG: escaping, numbers as ticks and tooltips show them,
 * and links that stay relative and inside the page's folder.
 *
 * @example
 * import { esc, relativeHref } from '@grokscope/charts'
 * esc('<a & "b">')  // => '&lt;a &amp; &quot;b&quot;&gt;'
 * relativeHref('javascript:alert(3)/report.html')  // => './javascript%3Aalert%283%29/report.html'
 *
 * @since 0.1.0
 */

/** Escapes text for HTML and SVG content and (double- or single-quoted) attributes. */
export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')

/**
 * A relative link to a file below the page's folder, from its `/`-separated path: `./` first and
 * every segment URL-encoded, so that no folder name can make a scheme (`javascript:`), a query,
 * a fragment or a parent step. The result still needs `esc` inside an attribute.
 */
export const relativeHref = (relative: string): string =>
  `./${relative
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/')}`

/** A number as a tick or tooltip shows it: 4 significant digits, exponent form below 1e-3 or from 1e5. */
export const fmt = (x: number): string => {
  if (!Number.isFinite(x)) return String(x)
  if (x === 0) return '0'
  const a = Math.abs(x)
  return a >= 1e5 || a < 1e-3 ? x.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e') : Number(x.toPrecision(4)).toString()
}

/** The label of the tick at 10^e: plain from 0.01 to 1000 (`0.01`, `0.1`, `1`, `10`), else `1e-3`, `1e4`. */
export const pow10Label = (e: number): string => (e >= -2 && e <= 3 ? (10 ** e).toFixed(Math.max(0, -e)) : `1e${e}`)

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹'

/** 10^e with a superscript exponent: `10⁻³`, `10⁰`, `10⁴`. */
export const pow10Sup = (e: number): string => `10${String(e).replace('-', '⁻').replace(/\d/g, (d) => SUPERSCRIPT[Number(d)]!)}`

/**
 * The labels of an axis whose ticks are the decades `lo` to `hi`: plain (`0.01` … `1000`, `pow10Label`)
 * when every one is in that range, else all `10ᵏ` (`pow10Sup`), so that one axis never mixes `0.01` and `1e-3`.
 */
export const decadeLabels = (lo: number, hi: number): ((e: number) => string) => (lo >= -2 && hi <= 3 ? pow10Label : pow10Sup)

/** A number with at most two decimals, for coordinates. */
export const n1 = (x: number): string => (Math.round(x * 100) / 100).toString()

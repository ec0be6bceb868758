/**
 * UTF-8 without the platform's TextEncoder/TextDecoder (not in the ES library the
 * packages compile against). Internal.
 *
 * @since 0.1.0
 */

/** The UTF-8 bytes of a string (a lone surrogate becomes U+FFFD, as TextEncoder does). */
export const utf8Encode = (s: string): Uint8Array => {
  const out: number[] = []
  for (const ch of s) {
    let c = ch.codePointAt(0)!
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd
    if (c < 0x80) out.push(c)
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63))
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63))
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63))
  }
  return Uint8Array.from(out)
}

/**
 * The string of UTF-8 bytes, or undefined if they are not well-formed UTF-8 (overlong forms, surrogates and truncated
 * sequences included).
 */
export const utf8Decode = (bytes: Uint8Array): string | undefined => {
  const parts: string[] = []
  let chunk: number[] = []
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!
    const n = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1
    if (n < 0) return undefined
    let c = n === 0 ? b : b & (0x3f >> n)
    for (let k = 1; k <= n; k++) {
      const x = bytes[i + k]
      if (x === undefined || (x & 0xc0) !== 0x80) return undefined
      c = (c << 6) | (x & 63)
    }
    if ((n === 2 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) || (n === 3 && (c < 0x10000 || c > 0x10ffff))) return undefined
    chunk.push(c)
    if (chunk.length >= 8192) {
      parts.push(String.fromCodePoint(...chunk))
      chunk = []
    }
    i += n + 1
  }
  parts.push(String.fromCodePoint(...chunk))
  return parts.join('')
}

// Base64 of bytes without Node's Buffer or the browser's btoa, so the package runs anywhere.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const INDEX = new Int16Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) INDEX[ALPHABET.charCodeAt(i)] = i

/** RFC 4648 base64 with padding. */
export const encodeBase64 = (bytes: Uint8Array): string => {
  const chunks: string[] = []
  let line = ''
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b, c] = [bytes[i]!, bytes[i + 1], bytes[i + 2]]
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0)
    line +=
      ALPHABET[(n >> 18) & 63]! +
      ALPHABET[(n >> 12) & 63]! +
      (b === undefined ? '=' : ALPHABET[(n >> 6) & 63]!) +
      (c === undefined ? '=' : ALPHABET[n & 63]!)
    if (line.length >= 8192) {
      chunks.push(line)
      line = ''
    }
  }
  chunks.push(line)
  return chunks.join('')
}

/** How many bytes padded base64 text holds (without decoding it); `null` when its length or padding is not base64's. */
export const base64Length = (text: string): number | null => {
  if (text.length % 4 !== 0) return null
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0
  return (text.length / 4) * 3 - pad
}

/** The bytes of padded base64 text; `null` when it is not valid base64. */
export const decodeBase64 = (text: string): Uint8Array | null => {
  if (text.length % 4 !== 0) return null
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0
  const out = new Uint8Array((text.length / 4) * 3 - pad)
  let o = 0
  for (let i = 0; i < text.length; i += 4) {
    let n = 0
    for (let j = 0; j < 4; j++) {
      const ch = text.charCodeAt(i + j)
      const last = i + 4 === text.length
      if (ch === 61 && last && j >= 4 - pad) {
        n <<= 6
        continue
      }
      const v = ch < 128 ? INDEX[ch]! : -1
      if (v < 0) return null
      n = (n << 6) | v
    }
    if (o < out.length) out[o++] = (n >> 16) & 255
    if (o < out.length) out[o++] = (n >> 8) & 255
    if (o < out.length) out[o++] = n & 255
  }
  return out
}

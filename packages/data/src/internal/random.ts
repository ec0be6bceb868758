// Seeded randomness (internal)

/**
 * MT19937 seeded exactly like CPython's `random.Random(seed)` for an integer
 * seed, so that a shuffle here equals `random.Random(seed).shuffle(...)` in the
 * PyTorch reference (same train/test split for the same seed).
 */
export class Mt19937 {
  private readonly mt = new Uint32Array(624)
  private index = 625

  constructor(seed: number) {
    const key: number[] = []
    let n = BigInt(Math.abs(Math.trunc(seed)))
    do {
      key.push(Number(n & 0xffffffffn))
      n >>= 32n
    } while (n > 0n)
    this.initByArray(key)
  }

  private initGenrand(s: number): void {
    const mt = this.mt
    mt[0] = s >>> 0
    for (let i = 1; i < 624; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30)
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0
    }
    this.index = 624
  }

  private initByArray(key: ReadonlyArray<number>): void {
    const mt = this.mt
    this.initGenrand(19650218)
    let i = 1
    let j = 0
    for (let k = Math.max(624, key.length); k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30)
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1664525)) + key[j]! + j) >>> 0
      i++
      j++
      if (i >= 624) {
        mt[0] = mt[623]!
        i = 1
      }
      if (j >= key.length) j = 0
    }
    for (let k = 623; k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30)
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1566083941)) - i) >>> 0
      i++
      if (i >= 624) {
        mt[0] = mt[623]!
        i = 1
      }
    }
    mt[0] = 0x80000000
  }

  /** The next 32-bit output, as CPython's `genrand_uint32`. */
  nextUint32(): number {
    const mt = this.mt
    if (this.index >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % 624]! & 0x7fffffff)
        mt[k] = (mt[(k + 397) % 624]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0)) >>> 0
      }
      this.index = 0
    }
    let y = mt[this.index++]!
    y ^= y >>> 11
    y ^= (y << 7) & 0x9d2c5680
    y ^= (y << 15) & 0xefc60000
    y ^= y >>> 18
    return y >>> 0
  }

  /** A uniform integer in `[0, n)` for `1 <= n < 2^32`, as CPython's `_randbelow`. */
  below(n: number): number {
    const width = n.toString(2).length
    for (;;) {
      const r = this.nextUint32() >>> (32 - width)
      if (r < n) return r
    }
  }
}

/** Shuffles in place exactly as CPython's `random.shuffle`; returns the array. */
export const shuffleInPlace = <A extends { length: number; [i: number]: unknown }>(rng: Mt19937, xs: A): A => {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.below(i + 1)
    const t = xs[i]
    xs[i] = xs[j]
    xs[j] = t
  }
  return xs
}

// Flag values the CLI parses itself (the rules are the libraries'; the syntax is the command line's).
import { describe, expect, it } from 'vitest'
import { primes } from '../src/flags.js'

describe('bench --p', () => {
  it('takes one prime or a comma-separated list of them', () => {
    expect(primes('97')).toEqual([97])
    expect(primes('97,199, 401,997')).toEqual([97, 199, 401, 997])
    expect(() => primes('97,91')).toThrow('a prime from 3 to 997')
    expect(() => primes('97,,199')).toThrow('comma-separated list')
  })
})

import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'charts',
    include: ['test/**/*.test.ts'],
    // Property runs on a busy 2-core machine: 5 s (vitest's default) is too tight.
    testTimeout: 30_000,
  },
})

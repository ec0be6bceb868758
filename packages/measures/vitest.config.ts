import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'measures',
    include: ['test/**/*.test.ts'],
    // Thousands of property runs or a CLI process per test: 5 s (vitest's default) is too tight on a busy 2-core machine.
    testTimeout: 30_000,
  },
})

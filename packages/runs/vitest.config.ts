import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'runs',
    include: ['test/**/*.test.ts'],
    // Property runs over whole documents and training sessions: 5 s (vitest's default) is too tight on a busy 2-core machine.
    testTimeout: 60_000,
    setupFiles: ['../../test-support/backend.ts'],
  },
})

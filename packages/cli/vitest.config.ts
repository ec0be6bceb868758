import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'cli',
    include: ['test/**/*.test.ts'],
    // A timeout here detects a hang, it does not bound speed (benchmarks do): tests that start CLI
    // processes took up to 26 s at a load average of 13 on 2 cores, so 30 s failed on a busier machine.
    testTimeout: 120_000,
    setupFiles: ['../../test-support/backend.ts'],
  },
})

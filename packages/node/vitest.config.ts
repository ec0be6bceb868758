import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'node',
    include: ['test/**/*.test.ts'],
    // A timeout here detects a hang, it does not bound speed (benchmarks do): tests that train in worker
    // threads or start processes took tens of seconds at a load average of 13 on 2 cores.
    testTimeout: 120_000,
    setupFiles: ['../../test-support/backend.ts'],
  },
})

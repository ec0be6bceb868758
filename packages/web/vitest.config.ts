import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'web',
    include: ['test/**/*.test.ts'],
    setupFiles: ['../../test-support/backend.ts'],
  },
})

import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: ['packages/*', { test: { name: 'scripts', include: ['scripts/**/*.test.ts'], testTimeout: 60_000 } }],
    globalSetup: ['test-support/build.ts'],
  },
})

import { defineConfig } from 'vitest/config';

// Browser journeys in Debian's chromium (driven by playwright-core). Needs the built UI
// (`npm run build`) and /usr/bin/chromium; `.ci/run` provides both.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    pool: 'forks',
    testTimeout: 90_000,
    hookTimeout: 120_000,
    maxWorkers: 1,
  },
});

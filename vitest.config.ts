// Test runner settings: suites live in test/<folder>/; property tests print their seed.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous: on two cores the explorer's worker threads and the property suites run beside
    // the other files, and a slow run must not read as a failure (a hang still ends in 3 min).
    testTimeout: 180_000,
    hookTimeout: 180_000,
    maxWorkers: 2,
    // Messages are values: the simulator deep-freezes each one it is handed, so a change throws.
    env: { SAMSA_FREEZE_MESSAGES: '1' },
  },
});

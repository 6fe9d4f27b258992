import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Set by scripts/coverage.mjs: processes the tests spawn (CLI, supervisor, workers run dist/)
// preload scripts/coverage-preload.cjs, which writes their V8 coverage of dist/ to this folder;
// that script maps it back to src/ and adds it to vitest's own.
const childCoverage = process.env.STICKY_CHILD_COVERAGE;
const preload = fileURLToPath(new URL('./scripts/coverage-preload.cjs', import.meta.url));

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests start real process trees; on 2 cores more files at once only adds contention.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 30_000,
    env: childCoverage ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${preload}`.trim() } : {},
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', ['json', { file: 'in-process.json' }]],
      reportsDirectory: 'coverage/vitest',
      reportOnFailure: true,
      // What `vitest run --coverage` (npm test) sees: the code the test workers import, 67% of
      // src/ lines in the whole suite; lines run only in spawned processes (CLI, supervisor,
      // workers) count in `npm run coverage:all`.
      thresholds: { lines: 65 },
    },
  },
});

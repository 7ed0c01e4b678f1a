import { defineConfig } from 'vitest/config';

// Tests read every workspace package from src through the @ocx/source export condition: no build step.
export default defineConfig({
  resolve: { conditions: ['@ocx/source', 'import', 'node', 'default'] },
  ssr: { resolve: { conditions: ['@ocx/source', 'import', 'node', 'default'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});

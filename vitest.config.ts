import { defineConfig } from 'vitest/config';

/**
 * Test projects:
 * - unit: `*.test.ts` — fast, and tests that reach external databases (connectors) whatever Lawful runs on.
 * - pglite / postgres: `*.int.test.ts` — the server over HTTP, once on embedded PGlite, once on the real PostgreSQL.
 * - browser: `*.browser.test.ts` — real Chromium through playwright-core.
 */
const exclude = ['**/node_modules/**', '**/dist/**'];
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: process.env.CI ? ['default'] : ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: [...exclude, '**/*.int.test.ts', '**/*.browser.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'pglite',
          include: ['**/*.int.test.ts'],
          exclude,
          env: { LAWFUL_TEST_DB: 'pglite' },
          globalSetup: ['apps/server/test/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: ['**/*.int.test.ts'],
          exclude,
          env: { LAWFUL_TEST_DB: 'postgres' },
          globalSetup: ['apps/server/test/global-setup.ts'],
          setupFiles: ['apps/server/test/pg-one-statement.setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['**/*.browser.test.ts'],
          exclude,
          fileParallelism: false,
        },
      },
    ],
  },
});

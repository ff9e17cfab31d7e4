import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file starts its own emulators and embedded Postgres; two cores run two files at once.
    maxWorkers: 2,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // One graphql for everything, as under Node: the packages (graphql-tools, graphql-shield,
  // Apollo) load its CommonJS build, and Vite would hand the files it transforms (src/, test/) the
  // ESM build, a second copy whose schema objects the first refuses ("from another module or realm").
  resolve: { alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }] },
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // Hooks start servers, and e2e hooks whole `switchyard` processes (4-5 s of CPU each, far more
    // while the other worker does the same on a loaded two-core machine): a timeout here only
    // ever ends a run that would fail anyway, so it is generous.
    hookTimeout: 240_000,
    // Each file starts its own emulators and embedded Postgres; two cores run two files at once.
    maxWorkers: 2,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});

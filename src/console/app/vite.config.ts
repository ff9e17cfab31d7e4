// The operator console's build (issue 15): `npm run build:console`, or src/build.mjs with the server.
// Output to <repo>/dist/console, served by Switchyard under /console/ with a strict CSP
// (script-src 'self'; style-src 'self'): no inline script (no modulepreload polyfill), no
// data: fonts (font-src 'self'), nothing from elsewhere.
import react from '@vitejs/plugin-react';
import path from 'node:path';
import { defineConfig } from 'vite';

const here = import.meta.dirname;

export default defineConfig({
  root: here,
  base: '/console/',
  plugins: [react()],
  resolve: {
    // Radix's scroll lock (GraphiQL's dialogs) appends a <style> element, which the CSP refuses:
    // this one puts the same rules in a constructed stylesheet instead.
    alias: { 'react-style-singleton': path.join(here, 'style-singleton.ts') },
  },
  build: {
    outDir: path.resolve(here, '../../../dist/console'),
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2000,
    reportCompressedSize: false,
    rolldownOptions: {
      // react-compiler-runtime (GraphiQL's) opens with "use no memo", which means nothing in a bundle.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
});

// The operator console's build (issue 15): `npm run build:console`, or src/build.mjs with the server.
// Output to <repo>/dist/console, served by Switchyard under /console/ with a strict CSP
// (script-src 'self'; style-src 'self'): no inline script (no modulepreload polyfill), no
// data: fonts (font-src 'self'), nothing from elsewhere.
import react from '@vitejs/plugin-react';
import path from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const here = import.meta.dirname;

/**
 * GraphiQL's stylesheet carries its fonts (Roboto, Fira Code) as data: URLs, which font-src 'self'
 * refuses: its @font-face rules are dropped and its font stacks become the system's.
 */
function systemFonts(): Plugin {
  return {
    name: 'switchyard-system-fonts',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]node_modules[\\/](graphiql|@graphiql)[\\/].*\.css$/.test(id)) return null;
      return code
        .replace(/@font-face\s*\{[^}]*\}/g, '')
        .replace(/"Roboto",\s*sans-serif/g, "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif")
        .replace(/"Fira Code",\s*monospace/g, 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace');
    },
  };
}

export default defineConfig({
  root: here,
  base: '/console/',
  plugins: [react(), systemFonts()],
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

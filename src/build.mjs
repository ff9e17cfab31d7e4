// `npm run build`: src/ and resolvers/ to JavaScript in dist/, so production loads no compiler.
// File by file, not one bundle: every module keeps its relative place, so what it finds through
// import.meta.url (schema/ from src/schema.ts, the migrations beside src/connectors/store/migrate.ts,
// `graphql` through createRequire) is where the sources have it, and the files read at run time
// (schema/*.graphql, *.sql) are copied to the same places. esbuild transpiles (about half a second);
// types are checked by `npm run typecheck`, not here.
//
// `--if-stale` (npm start, npm install) does nothing when dist/ is current (see src/dist.mjs).
import { build } from 'esbuild';
import { cpSync, existsSync, readdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DIST, ROOT, SOURCES, STAMP, distIsCurrent } from './dist.mjs';

if (process.argv.includes('--if-stale') && distIsCurrent()) process.exit(0);

const started = new Date();
const CONSOLE_APP = path.join('src', 'console', 'app') + path.sep;
// Built beside dist/ and swapped in whole, so a process starting meanwhile sees one build or the other.
const out = `${DIST}.${process.pid}`;
const entryPoints = [];
rmSync(out, { recursive: true, force: true });
for (const top of SOURCES) {
  for (const file of readdirSync(path.join(ROOT, top), { recursive: true, withFileTypes: true })) {
    if (!file.isFile()) continue;
    const full = path.join(file.parentPath, file.name);
    // The console's front end is Vite's to build (to dist/console/, kept across this build below).
    if (path.relative(ROOT, full).startsWith(CONSOLE_APP)) continue;
    if (file.name.endsWith('.ts')) entryPoints.push(full);
    // The .mjs files are this build and the executable: they run from src/ only.
    else if (!file.name.endsWith('.mjs')) cpSync(full, path.join(out, path.relative(ROOT, full)));
  }
}

/**
 * Keeps every import as it is written, with `.ts` becoming `.js`. esbuild rewrites specifiers only
 * while bundling, so this bundles with every import external: each entry point is its own output.
 */
const keepImports = {
  name: 'keep-imports',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) =>
      args.kind === 'entry-point' ? undefined : { path: args.path.startsWith('.') ? args.path.replace(/\.ts$/, '.js') : args.path, external: true },
    );
  },
};

await build({
  absWorkingDir: ROOT,
  entryPoints,
  outdir: out,
  outbase: ROOT,
  bundle: true,
  plugins: [keepImports],
  platform: 'node',
  format: 'esm',
  target: 'node24',
  // Stack traces name the built file and function; NODE_OPTIONS=--enable-source-maps maps them to the sources.
  sourcemap: 'linked',
  logLevel: 'warning',
});
const stamp = path.join(out, path.relative(DIST, STAMP));
writeFileSync(stamp, 'Built by `npm run build` from src/, resolvers/ and schema/; see src/dist.mjs.\n');
utimesSync(stamp, started, started);

// The console's build (Vite's) is not this one's: it moves into the new dist/ as it is.
if (existsSync(path.join(DIST, 'console'))) renameSync(path.join(DIST, 'console'), path.join(out, 'console'));
const old = `${DIST}.old.${process.pid}`;
try {
  renameSync(DIST, old);
} catch {
  // No build yet.
}
renameSync(out, DIST);
rmSync(old, { recursive: true, force: true });
if (!process.argv.includes('--quiet')) console.log(`switchyard: built ${entryPoints.length} modules to dist/ in ${Date.now() - started.getTime()} ms`);

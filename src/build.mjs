// `npm run build`: src/ and resolvers/ to JavaScript in dist/, so production loads no compiler.
// First file by file: every module keeps its relative place, so what it finds through
// import.meta.url (schema/ from src/schema.ts, the migrations beside src/connectors/store/migrate.ts,
// `graphql` through createRequire) is where the sources have it, and the files read at run time
// (schema/*.graphql, *.sql) are copied to the same places. esbuild transpiles (about half a second);
// types are checked by `npm run typecheck`, not here.
//
// Then one bundle of that output with its packages, dist/bundle/ (what src/bin.mjs runs): a start
// resolves and loads about 2 200 modules otherwise, most of its CPU time (bench/README.md,
// "Start-up"). Each module's import.meta.url is rewritten to the URL of its file-by-file twin, so
// it still finds what lies beside it. Left out of the bundle, loaded from node_modules as before:
// graphql (one copy for ESM and CommonJS importers alike, as Node resolves them; see
// src/ws/graphql.ts), PGlite (its WebAssembly files lie beside it), every package imported at first
// use (`await import('...')`: the connectors' SDKs, the CLI's progress bar), OpenTelemetry, Apollo's
// hash helper (see UNBUNDLED), and the build tools.
//
// The operator console (src/console/app, React) is built apart, by Vite, to dist/console/ (see
// buildConsole below); the server's build leaves it out and keeps the console's build in place.
//
// `--if-stale` (npm start) builds only what is not current: the server when dist/ lags behind its
// sources, the console when dist/console/ lags behind its own or package-lock.json (src/dist.mjs).
import { build } from 'esbuild';
import { cpSync, readdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { BUNDLE, CONSOLE_DIST, CONSOLE_INDEX, CONSOLE_SOURCES, DIST, ENTRY_SOURCE, ROOT, SOURCES, STAMP, consoleIsCurrent, distIsCurrent } from './dist.mjs';

/**
 * Packages the bundle leaves to Node (see the top of this file). @apollo/utils.createhash uses
 * node:crypto only when `module.require` exists, which a bundled CommonJS module lacks: bundled,
 * Apollo Server would hash every operation with sha.js, in JavaScript.
 */
const UNBUNDLED = ['graphql', '@electric-sql/pglite', '@opentelemetry/*', '@apollo/utils.createhash', 'tsx', 'esbuild', 'vite'];

const ifStale = process.argv.includes('--if-stale');
const quiet = process.argv.includes('--quiet');
const server = !ifStale || !distIsCurrent();
const app = !ifStale || !consoleIsCurrent();
if (server) await buildServer();
if (app) await buildConsole();

async function buildServer() {
  const started = new Date();
  // Built beside dist/ and swapped in whole, so a process starting meanwhile sees one build or the other.
  const out = `${DIST}.${process.pid}`;
  const entryPoints = [];
  rmSync(out, { recursive: true, force: true });
  for (const top of SOURCES) {
    for (const file of readdirSync(path.join(ROOT, top), { recursive: true, withFileTypes: true })) {
      if (!file.isFile()) continue;
      const full = path.join(file.parentPath, file.name);
      if (full.startsWith(CONSOLE_SOURCES + path.sep)) continue;
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
  await bundle(out);
  const stamp = path.join(out, path.relative(DIST, STAMP));
  writeFileSync(stamp, 'Built by `npm run build` from src/, resolvers/ and schema/; see src/dist.mjs.\n');
  utimesSync(stamp, started, started);

  // The console's build moves over to the new dist/ (rebuilt after this when it is stale).
  try {
    renameSync(CONSOLE_DIST, path.join(out, path.relative(DIST, CONSOLE_DIST)));
  } catch {
    // No console build yet.
  }
  swap(out, DIST);
  if (!quiet) console.log(`switchyard: built ${entryPoints.length} modules to dist/ in ${Date.now() - started.getTime()} ms`);
}

/** dist/bundle/ from the file-by-file build in `out` (see the top of this file). */
async function bundle(out) {
  const outdir = path.join(out, path.relative(DIST, BUNDLE));
  const ownUrls = {
    name: 'own-urls',
    setup(b) {
      b.onLoad({ filter: /\.js$/ }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        if (!text.includes('import.meta')) return { contents: text, loader: 'js' };
        const twin = path.relative(outdir, args.path).split(path.sep).join('/');
        return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(twin)}, import.meta.url).href`), loader: 'js' };
      });
    },
  };
  // A package imported at first use is loaded from node_modules then, as without the bundle.
  const firstUse = {
    name: 'first-use',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined));
    },
  };
  await build({
    absWorkingDir: ROOT,
    entryPoints: [path.join(out, path.relative(DIST, ENTRY_SOURCE))],
    outdir,
    bundle: true,
    // Own modules imported at first use (PGlite's store, the CLI's commands) stay chunks of their own, loaded then.
    splitting: true,
    plugins: [ownUrls, firstUse],
    external: UNBUNDLED,
    // Node's own resolution: "main" for a package without "exports", as Node would load it.
    mainFields: ['main'],
    // The CommonJS packages inside call require (for Node's modules and the packages left out).
    banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
    platform: 'node',
    format: 'esm',
    target: 'node24',
    // V8 keeps a script's whole source in memory (functions compile lazily from it). Unminified, the
    // bundle keeps its packages' comments, and a few non-Latin-1 characters in them make V8 hold all
    // 7 MB as two-byte text: 13.5 MB of RSS. Without whitespace and comments (names are kept, for
    // stack traces and profiles; the source map gives lines) it is 4.9 MB of one-byte text. Licence
    // comments go to main.js.LEGAL.txt beside it.
    minifyWhitespace: true,
    charset: 'ascii',
    legalComments: 'linked',
    sourcemap: 'linked',
    logLevel: 'error',
  });
}

/** Puts the folder `built` where `target` is, in one rename (the old one removed after). */
function swap(built, target) {
  const old = `${target}.old.${process.pid}`;
  try {
    renameSync(target, old);
  } catch {
    // No build yet.
  }
  renameSync(built, target);
  rmSync(old, { recursive: true, force: true });
}

/**
 * The console with Vite's JavaScript API (src/console/app/vite.config.ts), beside dist/console and
 * swapped in whole. Vite is a devDependency: without it (npm install --omit=dev) the console is
 * left as it is, with a note.
 */
async function buildConsole() {
  const started = new Date();
  let vite;
  try {
    vite = await import('vite');
  } catch {
    console.warn('switchyard: Vite is not installed (npm install --omit=dev?), so the operator console is not built.');
    return;
  }
  const out = `${CONSOLE_DIST}.${process.pid}`;
  await vite.build({ configFile: path.join(CONSOLE_SOURCES, 'vite.config.ts'), logLevel: 'warn', build: { outDir: out } });
  utimesSync(path.join(out, path.relative(CONSOLE_DIST, CONSOLE_INDEX)), started, started);
  swap(out, CONSOLE_DIST);
  if (!quiet) console.log(`switchyard: built the operator console to dist/console/ in ${Date.now() - started.getTime()} ms`);
}

// Where the JavaScript build lives and whether it is current. Shared by the executable (src/bin.mjs),
// which runs dist/ only when it is current, and the build (src/build.mjs), which skips a current one.
//
// "Current" is decided by modification times: the build stamps dist/ with the time it started, and
// any file or folder under src/, resolvers/ or schema/ (or tsconfig.json) changed after that makes
// the build stale. An edit, a new file, a deleted one (its folder changes) or a checkout all move a
// time forward, so a stale build is never what a developer or a test runs: the e2e tests spawn
// src/bin.mjs as production does, and get the sources through tsx whenever dist/ lags behind them.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const DIST = path.join(ROOT, 'dist');
/** Written last by the build; its modification time is the moment the build started. */
export const STAMP = path.join(DIST, 'BUILT');
/** What the build reads: transpiled (src/, resolvers/) or copied (schema/, .sql migrations). */
export const SOURCES = ['src', 'resolvers', 'schema'];
/** src/main.ts built file by file; every other build module lies beside it, as in src/. */
export const ENTRY_SOURCE = path.join(DIST, 'src', 'main.js');
/** The bundle of ENTRY_SOURCE with its packages (src/build.mjs), and its entry: what the executable runs. */
export const BUNDLE = path.join(DIST, 'bundle');
export const ENTRY = path.join(BUNDLE, 'main.js');
/**
 * The operator console's sources: built by Vite to dist/console/ (its own build, its own staleness
 * below), not by esbuild with the server, so an edit there does not make the server's build stale.
 */
export const CONSOLE_SOURCES = path.join(ROOT, 'src', 'console', 'app');
export const CONSOLE_DIST = path.join(DIST, 'console');
/** Written by the console's build; its modification time is set to the moment that build started. */
export const CONSOLE_INDEX = path.join(CONSOLE_DIST, 'index.html');

/**
 * The newest modification time (ms) under `dir`, folders included, `skip` (a folder) left out. (A
 * walk of our own: readdirSync's `recursive` takes five times as long.)
 */
function newestMs(dir, skip) {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (full === skip) continue;
    newest = Math.max(newest, entry.isDirectory() ? newestMs(full, skip) : statSync(full).mtimeMs);
  }
  return newest;
}

/** The newest modification time (ms) of the sources under `root` (the console's apart). */
export function newestSourceMs(root = ROOT) {
  const skip = path.join(root, path.relative(ROOT, CONSOLE_SOURCES));
  return Math.max(statSync(path.join(root, 'tsconfig.json')).mtimeMs, ...SOURCES.map((top) => newestMs(path.join(root, top), skip)));
}

/** True when `root`'s dist/console/ holds a build of the console's sources and the packages (package-lock.json) as they are now. */
export function consoleIsCurrent(root = ROOT) {
  const at = (file) => path.join(root, path.relative(ROOT, file));
  let built;
  try {
    built = statSync(at(CONSOLE_INDEX)).mtimeMs;
  } catch {
    return false;
  }
  return Math.max(newestMs(at(CONSOLE_SOURCES)), statSync(at(path.join(ROOT, 'package-lock.json'))).mtimeMs) <= built;
}

/** True when `root`'s dist/ holds a build of its sources as they are now. */
export function distIsCurrent(root = ROOT) {
  let built;
  try {
    built = statSync(path.join(root, path.relative(ROOT, STAMP))).mtimeMs;
  } catch {
    return false;
  }
  return newestSourceMs(root) <= built;
}

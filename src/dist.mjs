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
export const ENTRY = path.join(DIST, 'src', 'main.js');

/** The newest modification time (ms) under `dir`, folders included. (A walk of our own: readdirSync's `recursive` takes five times as long.) */
function newestMs(dir) {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMs(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** The newest modification time (ms) of the sources under `root`. */
export function newestSourceMs(root = ROOT) {
  return Math.max(statSync(path.join(root, 'tsconfig.json')).mtimeMs, ...SOURCES.map((top) => newestMs(path.join(root, top))));
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

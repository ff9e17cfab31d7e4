// What the executable runs (dist/bundle/, src/build.mjs) keeps the properties start-up memory and
// per-request CPU rely on.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BUNDLE = path.join(ROOT, 'dist/bundle');
let files: { name: string; text: string }[] = [];

beforeAll(() => {
  execFileSync(process.execPath, [path.join(ROOT, 'src/build.mjs'), '--if-stale', '--quiet'], { stdio: 'inherit' });
  files = readdirSync(BUNDLE)
    .filter((f) => f.endsWith('.js'))
    .map((name) => ({ name, text: readFileSync(path.join(BUNDLE, name), 'latin1') }));
}, 60_000);

describe('the bundle', () => {
  it('is ASCII, so V8 holds its source as one byte per character', () => {
    expect(files.length).toBeGreaterThan(0);
    // eslint-disable-next-line no-control-regex -- the point is the range beyond ASCII.
    const wide = files.filter((f) => /[^\x00-\x7f]/.test(f.text)).map((f) => f.name);
    expect(wide).toEqual([]);
  });

  it('hashes with node:crypto: no package falls back to a JavaScript SHA-256 once bundled', () => {
    // sha.js is what @apollo/utils.createhash uses when it cannot reach node:crypto.
    expect(files.filter((f) => /function Sha256\(/.test(f.text)).map((f) => f.name)).toEqual([]);
  });
});

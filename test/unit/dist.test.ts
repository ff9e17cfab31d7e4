// The executable runs dist/ only while it is a build of the sources as they are (src/dist.mjs).
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript without type declarations (it runs before any TypeScript can).
import { distIsCurrent } from '../../src/dist.mjs';

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

/** A checkout whose every file and folder was last changed a minute ago, built `builtAgoS` seconds ago. */
function checkout(builtAgoS: number | null): string {
  const root = mkdtempSync(path.join(tmpdir(), 'sy-dist-'));
  roots.push(root);
  const files = ['tsconfig.json', 'src/main.ts', 'src/store/migrations/001.sql', 'resolvers/Query.ts', 'schema/customer.graphql'];
  for (const f of files) {
    mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    writeFileSync(path.join(root, f), '');
  }
  const minuteAgo = new Date(Date.now() - 60_000);
  for (const p of [...files, 'src/store/migrations', 'src/store', 'src', 'resolvers', 'schema']) utimesSync(path.join(root, p), minuteAgo, minuteAgo);
  if (builtAgoS !== null) {
    mkdirSync(path.join(root, 'dist'));
    writeFileSync(path.join(root, 'dist/BUILT'), '');
    const at = new Date(Date.now() - builtAgoS * 1000);
    utimesSync(path.join(root, 'dist/BUILT'), at, at);
  }
  return root;
}

describe('dist/ is run only while it is current', () => {
  it('is current when built after the last change', () => {
    expect(distIsCurrent(checkout(30))).toBe(true);
  });

  it('is not without a build, or with one older than the sources', () => {
    expect(distIsCurrent(checkout(null))).toBe(false);
    expect(distIsCurrent(checkout(120))).toBe(false);
  });

  it('is not once a file is edited, added or deleted after the build, however deep', () => {
    const edited = checkout(30);
    writeFileSync(path.join(edited, 'src/store/migrations/001.sql'), 'select 1;');
    expect(distIsCurrent(edited)).toBe(false);
    const added = checkout(30);
    writeFileSync(path.join(added, 'resolvers/Customer.ts'), '');
    expect(distIsCurrent(added)).toBe(false);
    const deleted = checkout(30);
    rmSync(path.join(deleted, 'schema/customer.graphql'));
    expect(distIsCurrent(deleted)).toBe(false);
    const tsconfig = checkout(30);
    writeFileSync(path.join(tsconfig, 'tsconfig.json'), '{}');
    expect(distIsCurrent(tsconfig)).toBe(false);
  });
});

// The executable runs dist/ only while it is a build of the sources as they are (src/dist.mjs).
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript without type declarations (it runs before any TypeScript can).
import { consoleIsCurrent, distIsCurrent } from '../../src/dist.mjs';

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

describe('the console (src/console/app) is built apart', () => {
  /** checkout(30) with the console's sources and package-lock.json a minute old, and its build `builtAgoS` seconds ago. */
  function withConsole(builtAgoS: number | null): string {
    const root = checkout(30);
    mkdirSync(path.join(root, 'src/console/app'), { recursive: true });
    writeFileSync(path.join(root, 'src/console/app/App.tsx'), '');
    writeFileSync(path.join(root, 'package-lock.json'), '{}');
    const minuteAgo = new Date(Date.now() - 60_000);
    for (const p of ['src/console/app/App.tsx', 'src/console/app', 'src/console', 'src', 'package-lock.json'])
      utimesSync(path.join(root, p), minuteAgo, minuteAgo);
    if (builtAgoS !== null) {
      mkdirSync(path.join(root, 'dist/console'));
      writeFileSync(path.join(root, 'dist/console/index.html'), '');
      const at = new Date(Date.now() - builtAgoS * 1000);
      utimesSync(path.join(root, 'dist/console/index.html'), at, at);
    }
    return root;
  }

  it('is current when built after its sources and package-lock.json', () => {
    expect(consoleIsCurrent(withConsole(30))).toBe(true);
    expect(consoleIsCurrent(withConsole(null))).toBe(false);
    expect(consoleIsCurrent(withConsole(120))).toBe(false);
    const locked = withConsole(30);
    writeFileSync(path.join(locked, 'package-lock.json'), '{"changed":true}');
    expect(consoleIsCurrent(locked)).toBe(false);
  });

  it("is stale after an edit of its sources, which leaves the server's build current", () => {
    const root = withConsole(30);
    writeFileSync(path.join(root, 'src/console/app/App.tsx'), 'export {};');
    expect(consoleIsCurrent(root)).toBe(false);
    expect(distIsCurrent(root)).toBe(true);
  });
});

// Adding a system touches its folder and the registry: no other file of the product names a
// connector module (or its vendor), so the domain, permissions, schema and resolvers speak of
// payments and contacts, and a module can be swapped without a hunt through the code.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONNECTOR_MODULES } from '../../src/connectors/registry.ts';
import type { ConnectorModule } from '../../src/connectors/module.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MODULES = CONNECTOR_MODULES as unknown as ConnectorModule[];
// Applied migrations are history: 007 renamed the column 001 named for a provider.
const EXEMPT = [...MODULES.map((m) => `src/connectors/${m.name}/`), 'src/connectors/registry.ts', 'src/connectors/store/migrations/'];

function files(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((f) => {
    const rel = path.join(dir, f);
    return statSync(path.join(ROOT, rel)).isDirectory() ? files(rel) : [rel];
  });
}

describe('connector names', () => {
  // A module named for its kind (notify) is named by its vendor words instead: the kind is a domain word.
  const kinds = new Set(MODULES.map((m) => m.kind));
  const words = MODULES.flatMap((m) => [
    ...(kinds.has(m.name as never) ? [] : [m.name]),
    ...(m.vendorWords ?? []),
    ...(/^[A-Z][A-Za-z]+$/.test(m.displayName) ? [m.displayName] : []),
  ]);
  const pattern = new RegExp(`\\b(${[...new Set(words.map((w) => w.toLowerCase()))].join('|')})\\b`, 'i');

  it('appear only in their own folders and the registry', () => {
    const offenders: string[] = [];
    for (const file of [...files('src'), ...files('resolvers'), ...files('schema')]) {
      if (EXEMPT.some((e) => file.startsWith(e))) continue;
      readFileSync(path.join(ROOT, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const m = pattern.exec(line);
          if (m) offenders.push(`${file}:${i + 1}: ${m[0]}: ${line.trim().slice(0, 120)}`);
        });
    }
    expect(offenders).toEqual([]);
  });

  it('catches a name where it does not belong', () => {
    expect(pattern.test('const who = "Stripe";')).toBe(true);
    expect(pattern.test('await postToSlack(message)')).toBe(false);
    expect(pattern.test('notify via slack')).toBe(true);
    expect(pattern.test('paymentsCustomerId')).toBe(false);
  });
});

// `switchyard keys create|list|revoke`: API keys from the command line. The key is printed once,
// at creation; only its hash is stored. With the embedded store (no DATABASE_URL), stop the
// server first: PGlite's data directory belongs to one process at a time.
import type { Command } from 'commander';
import type { Config } from '../config.ts';
import type { Store } from '../connectors/store/index.ts';
import type { ApiKeyRecord } from '../connectors/store/index.ts';
import { ApiKeyInputError, ApiKeys } from './apiKeys.ts';
import { CREDENTIAL_ROLES, effectiveScopes, isCredentialRole } from './roles.ts';

export interface KeysCliDeps {
  loadConfig(): Config;
  openStore(config: Config): Promise<Store>;
  out?: (text: string) => void;
}

export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

function describe(k: ApiKeyRecord) {
  const role = isCredentialRole(k.role) ? k.role : 'anonymous';
  return {
    id: k.id,
    name: k.name,
    role: k.role,
    scopes: [...effectiveScopes(role, k.scopes)],
    customerId: k.customerId,
    kind: k.kind,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
    expiresAt: k.expiresAt?.toISOString() ?? null,
    expired: k.expired,
  };
}

function status(r: ReturnType<typeof describe>): string {
  if (r.revokedAt) return `revoked ${r.revokedAt.slice(0, 16)}`;
  if (r.expired) return `expired ${r.expiresAt!.slice(0, 16)}`;
  return r.kind === 'demo' ? `demo, expires ${r.expiresAt!.slice(0, 19)}` : 'active';
}

function table(rows: ReturnType<typeof describe>[]): string {
  const head = ['ID', 'NAME', 'ROLE', 'STATUS', 'CREATED', 'LAST USED', 'SCOPES'];
  const body = rows.map((r) => [
    r.id,
    r.name,
    r.role + (r.customerId ? ` (${r.customerId})` : ''),
    status(r),
    r.createdAt.slice(0, 16),
    r.lastUsedAt?.slice(0, 16) ?? 'never',
    r.scopes.join(' '),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  return (
    [head, ...body]
      .map((cols) =>
        cols
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

async function withStore<T>(deps: KeysCliDeps, fn: (keys: ApiKeys, store: Store) => Promise<T>): Promise<T> {
  const store = await deps.openStore(deps.loadConfig());
  try {
    return await fn(new ApiKeys(store), store);
  } finally {
    await store.close();
  }
}

export function registerKeysCommand(program: Command, deps: KeysCliDeps): void {
  const out = deps.out ?? ((text: string) => void process.stdout.write(text));
  const keys = program.command('keys').description('Create, list and revoke API keys');

  keys
    .command('create')
    .description('Create an API key and print it once')
    .requiredOption('--role <role>', `one of ${CREDENTIAL_ROLES.join(', ')}`)
    .requiredOption('--name <name>', 'what the key is for, e.g. "support tool"')
    .option('--scopes <scopes>', 'comma-separated: the scopes of a service key; pii:read for an app key')
    .option('--customer <id>', 'role customer: the one customer the key may see')
    .option('--json', 'print JSON')
    .action(async (opts: { role: string; name: string; scopes?: string; customer?: string; json?: boolean }) => {
      if (!isCredentialRole(opts.role)) throw new CliUsageError(`--role must be one of ${CREDENTIAL_ROLES.join(', ')} (got ${JSON.stringify(opts.role)})`);
      const role = opts.role;
      const scopes = opts.scopes
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const { key, record } = await withStore(deps, (k) =>
        k.issue({ role, name: opts.name, scopes, customerId: opts.customer }).catch((err: unknown) => {
          throw err instanceof ApiKeyInputError ? new CliUsageError(`--${err.option}: ${err.message}`) : err;
        }),
      );
      if (opts.json) return out(JSON.stringify({ key, ...describe(record) }) + '\n');
      out(
        `${key}\n\nKey ${record.id} (${record.role}, "${record.name}") created. It is shown only this once: store it now.\n` +
          `Send it as  X-Api-Key: <key>  or  Authorization: Bearer <key>.\n`,
      );
    });

  keys
    .command('list')
    .description('List API keys (never their secrets)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const rows = (await withStore(deps, (k) => k.list())).map(describe);
      out(opts.json ? JSON.stringify(rows) + '\n' : rows.length ? table(rows) : 'No API keys.\n');
    });

  keys
    .command('revoke')
    .description('Revoke an API key: it stops working at once')
    .argument('<id>', 'the key id (from keys list, or the 16 hex digits after syk_)')
    .action(async (id: string) => {
      const record = await withStore(deps, (k) => k.revoke(id));
      if (!record) throw new CliUsageError(`No API key with id ${JSON.stringify(id)}`);
      out(`Key ${record.id} ("${record.name}") revoked at ${record.revokedAt!.toISOString()}.\n`);
    });
}

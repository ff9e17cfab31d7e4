// API keys in the graph (keys:admin), over the same ApiKeys the CLI uses (src/auth/apiKeys.ts).
// The secret is in createApiKey's answer only: the store keeps its hash, the audit record keeps
// the variables (name, role, scopes; never an answer), and no log line carries a response.
import type { ApiKeyResolvers, MutationCreateApiKeyArgs, MutationRevokeApiKeyArgs } from '../src/generated/graphql.ts';
import type { Context } from '../src/context.ts';
import type { ApiKeyRecord } from '../src/connectors/store/index.ts';
import { ApiKeyInputError, type ApiKeys } from '../src/auth/apiKeys.ts';
import { effectiveScopes, isCredentialRole } from '../src/auth/roles.ts';
import { ErrorCode, NotFoundError, badInput, codedError } from '../src/errors/index.ts';

const KEY_ID = /^[0-9a-f]{16}$/;
// A customer key names its customer, which this input has no field for: the CLI issues those.
const GRAPH_ROLES = ['admin', 'operator', 'app', 'service'] as const;

function keysOf(ctx: Context): ApiKeys {
  if (!ctx.services.apiKeys) throw codedError(ErrorCode.UPSTREAM_UNAVAILABLE, 'This server manages no API keys', { reason: 'no_api_keys' });
  return ctx.services.apiKeys;
}

export const apiKeys = (_parent: unknown, _args: unknown, ctx: Context) => keysOf(ctx).list();

export async function createApiKey(_parent: unknown, { input }: MutationCreateApiKeyArgs, ctx: Context) {
  const role = input.role;
  if (!isCredentialRole(role) || !(GRAPH_ROLES as readonly string[]).includes(role)) {
    const hint = role === 'customer' ? ': a customer key names its customer (switchyard keys create --role customer --customer <id>)' : '';
    throw badInput('input.role', `role must be one of ${GRAPH_ROLES.join(', ')} (got ${JSON.stringify(role.slice(0, 50))})${hint}`);
  }
  try {
    const { key, record } = await keysOf(ctx).issue({ name: input.name, role, scopes: input.scopes ?? [] });
    ctx.logger.info({ keyId: record.id, role: record.role, by: ctx.principal.id }, 'API key created');
    return { apiKey: record, secret: key };
  } catch (err) {
    if (err instanceof ApiKeyInputError) throw badInput(`input.${err.option === 'customer' ? 'role' : err.option}`, err.message);
    throw err;
  }
}

export async function revokeApiKey(_parent: unknown, { id }: MutationRevokeApiKeyArgs, ctx: Context): Promise<ApiKeyRecord> {
  if (!KEY_ID.test(id)) throw badInput('id', 'id is not an API key id (16 hex digits, as after syk_)');
  const record = await keysOf(ctx).revoke(id);
  if (!record) throw new NotFoundError('API key', id, 'id');
  ctx.logger.info({ keyId: record.id, by: ctx.principal.id }, 'API key revoked');
  return record;
}

export const ApiKey: ApiKeyResolvers = {
  // What the key may do: its role's scopes and its grants (as `switchyard keys list` shows them).
  scopes: (k) => [...effectiveScopes(isCredentialRole(k.role) ? k.role : 'anonymous', k.scopes)],
};

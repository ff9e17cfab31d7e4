// The credential of a WebSocket connection, as the request headers the HTTP authenticator reads
// (src/auth/resolve.ts), so both transports accept exactly the same credentials. A browser cannot
// set headers on a WebSocket, so connection_init's payload may carry them instead, under the
// same names, case-insensitive: { authorization: 'Bearer …' } or { 'X-Api-Key': 'syk_…' }. When
// the payload names a credential the upgrade request's headers are not read; otherwise they are.
import type { IncomingHttpHeaders } from 'node:http';
import { unauthenticated } from '../auth/errors.ts';

const CREDENTIALS = new Set(['authorization', 'x-api-key']);
const CLIENT = ['apollographql-client-name', 'apollographql-client-version'] as const;

function named(params: Record<string, unknown> | undefined, wanted: ReadonlySet<string>): Map<string, unknown[]> {
  const found = new Map<string, unknown[]>();
  for (const [key, value] of Object.entries(params ?? {})) {
    const name = key.toLowerCase();
    if (wanted.has(name)) found.set(name, [...(found.get(name) ?? []), value]);
  }
  return found;
}

/** Throws UNAUTHENTICATED (malformed) for a credential in the payload that is not one string. */
export function credentialHeaders(params: Record<string, unknown> | undefined, upgrade: IncomingHttpHeaders): IncomingHttpHeaders {
  const given = named(params, CREDENTIALS);
  if (given.size === 0) {
    const headers: IncomingHttpHeaders = {};
    if (upgrade.authorization !== undefined) headers.authorization = upgrade.authorization;
    if (upgrade['x-api-key'] !== undefined) headers['x-api-key'] = upgrade['x-api-key'];
    return headers;
  }
  const headers: IncomingHttpHeaders = {};
  for (const [name, values] of given) {
    const [value] = values;
    if (values.length > 1 || typeof value !== 'string') throw unauthenticated('malformed', `connection_init's ${name} must be one string`);
    if (name === 'authorization') headers.authorization = value;
    else headers['x-api-key'] = value;
  }
  return headers;
}

/** apollographql-client-name and -version: from the payload, else from the upgrade request. */
export function clientHeaders(params: Record<string, unknown> | undefined, upgrade: IncomingHttpHeaders): { name: string | null; version: string | null } {
  const given = named(params, new Set(CLIENT));
  const pick = (name: (typeof CLIENT)[number]) => {
    const value = given.get(name)?.[0] ?? upgrade[name];
    return typeof value === 'string' ? value : null;
  };
  return { name: pick(CLIENT[0]), version: pick(CLIENT[1]) };
}

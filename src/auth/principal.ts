// Who is asking. Resolved once per request in context.ts (from a JWT or an API key) and read by
// the permission rules, the rate limits and the audit trail.
export const SCOPES = [
  'customers:read',
  'customers:write',
  'payments:read',
  'payments:write',
  'crm:read',
  'crm:write',
  'ai:complete',
  // Choosing the model of a completion (input.model) rather than the capability's chain.
  'ai:models',
  'pii:read',
  'audit:read',
  'ops:read',
  // Acting on Switchyard's own machinery (replaying webhook events): admins, and services granted it.
  'ops:write',
  // Issuing and revoking API keys in the graph: admins, and services granted it (never operators).
  'keys:admin',
] as const;

export type Scope = (typeof SCOPES)[number];

export const ROLES = ['admin', 'operator', 'app', 'customer', 'service', 'anonymous'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  /** Stable id: the JWT subject, `key:<id>` for an API key, or `anonymous`. */
  id: string;
  role: Role;
  scopes: ReadonlySet<Scope>;
  /** How the caller proved who it is. */
  via: 'jwt' | 'api_key' | 'anonymous' | 'internal';
  /** The API key's id, when the caller used one. */
  keyId?: string;
  /** For role `customer`: the only customer this principal may see. */
  customerId?: string;
}

export const ANONYMOUS: Principal = { id: 'anonymous', role: 'anonymous', scopes: new Set(), via: 'anonymous' };

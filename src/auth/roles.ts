// What each role may do, as scopes. Roles bundle scopes; the permission rules (src/permissions)
// only ever look at scopes, plus the customer role's "only its own data" condition.
import { SCOPES, type Role, type Scope } from './principal.ts';

const READS: Scope[] = ['customers:read', 'payments:read', 'crm:read'];
const WRITES: Scope[] = ['customers:write', 'payments:write', 'crm:write'];

/** The scopes a role always has. */
export const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  admin: SCOPES,
  // Internal tools (support, finance): read and change everything, see PII, run AI completions
  // and pick their model; the audit trail and ops:write (replaying events) stay with admins.
  operator: [...READS, ...WRITES, 'ai:complete', 'ai:models', 'pii:read', 'ops:read'],
  // A frontend: reads only, and PII only when its key or token also carries pii:read.
  app: READS,
  // An end user: reads its own customer record, payments and CRM contact, PII included (its own);
  // the rules confine it to the customer its token names. It changes nothing.
  customer: [...READS, 'pii:read'],
  // A backend service: nothing by itself, exactly the scopes its key or token carries.
  service: [],
  anonymous: [],
};

/** Scopes a role may carry on top of ROLE_SCOPES when its key or token grants them. */
export const GRANTABLE: Record<Role, readonly Scope[]> = {
  admin: [],
  operator: [],
  app: ['pii:read'],
  customer: [],
  service: SCOPES,
  anonymous: [],
};

/** Roles a credential can carry: anonymous is what no credential means. */
export const CREDENTIAL_ROLES = ['admin', 'operator', 'app', 'customer', 'service'] as const satisfies readonly Role[];
export type CredentialRole = (typeof CREDENTIAL_ROLES)[number];

export function isCredentialRole(value: unknown): value is CredentialRole {
  return typeof value === 'string' && (CREDENTIAL_ROLES as readonly string[]).includes(value);
}

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (SCOPES as readonly string[]).includes(value);
}

/**
 * The scopes a principal of `role` has, given what its credential grants. Grants a role cannot
 * carry are ignored (an identity provider may put `openid profile` or more in a token).
 */
export function effectiveScopes(role: Role, granted: Iterable<string> = []): Set<Scope> {
  const out = new Set<Scope>(ROLE_SCOPES[role]);
  for (const s of granted) if (isScope(s) && GRANTABLE[role].includes(s)) out.add(s);
  return out;
}

/** Strict check for credentials we issue ourselves: a grant the role cannot carry is an error. */
export function checkGrants(role: CredentialRole, granted: readonly string[]): string | undefined {
  const unknown = granted.find((s) => !isScope(s));
  if (unknown) return `unknown scope ${JSON.stringify(unknown)} (known: ${SCOPES.join(', ')})`;
  const extra = granted.find((s) => !GRANTABLE[role].includes(s as Scope));
  if (extra) {
    const can = GRANTABLE[role].length ? `it may add only ${GRANTABLE[role].join(', ')}` : 'its scopes are fixed';
    return `role ${role} cannot be granted ${extra}: ${can}`;
  }
  if (role === 'service' && granted.length === 0) return 'role service needs at least one scope (--scopes)';
  return undefined;
}

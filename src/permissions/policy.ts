// A field's permission as data: the scopes it needs and how the customer role is confined on it.
// The shield rules (rules.ts), docs/permissions.md (docs.ts) and the matrix test all derive from
// these policies, one file per GraphQL type (mirroring resolvers/).
import type { Scope } from '../auth/principal.ts';
import type { OwnCheckName } from './own.ts';

/** What the customer role may see of a field, on top of its scopes. */
export type CustomerAccess =
  /** Checked here: only when the record (or the argument) is the customer's own. */
  | { own: OwnCheckName }
  /** Not checked here: the field is only reachable through fields that checked ownership. */
  | 'reached'
  /** Never, whatever the scopes. */
  | 'deny';

export interface FieldPolicy {
  /** Every one is required; none means any authenticated principal. */
  scopes: readonly Scope[];
  /** Personal data: pii:read is required too. */
  pii: boolean;
  /**
   * Arguments that match, filter or order by personal data: giving one needs pii:read too, or
   * the answer (a count, an order, which rows come back) would tell what the data holds.
   */
  piiArgs: readonly string[];
  customer: CustomerAccess;
}

/** Every field of a GraphQL type (codegen's type), so a new field without a policy fails to compile. */
export type TypePolicy<T> = Record<Exclude<keyof T, '__typename'>, FieldPolicy>;

export function policy(scopes: Scope | readonly Scope[], customer: CustomerAccess, opts: { pii?: boolean; piiArgs?: readonly string[] } = {}): FieldPolicy {
  return { scopes: typeof scopes === 'string' ? [scopes] : scopes, pii: opts.pii ?? false, piiArgs: opts.piiArgs ?? [], customer };
}

/** All the scopes a field needs, pii:read included. */
export function requiredScopes(p: FieldPolicy): Scope[] {
  return p.pii ? [...p.scopes, 'pii:read'] : [...p.scopes];
}

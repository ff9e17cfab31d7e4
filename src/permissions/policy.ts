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
  /**
   * Arguments (a path into the arguments, e.g. `input.model`) that widen what the field does:
   * giving one needs its scope too, on top of the field's own.
   */
  scopedArgs: readonly ScopedArgument[];
  customer: CustomerAccess;
}

export interface ScopedArgument {
  argument: string;
  scope: Scope;
}

export interface PolicyOptions {
  pii?: boolean;
  piiArgs?: readonly string[];
  /** Argument path -> the scope giving it needs. */
  scopedArgs?: Readonly<Record<string, Scope>>;
}

/** Every field of a GraphQL type (codegen's type), so a new field without a policy fails to compile. */
export type TypePolicy<T> = Record<Exclude<keyof T, '__typename'>, FieldPolicy>;

export function policy(scopes: Scope | readonly Scope[], customer: CustomerAccess, opts: PolicyOptions = {}): FieldPolicy {
  return {
    scopes: typeof scopes === 'string' ? [scopes] : scopes,
    pii: opts.pii ?? false,
    piiArgs: opts.piiArgs ?? [],
    scopedArgs: Object.entries(opts.scopedArgs ?? {}).map(([argument, scope]) => ({ argument, scope })),
    customer,
  };
}

/** Whether the arguments give a value at `path` (dotted, e.g. `input.model`). */
export function argumentGiven(args: Record<string, unknown>, path: string): boolean {
  let value: unknown = args;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return false;
    value = (value as Record<string, unknown>)[key];
  }
  return value !== undefined && value !== null;
}

/** All the scopes a field needs, pii:read included. */
export function requiredScopes(p: FieldPolicy): Scope[] {
  return p.pii ? [...p.scopes, 'pii:read'] : [...p.scopes];
}

// The field-by-role matrix, derived from the policies: what docs/permissions.md shows and what
// the matrix test checks against the running shield.
import { ROLES, type Role } from '../auth/principal.ts';
import { GRANTABLE, ROLE_SCOPES } from '../auth/roles.ts';
import { POLICIES } from './index.ts';
import { requiredScopes, type FieldPolicy } from './policy.ts';

/**
 * One cell:
 *   yes               allowed
 *   no                refused (FORBIDDEN; UNAUTHENTICATED for anonymous)
 *   own               customer role: only on its own records, checked on this field
 *   own (via parent)  customer role: reached only through fields that checked ownership
 *   with <scopes>     allowed when the key or token also grants these scopes
 *   <scopes>          service role: allowed when its key or token carries all of these
 */
export function cell(role: Role, p: FieldPolicy): string {
  const needed = requiredScopes(p);
  if (role === 'anonymous') return 'no';
  if (role === 'service') return needed.length ? needed.join(' ') : 'yes';
  const missing = needed.filter((s) => !ROLE_SCOPES[role].includes(s));
  if (role === 'customer') {
    if (missing.length || p.customer === 'deny') return 'no';
    return p.customer === 'reached' ? 'own (via parent)' : 'own';
  }
  if (!missing.length) return 'yes';
  return missing.every((s) => GRANTABLE[role].includes(s)) ? `with ${missing.join(' ')}` : 'no';
}

export interface MatrixRow {
  type: string;
  field: string;
  policy: FieldPolicy;
  cells: Record<Role, string>;
}

export function matrix(): MatrixRow[] {
  return Object.entries(POLICIES).flatMap(([type, fields]) =>
    Object.entries(fields).map(([field, policy]) => ({
      type,
      field,
      policy,
      cells: Object.fromEntries(ROLES.map((r) => [r, cell(r, policy)])) as Record<Role, string>,
    })),
  );
}

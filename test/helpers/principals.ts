// Principals as the authenticator would build them, for tests that run operations per role.
import type { Principal, Role, Scope } from '../../src/auth/principal.ts';
import { effectiveScopes } from '../../src/auth/roles.ts';

export function principalFor(role: Role, opts: { grants?: readonly Scope[]; customerId?: string; id?: string } = {}): Principal {
  return {
    id: opts.id ?? `test-${role}`,
    role,
    scopes: effectiveScopes(role, opts.grants ?? []),
    via: role === 'anonymous' ? 'anonymous' : 'api_key',
    ...(opts.customerId ? { customerId: opts.customerId } : {}),
  };
}

/** The demo customer the customer-role tests act as: it has payments, a refund (pi_demo000504) and a contact (1005). */
export const OWN = { customer: 'cust_demo0005', payment: 'pi_demo000504', contact: '1005' } as const;
/** Another customer's records: cust_demo0008's payment pi_demo000801 has a refund too. */
export const OTHER = { customer: 'cust_demo0008', payment: 'pi_demo000801', contact: '1008' } as const;

import { describe, expect, it } from 'vitest';
import { SCOPES } from '../../src/auth/principal.ts';
import { checkGrants, effectiveScopes } from '../../src/auth/roles.ts';

describe('roles', () => {
  it('bundle scopes: admin all, operator reads and writes without the audit trail, app and customer read', () => {
    expect([...effectiveScopes('admin')]).toEqual([...SCOPES]);
    expect(effectiveScopes('operator').has('payments:write')).toBe(true);
    expect(effectiveScopes('operator').has('audit:read')).toBe(false);
    expect(effectiveScopes('admin').has('keys:admin')).toBe(true);
    expect(effectiveScopes('operator').has('keys:admin')).toBe(false);
    expect(effectiveScopes('operator').has('ops:write')).toBe(false);
    expect([...effectiveScopes('app')]).toEqual(['customers:read', 'payments:read', 'crm:read']);
    expect(effectiveScopes('customer').has('pii:read')).toBe(true);
    expect(effectiveScopes('customer').has('customers:write')).toBe(false);
    expect(effectiveScopes('anonymous').size).toBe(0);
  });

  it('add only what a role may carry: pii:read for an app, anything for a service, nothing for the rest', () => {
    expect(effectiveScopes('app', ['pii:read', 'payments:write']).has('pii:read')).toBe(true);
    expect(effectiveScopes('app', ['payments:write']).has('payments:write')).toBe(false);
    expect([...effectiveScopes('service', ['crm:read', 'openid'])]).toEqual(['crm:read']);
    expect(effectiveScopes('customer', ['customers:write']).has('customers:write')).toBe(false);
    expect(effectiveScopes('anonymous', ['admin', 'customers:read']).size).toBe(0);
  });

  it('check the grants of keys we issue strictly', () => {
    expect(checkGrants('service', ['payments:read'])).toBeUndefined();
    expect(checkGrants('service', [])).toMatch(/at least one scope/);
    expect(checkGrants('service', ['payments:steal'])).toMatch(/unknown scope "payments:steal"/);
    expect(checkGrants('app', ['pii:read'])).toBeUndefined();
    expect(checkGrants('app', ['payments:write'])).toMatch(/role app cannot be granted payments:write: it may add only pii:read/);
    expect(checkGrants('operator', ['audit:read'])).toMatch(/its scopes are fixed/);
  });
});

// The executor: an operation whose permissions are all decided up front runs compiled without the
// per-field shield middleware, and answers exactly what graphql-js under the shield answers; any
// operation the up-front decision cannot allow in full (a refused field, a personal-data argument
// in a variable, a field in a fragment, the customer role) runs under the shield, which refuses
// each field on its own as before. The family: nothing the shield would refuse is ever allowed
// by deciding up front.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.ts';
import { ApiKeys } from '../../src/auth/apiKeys.ts';
import { OWN, principalFor } from '../helpers/principals.ts';

const NESTED = `query Nested($n: Int!) {
  customers(first: $n) {
    totalCount
    edges { node { id email name createdAt linkStatus
      payments(first: 3) { edges { node { id status amount { amount currency formatted } refunds { id amount { amount } } } } }
      totalPaid { amount currency formatted }
      crmContact { id email lifecycleStage company }
    } }
    pageInfo { hasNextPage }
  }
}`;

const READS = [
  { query: NESTED, variables: { n: 25 } },
  { query: `{ customer(id: "${OWN.customer}") { id email payments(first: 10) { edges { node { id status } } } crmContact { id email } } }` },
  { query: `{ payment(id: "${OWN.payment}") { id status refunds { id amount { formatted } } customer { id } } }` },
  // Errors answer alike too: a missing record, and a malformed id.
  { query: `{ customer(id: "cust_nope") { id } payment(id: "not-a-payment") { id } }` },
  // Introspection, as Sandbox and codegen send it.
  { query: `{ __typename __schema { queryType { name } types { name kind fields { name args { name defaultValue } } } } }` },
  { query: `{ a: customer(id: "${OWN.customer}") { ...C } b: customer(id: "cust_demo0002") { ...C } } fragment C on Customer { id name __typename }` },
];

describe('executing operations with permissions decided up front', { timeout: 120_000 }, () => {
  let compiled: Stack;
  let standard: Stack;
  beforeAll(async () => {
    [compiled, standard] = await Promise.all([startStack('pglite'), startStack('pglite', { env: { GRAPHQL_EXECUTOR: 'standard' } })]);
  });
  afterAll(async () => {
    await compiled?.stop();
    await standard?.stop();
  });

  it('answers every read as graphql-js under the shield does, compiling each document once', async () => {
    const before = { ...compiled.server.execution };
    for (const op of READS) {
      const [a, b] = [await compiled.run(op.query, op.variables), await standard.run(op.query, op.variables)];
      expect(a, op.query).toEqual(b);
      // And again: the compiled form is reused.
      expect(await compiled.run(op.query, op.variables)).toEqual(a);
    }
    const after = compiled.server.execution;
    expect(after.upFront - before.upFront).toBe(READS.length * 2);
    expect(after.shielded - before.shielded).toBe(0);
    expect(after.compiles - before.compiles).toBe(READS.length);
    expect(standard.server.execution.compiles).toBe(0);
  });

  it('runs an operation with a refused field under the shield: that field refused, the rest answered', async () => {
    const before = compiled.server.execution.shielded;
    const service = principalFor('service', { grants: ['customers:read'] });
    const res = await compiled.run(`{ customers(first: 2) { totalCount } customer(id: "${OWN.customer}") { id email } }`, {}, service);
    expect(res.data).toEqual({ customers: { totalCount: 200 }, customer: null });
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]).toMatchObject({ path: ['customer', 'email'], extensions: { code: 'FORBIDDEN', requiredScopes: ['pii:read'] } });
    expect(compiled.server.execution.shielded).toBe(before + 1);
  });

  it('reads personal-data arguments from variables as the shield does', async () => {
    const service = principalFor('service', { grants: ['customers:read'] });
    const q = `query ($s: String) { customers(first: 5, search: $s) { totalCount } }`;
    const refused = await compiled.run(q, { s: 'ada' }, service);
    expect(refused.errors?.[0]).toMatchObject({ path: ['customers'], extensions: { code: 'FORBIDDEN', argument: 'search' } });
    const allowed = await compiled.run(q, {}, service);
    expect(allowed.errors).toBeUndefined();
    expect(allowed.data).toEqual({ customers: { totalCount: 200 } });
  });

  it('checks fields reached through fragments, and sends the operation to the shield when one is refused', async () => {
    const service = principalFor('service', { grants: ['customers:read'] });
    const before = compiled.server.execution.shielded;
    const res = await compiled.run(`{ customers(first: 1) { edges { node { ...Person } } } } fragment Person on Customer { id email }`, {}, service);
    expect(res.errors?.[0]).toMatchObject({ path: ['customers', 'edges', 0, 'node', 'email'], extensions: { code: 'FORBIDDEN' } });
    expect(compiled.server.execution.shielded).toBe(before + 1);
  });

  it('leaves the customer role to the per-record rules', async () => {
    const me = principalFor('customer', { customerId: OWN.customer });
    const before = compiled.server.execution.shielded;
    const own = await compiled.run(`{ customer(id: "${OWN.customer}") { id email } }`, {}, me);
    expect(own.data).toMatchObject({ customer: { id: OWN.customer } });
    const other = await compiled.run(`{ customer(id: "cust_demo0008") { id email } }`, {}, me);
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(compiled.server.execution.shielded).toBe(before + 2);
  });

  it('answers an operation name the document lacks with a coded 400, whichever executor and role', async () => {
    const { key: admin } = await new ApiKeys(compiled.connectors.store).issue({ role: 'admin', name: 'op-name' });
    const cases = [
      { query: '{ connectors { name } }', operationName: 'Connectors' },
      { query: 'query A { connectors { name } } query B { connectors { circuit } }' },
      { query: 'query A { connectors { name } } query B { connectors { circuit } }', operationName: 'C' },
    ];
    for (const stack of [compiled, standard]) {
      const { key } = stack === compiled ? { key: admin } : await new ApiKeys(stack.connectors.store).issue({ role: 'operator', name: 'op-name' });
      for (const payload of cases) {
        const res = await stack.server.app.inject({
          method: 'POST',
          url: '/graphql',
          headers: { 'content-type': 'application/json', 'x-api-key': key },
          payload,
        });
        expect([res.statusCode, res.json().errors[0].extensions.code], JSON.stringify(payload)).toEqual([400, 'BAD_REQUEST']);
      }
    }
  });
});

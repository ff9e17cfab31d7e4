// A card number and an email address sent in variables (under innocent names too, nested, as a
// key, in a client header, in a GET's query string) and a person's name appear in no log line
// and no audit row. Every line the server logs at trace level is captured, and every audit row
// is read whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/stack.ts';
import { startObserved, type Observed } from '../helpers/observed.ts';

const EMAIL = 'ada.lovelace.audit@example.org';
const CARD = '4242 4242 4242 4242';
const CARD_DASHED = '4000-0566-5566-5556';
const NAME = 'Augusta Ada Byron-Audit';
const SECRETS = [
  EMAIL,
  CARD,
  CARD.replace(/ /g, ''),
  CARD_DASHED,
  CARD_DASHED.replace(/-/g, ''),
  NAME,
  'Augusta',
  encodeURIComponent(EMAIL),
  encodeURIComponent(NAME),
];

describe.each(BACKENDS)('no personal data in logs or audit rows on %s', (backend) => {
  let o: Observed;

  beforeAll(async () => {
    o = await startObserved(backend);
    const headers = { 'x-api-key': o.keys.admin, 'apollographql-client-name': `support-tool for ${EMAIL}` };
    const create = await o.post(
      {
        query: 'mutation New($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }',
        variables: { input: { email: EMAIL, name: NAME }, note: `card ${CARD_DASHED}, mail ${EMAIL}`, [EMAIL]: true },
      },
      headers,
    );
    expect(create.body.errors).toBeUndefined();
    const search = await o.post({ query: 'query Find($q: String) { customers(search: $q, first: 1) { totalCount } }', variables: { q: EMAIL } }, headers);
    expect(search.body.data).toMatchObject({ customers: { totalCount: 1 } });
    await o.post({ query: 'query Find($q: String) { customers(search: $q) { totalCount } }', variables: { q: Number(CARD.replace(/ /g, '')) } }, headers);
    await o.post({ query: '{ customers(first: 1) { totalCount ', variables: { cardNumber: CARD, payload: { deep: [{ email: EMAIL }] } } }, headers);
    // A GET carries its variables in the URL, which the request log line used to print whole.
    const query = new URLSearchParams({
      query: 'query Get($q: String) { customers(search: $q, first: 1) { totalCount } }',
      variables: JSON.stringify({ q: EMAIL, firstName: NAME, note: CARD }),
    });
    const get = await o.server.app.inject({ method: 'GET', url: `/graphql?${query}`, headers: { ...headers, 'apollo-require-preflight': 'true' } });
    expect(JSON.parse(get.body)).toMatchObject({ data: { customers: { totalCount: 1 } } });
    expect(await o.flush()).toBe(0);
  });

  afterAll(async () => {
    await o?.stop();
  });

  it('keeps neither in any log line', () => {
    const lines = o.logs();
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const line of lines) for (const secret of SECRETS) expect(line).not.toContain(secret);
    // Each request's one line carries its audit record.
    expect(lines.filter((l) => l.includes('"msg":"request completed"') && l.includes('"audit":{'))).toHaveLength(5);
    // The request log still says which path was asked for, just not the query string.
    expect(lines.find((l) => l.includes('"request completed"') && l.includes('"GET"'))).toContain('"url":"/graphql"');
  });

  it('keeps neither in any audit row', async () => {
    const rows = await o.sql<{ row: string }>('select row_to_json(a)::text as row from audit_events a');
    expect(rows).toHaveLength(5);
    for (const { row } of rows) for (const secret of SECRETS) expect(row).not.toContain(secret);
  });

  it('still shows what was sent, redacted', async () => {
    const [create] = (await o.rows()).filter((r) => r.record.operation.name === 'New');
    expect(create!.record.variables).toEqual({
      input: { email: '[redacted]', name: '[redacted]' },
      note: 'card [redacted], mail [redacted]',
      '[redacted]': true,
    });
    const [get] = (await o.rows()).filter((r) => r.record.operation.name === 'Get');
    expect(get!.record.variables).toEqual({ q: '[redacted]', firstName: '[redacted]', note: '[redacted]' });
    expect(create!.record.client.name).toBe('support-tool for [redacted]');
    // createCustomer's workflow looks each system up by email before creating: two calls to each.
    expect(create!.record.calls.map((c) => `${c.connector} ${c.operation}`).sort()).toEqual([
      'hubspot contacts.create',
      'hubspot contacts.search',
      'stripe customers.create',
      'stripe customers.list',
    ]);
  });
});

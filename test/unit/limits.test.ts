// The document gate (depth, aliases) and the cost model, on parsed documents.
import { buildSchema as sdl, getIntrospectionQuery, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CALL_POINTS, FIELD_WEIGHTS, cachedOperationCost, measureDocument, operationCost, operationLimits } from '../../src/plugins/limits/index.ts';
import { COST_ARGUMENTS, UPSTREAM_CALLS } from '../../src/plugins/limits/options.ts';
import { LIMIT_DEFAULTS } from '../../src/config/security.ts';
import { buildSchema } from '../../src/schema.ts';

const schema = buildSchema();
const cost = (query: string, variables?: Record<string, unknown>) => operationCost(schema, parse(query), variables, undefined);

describe('measureDocument', () => {
  it('counts field nesting, through inline fragments and named fragments where they are spread', () => {
    expect(measureDocument(parse('{ customer(id: "x") { id payments { edges { node { id } } } } }')).depth).toBe(5);
    const viaFragments = parse(`
      query { customer(id: "x") { ...C } }
      fragment C on Customer { payments { ...P } }
      fragment P on PaymentConnection { edges { node { ... on Payment { customer { id } } } } }`);
    expect(measureDocument(viaFragments).depth).toBe(6);
  });

  it('counts aliases, a fragment once per spread', () => {
    const doc = parse(`
      query { a: customer(id: "1") { ...F } b: customer(id: "2") { ...F } }
      fragment F on Customer { x: id y: email }`);
    expect(measureDocument(doc).aliases).toBe(6);
  });

  it('leaves introspection out of the depth (Sandbox asks for it), and survives fragment cycles', () => {
    expect(measureDocument(parse(getIntrospectionQuery())).depth).toBe(0);
    const cyclic = parse('query { customer(id: "x") { ...A } } fragment A on Customer { ...B } fragment B on Customer { ...A id }');
    expect(measureDocument(cyclic).depth).toBe(2);
  });

  it('stops walking an absurdly deep document instead of exhausting the stack', () => {
    const deep = parse('{ ' + 'a { '.repeat(1_500) + 'b' + ' }'.repeat(1_500) + ' }', { maxTokens: 100_000 });
    expect(measureDocument(deep).depth).toBe(Infinity);
  });
});

describe('the document gate as a validation rule', () => {
  it('reports the limit and ends validation: no other rule runs on the refused document', () => {
    const rules = [...specifiedRules, ...operationLimits({ ...LIMIT_DEFAULTS, maxAliases: 2 }).validationRules];
    // Unknown fields that every other rule would report, behind one alias too many.
    const tiny = sdl('type Query { a: Int }');
    const errors = validate(tiny, parse('{ a: nope b: nope c: nope }'), rules);
    expect(errors.map((e) => e.extensions)).toEqual([{ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'aliases', max: 2, actual: 3, http: { status: 400 } }]);
    expect(validate(tiny, parse('{ a: nope }'), rules).map((e) => e.message)).toEqual(['Cannot query field "nope" on type "Query".']);
  });
});

describe('operation cost', () => {
  it('is 1 per object, 0 per scalar, the weight of weighted fields, and CALL_POINTS per upstream call', () => {
    expect(cost('{ customer(id: "x") { id email } }')).toBe(1);
    // The payment (1) is a Stripe retrieve (one call); its amount is one more object.
    expect(cost('{ payment(id: "pi_x") { id amount { formatted } } }')).toBe(1 + CALL_POINTS + 1);
    expect(cost('mutation { complete(input: { prompt: "hi" }) { text usage { totalTokens } } }')).toBe(FIELD_WEIGHTS['Mutation.complete']! + 1);
  });

  it('charges an edge without a batched route a call per item, and a batched one its share of a batch', () => {
    const page = (args: string) => cost(`{ customers(first: 50) { edges { node { id payments(${args}) { edges { node { id } } } } } } }`)!;
    // Searched ten customers a call: 50 customers are 5 calls...
    const searched = page('first: 3');
    // ...while later pages take the list API, one call per customer: 45 calls more.
    expect(page('first: 3, after: "pi_demo000101"') - searched).toBe(45 * CALL_POINTS);
    // A page of 100 is listed too (one more edge and node per customer besides).
    expect(page('first: 100') - page('first: 99')).toBe(45 * CALL_POINTS + 50 * 2);
    // Two payments read one by one (a refund's payment, Stripe has no batch retrieve) are two calls.
    expect(cost('{ payment(id: "pi_x") { refunds { payment { id } } } }')).toBe(1 + CALL_POINTS + 1 + 1 + CALL_POINTS);
  });

  it("charges a payment's refunds no call: they come with the payment", () => {
    const withRefunds = cost('{ customers(first: 50) { edges { node { payments(first: 10) { edges { node { id refunds { id } } } } } } } }')!;
    const without = cost('{ customers(first: 50) { edges { node { payments(first: 10) { edges { node { id } } } } } } }')!;
    // One object (the list) per payment, nothing for calls.
    expect(withRefunds - without).toBe(50 * 10);
  });

  it("multiplies a connection's children by its first, defaults and variables included", () => {
    // customers: 2 + first x (edges 1 + node 1 + crmContact 1 + a hundredth of a HubSpot batch read)
    expect(cost('{ customers(first: 10) { edges { node { id crmContact { company } } } } }')).toBe(2 + 10 * (3 + CALL_POINTS / 100));
    expect(cost('{ customers { edges { node { id } } } }')).toBe(2 + 20 * 2);
    expect(cost('query($n: Int) { customers(first: $n) { edges { node { id } } } }', { n: 50 })).toBe(2 + 50 * 2);
  });

  it('prices the README nested query well under the default limit, and nested first: 1000 far over it', () => {
    const nested = `{ customers(first: 50) { totalCount pageInfo { hasNextPage } edges { node { id email
      payments(first: 3) { edges { node { id amount { formatted } status customer { id } } } pageInfo { hasNextPage } }
      crmContact { company } } } } }`;
    expect(cost(nested)).toBeLessThan(LIMIT_DEFAULTS.maxCost / 5);
    const hostile = '{ customers(first: 1000) { edges { node { payments(first: 1000) { edges { node { refunds { id } } } } } } } }';
    expect(cost(hostile)).toBeGreaterThan(LIMIT_DEFAULTS.maxCost * 100);
  });

  it('is unknown (left to execution to refuse) when the variables do not coerce', () => {
    expect(cost('query($n: Int) { customers(first: $n) { totalCount } }', { n: 'many' })).toBeUndefined();
  });
});

describe('operation cost, remembered per document', () => {
  it('lists every argument a rule of UPSTREAM_CALLS reads in COST_ARGUMENTS', () => {
    const read = new Set<string>();
    const recording = (values: Record<string, unknown>) => new Proxy(values, { get: (t, name) => (read.add(String(name)), t[String(name)]) });
    for (const values of [{}, { first: 100 }, { first: 5, after: 'c' }])
      for (const rule of Object.values(UPSTREAM_CALLS)) if (typeof rule === 'function') rule(recording(values));
    expect([...read].filter((name) => !COST_ARGUMENTS.includes(name))).toEqual([]);
  });

  it('answers what operationCost answers, for every change of a variable the cost reads', () => {
    const cached = cachedOperationCost();
    const doc = parse(`
      query Page($n: Int = 10, $after: String, $deep: Boolean!, $id: ID!) {
        customer(id: $id) { id payments(first: $n, after: $after) { edges { node { id } } } }
        customers(first: $n) { edges { node { id crmContact @include(if: $deep) { id } } } }
      }
      query Other($id: ID!) { customer(id: $id) { id } }`);
    const cases: [Record<string, unknown>, string][] = [
      [{ id: 'a', deep: false }, 'Page'],
      [{ id: 'b', deep: false }, 'Page'],
      [{ id: 'a', deep: true }, 'Page'],
      [{ id: 'a', deep: true, n: 3 }, 'Page'],
      [{ id: 'a', deep: true, n: null }, 'Page'],
      [{ id: 'a', deep: true, n: 3, after: 'x' }, 'Page'],
      [{ id: 'a', deep: true, n: 100 }, 'Page'],
      [{ id: 'a' }, 'Other'],
    ];
    const seen = new Set<number | undefined>();
    for (let round = 0; round < 2; round++)
      for (const [variables, name] of cases) {
        const expected = operationCost(schema, doc, variables, name);
        seen.add(expected);
        expect(cached(schema, doc, variables, name)).toBe(expected);
      }
    expect(seen.size).toBeGreaterThan(4);
  });

  it('still refuses variables that do not coerce once a valid repeat is remembered', () => {
    const cached = cachedOperationCost();
    const doc = parse('query($id: ID!, $n: Int) { customer(id: $id) { id payments(first: $n) { totalCount } } }');
    expect(cached(schema, doc, { id: 'a', n: 5 }, undefined)).toBe(operationCost(schema, doc, { id: 'a', n: 5 }, undefined));
    expect(cached(schema, doc, { id: 42.5, n: 5 }, undefined)).toBeUndefined();
    expect(cached(schema, doc, { n: 5 }, undefined)).toBeUndefined();
  });

  it('computes a document once for values it has seen, whatever the variables the cost does not read', () => {
    let calls = 0;
    const cached = cachedOperationCost({ upstreamCalls: { 'Query.customer': () => (calls++, 1) }, costArguments: COST_ARGUMENTS });
    const doc = parse('query($id: ID!) { customer(id: $id) { id } }');
    for (const id of ['a', 'b', 'c']) expect(cached(schema, doc, { id }, undefined)).toBe(1 + CALL_POINTS);
    expect(calls).toBe(1);
    // A model with rules of its own and no list of the arguments they read is never remembered.
    calls = 0;
    const unlisted = cachedOperationCost({ upstreamCalls: { 'Query.customer': () => (calls++, 1) } });
    for (const id of ['a', 'b']) unlisted(schema, doc, { id }, undefined);
    expect(calls).toBe(2);
  });
});

// The permission matrix, proven: every field of the schema, for every role, answers as
// docs/permissions.md (generated from the rules) says. Two walks: real operations through the
// shielded server for every field a principal can reach, and every rule against the matrix with
// the customer's own records and another customer's, also where the graph cannot reach a field.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Principal } from '../../src/auth/principal.ts';
import { createContext } from '../../src/context.ts';
import { DOC_PATH, renderPermissionsDoc } from '../../src/permissions/docs.ts';
import { POLICIES } from '../../src/permissions/index.ts';
import { decide } from '../../src/permissions/rules.ts';
import { buildSchema } from '../../src/schema.ts';
import { newScope } from '../../src/pipeline/scope.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { OTHER, OWN, principalFor } from '../helpers/principals.ts';
import { allows, isObjectField, namedTypeName, readDocMatrix, schemaFields } from '../helpers/matrix.ts';

const schema = buildSchema();
const FIELDS = schemaFields(schema);
const DOC = readDocMatrix();

const PRINCIPALS: [string, Principal][] = [
  ['admin', principalFor('admin')],
  ['operator', principalFor('operator')],
  ['app', principalFor('app')],
  ['app with pii:read', principalFor('app', { grants: ['pii:read'] })],
  ['customer', principalFor('customer', { customerId: OWN.customer })],
  ['service (customers:read payments:read)', principalFor('service', { grants: ['customers:read', 'payments:read'] })],
  [
    'service (crm:read pii:read writes ai:complete)',
    principalFor('service', { grants: ['crm:read', 'pii:read', 'customers:write', 'payments:write', 'ai:complete'] }),
  ],
  ['anonymous', principalFor('anonymous')],
];

// Arguments of the fields that need them, pointing at the customer role's own data.
const ARGS: Record<string, string> = {
  'Query.customer': `(id: "${OWN.customer}")`,
  'Query.customers': '(first: 2)',
  'Query.payment': `(id: "${OWN.payment}")`,
  'Query.crmContact': `(id: "${OWN.contact}")`,
  'Customer.payments': '(first: 5)',
  // Allowed mutations fail in their resolvers on this input, before any upstream call: the
  // answer is then BAD_USER_INPUT, never a permission error.
  'Mutation.createCustomer': '(input: { email: "matrix@example.com", name: "\\u0001" })',
  'Mutation.createPayment': `(input: { customerId: "${OWN.customer}", amount: 100, currency: "USD", idempotencyKey: "short" })`,
  'Mutation.refundPayment': `(input: { paymentId: "${OWN.payment}", idempotencyKey: "short" })`,
  'Mutation.complete': '(input: { prompt: "a", messages: [{ role: USER, content: "b" }] })',
  'Mutation.embed': '(input: { texts: [] })',
  'Subscription.completeStream': '(input: { prompt: "a", messages: [{ role: USER, content: "b" }] })',
  'Mutation.replayWebhookEvent': '(id: "not-an-event-id")',
  'Mutation.replayWebhookEvents': '(filter: { from: "2030-01-02T00:00:00Z", to: "2030-01-01T00:00:00Z" })',
  'Query.workflowRun': '(id: "wfr_000000000000000000000000")',
  'Query.revenueReport': '(from: "2026-01-01", to: "2026-01-31")',
  'Query.paymentsReport': '(from: "2026-01-01", to: "2026-01-31")',
  'Mutation.runReconciliation': '(fix: false, deleteStrays: true)',
  'Mutation.retryWorkflowRun': '(id: "not-a-run-id")',
  'Query.reconciliation': '(id: "not-a-run-id")',
  'Mutation.compensateWorkflowRun': '(id: "not-a-run-id")',
  'Mutation.createApiKey': '(input: { name: "matrix", role: "nobody" })',
  'Mutation.revokeApiKey': '(id: "not-a-key-id")',
};

const viaCustomer = ['customer', 'customers.edges.node', 'payment.customer', 'crmContact.customer'];
// How to reach an instance of each type (paths of field names from the root), own data first.
const REACH: Record<string, { op: 'query' | 'mutation' | 'subscription'; paths: string[] }> = {
  Query: { op: 'query', paths: [''] },
  Mutation: { op: 'mutation', paths: [''] },
  Subscription: { op: 'subscription', paths: [''] },
  AiStreamEvent: { op: 'subscription', paths: ['completeStream'] },
  AiEmbedding: { op: 'mutation', paths: ['embed'] },
  AiUsageReport: { op: 'query', paths: ['aiUsage'] },
  AiUsageGroup: { op: 'query', paths: ['aiUsage.groups'] },
  AiUsageTotals: { op: 'query', paths: ['aiUsage.totals'] },
  AiBudget: { op: 'query', paths: ['aiBudgets'] },
  Customer: { op: 'query', paths: viaCustomer },
  CustomerConnection: { op: 'query', paths: ['customers'] },
  CustomerEdge: { op: 'query', paths: ['customers.edges'] },
  PageInfo: { op: 'query', paths: ['customer.payments.pageInfo', 'customers.pageInfo'] },
  Payment: { op: 'query', paths: ['payment', 'customer.payments.edges.node'] },
  PaymentConnection: { op: 'query', paths: ['customer.payments'] },
  PaymentEdge: { op: 'query', paths: ['customer.payments.edges'] },
  Refund: { op: 'query', paths: ['payment.refunds', 'customer.payments.edges.node.refunds'] },
  Money: { op: 'query', paths: ['payment.amount', 'customer.totalPaid'] },
  CrmContact: { op: 'query', paths: ['crmContact', 'customer.crmContact'] },
  AiCompletion: { op: 'mutation', paths: ['complete'] },
  AiUsage: { op: 'mutation', paths: ['complete.usage'] },
  AiAttempt: { op: 'mutation', paths: ['complete.attempts'] },
  AuditEventConnection: { op: 'query', paths: ['auditEvents'] },
  AuditEventEdge: { op: 'query', paths: ['auditEvents.edges'] },
  AuditEvent: { op: 'query', paths: ['auditEvents.edges.node'] },
  AuditConnectorCall: { op: 'query', paths: ['auditEvents.edges.node.calls'] },
  AuditAiCall: { op: 'query', paths: ['auditEvents.edges.node.ai'] },
  AuditAlert: { op: 'query', paths: ['auditEvents.edges.node.alert'] },
  AuditWebhook: { op: 'query', paths: ['auditEvents.edges.node.webhook'] },
  ConnectorStatus: { op: 'query', paths: ['connectors'] },
  ConnectorQuota: { op: 'query', paths: ['connectors.quota'] },
  ConnectorError: { op: 'query', paths: ['connectors.lastError', 'connectors.recentErrors'] },
  ConnectorPoint: { op: 'query', paths: ['connectors.series'] },
  ConnectorPolicy: { op: 'query', paths: ['connectors.policy'] },
  Alert: { op: 'query', paths: ['alerts'] },
  WebhookBacklogCount: { op: 'query', paths: ['webhookBacklog'] },
  AuditChainStatus: { op: 'query', paths: ['auditChain'] },
  ApiKey: { op: 'query', paths: ['apiKeys'] },
  // Reached only through createApiKey, which the matrix's input refuses (BAD_USER_INPUT).
  CreatedApiKey: { op: 'mutation', paths: ['createApiKey'] },
  WebhookEventConnection: { op: 'query', paths: ['webhookEvents'] },
  WebhookEventEdge: { op: 'query', paths: ['webhookEvents.edges'] },
  WebhookEvent: { op: 'query', paths: ['webhookEvents.edges.node'] },
  WorkflowRunConnection: { op: 'query', paths: ['workflowRuns'] },
  WorkflowRunEdge: { op: 'query', paths: ['workflowRuns.edges'] },
  WorkflowRun: { op: 'query', paths: ['workflowRuns.edges.node'] },
  WorkflowStep: { op: 'query', paths: ['workflowRuns.edges.node.steps'] },
  RevenueReport: { op: 'query', paths: ['revenueReport'] },
  RevenueDay: { op: 'query', paths: ['revenueReport.days'] },
  RevenueTotal: { op: 'query', paths: ['revenueReport.totals'] },
  PaymentsReport: { op: 'query', paths: ['paymentsReport'] },
  PaymentStatusSum: { op: 'query', paths: ['paymentsReport.groups'] },
  LifecycleStageCount: { op: 'query', paths: ['customersByLifecycleStage'] },
  SyncRun: { op: 'query', paths: ['syncRuns'] },
  SyncProgress: { op: 'query', paths: ['syncRuns.progress'] },
  SyncCount: { op: 'query', paths: ['syncRuns.counts'] },
  DriftCount: { op: 'query', paths: ['syncRuns.driftCounts'] },
  Drift: { op: 'query', paths: ['syncRuns.drift'] },
};
// Types the demo data may hold no instance of (an empty audit trail or inbox, no connector error yet): a
// permitted walk finds nothing there to check. The rule-level test below covers them whole.
const MAY_BE_ABSENT = new Set([
  'AuditEventEdge',
  'AuditEvent',
  'AuditConnectorCall',
  'AuditAiCall',
  'AuditAlert',
  'AuditWebhook',
  'ConnectorQuota',
  'ConnectorError',
  // Nothing fires in the matrix's stack, and it issues no API key.
  'Alert',
  'ApiKey',
  'CreatedApiKey',
  'WebhookEventEdge',
  'WebhookEvent',
  // The test stack's capabilities have no budget.
  'AiBudget',
  'WorkflowRunEdge',
  'WorkflowRun',
  'WorkflowStep',
  // No payment is mirrored in the matrix's stack (no webhook has come in).
  'RevenueDay',
  'RevenueTotal',
  'PaymentStatusSum',
  // No import or reconciliation has run (unless the matrix's own runImport got there first).
  'SyncRun',
  'SyncProgress',
  'SyncCount',
  'DriftCount',
  'Drift',
]);
const PATH_ARGS: Record<string, string> = {
  ...ARGS,
  'Mutation.complete': '(input: { prompt: "Say hi" })',
  'Mutation.embed': '(input: { texts: ["hi"] })',
  'Subscription.completeStream': '(input: { prompt: "Say hi" })',
};

/** One operation as a client sends it; a subscription's answer is its first event (or its refusal). */
async function runOp(stack: Stack, op: 'query' | 'mutation' | 'subscription', text: string, as: Principal) {
  if (op !== 'subscription') return stack.run(text, undefined, as);
  const abort = new AbortController();
  const res = await stack.subscribe(text, undefined, as, abort.signal);
  if (!(Symbol.asyncIterator in res)) return res as Awaited<ReturnType<Stack['run']>>;
  const first = await res.next();
  abort.abort();
  await res.return();
  return (first.value ?? {}) as Awaited<ReturnType<Stack['run']>>;
}

/** The Type.field of each step of a path. */
function steps(root: string, path: string): string[] {
  const out: string[] = [];
  let type = root;
  for (const name of path ? path.split('.') : []) {
    const field = FIELDS.get(type)?.[name];
    if (!field) throw new Error(`no field ${type}.${name}`);
    out.push(`${type}.${name}`);
    type = namedTypeName(field.type);
  }
  return out;
}

/** `a(args) { b { field(args) } }`: path steps take PATH_ARGS, the field under test ARGS. */
function selection(stepsAndField: string[], leafIsObject: boolean): string {
  const last = stepsAndField.length - 1;
  return stepsAndField.reduceRight((inner, tf, i) => {
    const name = tf.split('.')[1]!;
    const sub = i === last ? (leafIsObject ? ' { __typename }' : '') : ` { ${inner} }`;
    return `${name}${(i === last ? ARGS : PATH_ARGS)[tf] ?? ''}${sub}`;
  }, '');
}

type Outcome = 'allowed' | 'FORBIDDEN' | 'UNAUTHENTICATED' | `blocked at ${string}` | 'absent';
type GqlError = { path?: unknown; extensions?: Record<string, unknown> };

/** Whether the data holds the last name of the path, under every list on the way. */
function reached(data: unknown, names: string[]): boolean {
  if (Array.isArray(data)) return data.some((d) => reached(d, names));
  if (data === null || typeof data !== 'object') return false;
  const [head, ...rest] = names;
  if (!(head! in data)) return false;
  return rest.length === 0 || reached((data as Record<string, unknown>)[head!], rest);
}

/** The outcome at the field, where `names` is its path of field names below the root alias. */
function outcome(data: Record<string, unknown> | null | undefined, errors: GqlError[], alias: string, names: string[]): Outcome {
  const mine = errors
    .filter((e) => Array.isArray(e.path) && e.path[0] === alias)
    .map((e) => ({ path: (e.path as unknown[]).slice(1).filter((s) => typeof s === 'string'), code: e.extensions?.code as string }));
  const at = mine.find((e) => e.path.join('.') === names.join('.'));
  if (at) return at.code === 'FORBIDDEN' || at.code === 'UNAUTHENTICATED' ? at.code : 'allowed';
  const above = mine.find((e) => names.join('.').startsWith(e.path.join('.')) && (e.code === 'FORBIDDEN' || e.code === 'UNAUTHENTICATED'));
  if (above) return `blocked at ${above.path.join('.')}`;
  return reached(data, [alias, ...names]) ? 'allowed' : 'absent';
}

describe('docs/permissions.md', () => {
  it('is what the rules generate (npm run docs:permissions)', () => {
    expect(readFileSync(DOC_PATH, 'utf8')).toBe(renderPermissionsDoc());
  });

  it('documents every field of every object type of the schema, and nothing else', () => {
    const inSchema = [...FIELDS].flatMap(([type, fields]) => Object.keys(fields).map((f) => `${type}.${f}`)).sort();
    expect([...DOC.keys()].sort()).toEqual(inSchema);
    expect(Object.keys(REACH).sort()).toEqual([...FIELDS.keys()].sort());
  });
});

describe('permission matrix', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('pglite');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it.each(PRINCIPALS)('%s: every field answers as docs/permissions.md says', async (_name, principal) => {
    const seen: string[] = [];
    for (const [type, fields] of FIELDS) {
      const { op, paths } = REACH[type]!;
      const root = op === 'query' ? 'Query' : op === 'mutation' ? 'Mutation' : 'Subscription';
      const candidates = paths.map((p) => steps(root, p));
      // The first way in that the matrix says this principal may take, else the first (and it must be refused on the way).
      const open = candidates.find((s) => s.every((tf) => allows(DOC.get(tf)![principal.role], principal)));
      const path = open ?? candidates[0]!;
      const names = Object.keys(fields);
      const probes = names.map((f, i) => `f${i}: ${selection([...path, `${type}.${f}`], isObjectField(schema, fields[f]!))}`);
      // One operation per field: an error on a non-null field nulls its parents up to the root,
      // taking the answers of its siblings with it.
      const results = await Promise.all(probes.map((p) => runOp(stack, op, `${op} { ${p} }`, principal)));
      const res = { data: Object.assign({}, ...results.map((r) => r.data ?? {})) as Record<string, unknown>, errors: results.flatMap((r) => r.errors ?? []) };
      names.forEach((f, i) => {
        const tf = `${type}.${f}`;
        // The alias stands for the first field of the path.
        const got = outcome(res.data, res.errors, `f${i}`, [...path.map((s) => s.split('.')[1]!), f].slice(1));
        const cell = DOC.get(tf)![principal.role];
        if (!open) {
          // Unreachable for this principal: refused at the first step it may not take.
          expect(got, `${tf} (${cell}) should be unreachable`).toMatch(/^blocked at /);
          return;
        }
        const want = allows(cell, principal) ? 'allowed' : principal.role === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN';
        if (got === 'absent' && want === 'allowed' && MAY_BE_ABSENT.has(type)) return;
        expect(got, `${tf}: cell "${cell}"`).toBe(want);
        seen.push(tf);
      });
      // Allowed mutations reached their resolvers, which refused the input: BAD_USER_INPUT, not a permission error.
      if (type === 'Mutation' || type === 'Subscription') {
        for (const e of res.errors) expect(['BAD_USER_INPUT', 'FORBIDDEN', 'UNAUTHENTICATED']).toContain(e.extensions?.code);
      }
    }
    // Admin reaches every field but those of types with no instance in the demo data.
    if (principal.role === 'admin') expect(seen.length).toBeGreaterThanOrEqual([...DOC.keys()].filter((tf) => !MAY_BE_ABSENT.has(tf.split('.')[0]!)).length);
  });

  it("every rule agrees with the matrix for every role, with own and other customers' records", async () => {
    const { connectors } = stack;
    const [ownCustomer, otherCustomer] = await connectors.store.customers.byIds([OWN.customer, OTHER.customer]);
    const [ownPayment, otherPayment] = await connectors.payments.getPayments([OWN.payment, OTHER.payment]);
    const [ownRefunds, otherRefunds] = (await connectors.payments.refundsForPayments([OWN.payment, OTHER.payment])) as unknown[][];
    const [ownContact, otherContact] = await connectors.crm.getContacts([OWN.contact, OTHER.contact]);
    expect([ownRefunds!.length, otherRefunds!.length]).toEqual([1, 1]);
    const parents: Record<string, [unknown, unknown]> = {
      Customer: [ownCustomer, otherCustomer],
      Payment: [ownPayment, otherPayment],
      Refund: [ownRefunds![0], otherRefunds![0]],
      CrmContact: [ownContact, otherContact],
    };
    const args: Record<string, [Record<string, unknown>, Record<string, unknown>]> = {
      'Query.customer': [{ id: OWN.customer }, { id: OTHER.customer }],
      'Query.payment': [{ id: OWN.payment }, { id: OTHER.payment }],
      'Query.crmContact': [{ id: OWN.contact }, { id: OTHER.contact }],
    };
    const ctx = (p: Principal) =>
      createContext({
        requestId: 'rules',
        principal: p,
        logger: stack.server.app.log as never,
        connectors,
        signal: new AbortController().signal,
        scope: newScope('rules'),
      });
    let checked = 0;
    for (const [type, fields] of Object.entries(POLICIES)) {
      for (const [field, policy] of Object.entries(fields)) {
        const tf = `${type}.${field}`;
        const cells = DOC.get(tf)!;
        for (const role of ROLES) {
          const cell = cells[role];
          // Scopes a key or token may add (a service's, an app's pii:read): the role with them, then without.
          const grants = (role === 'service' ? (cell === 'yes' ? [] : cell.split(' ')) : cell.startsWith('with ') ? cell.slice(5).split(' ') : []) as never[];
          const holders = [
            principalFor(role, { customerId: OWN.customer, grants }),
            ...(grants.length ? [principalFor(role, { customerId: OWN.customer })] : []),
          ];
          for (const [i, p] of holders.entries()) {
            const [ownParent, otherParent] = parents[type] ?? [undefined, undefined];
            const [ownArgs, otherArgs] = args[tf] ?? [{}, {}];
            const onOwn = await decide(policy, tf, ownParent, ownArgs, ctx(p));
            expect(onOwn === true, `${tf} as ${role}#${i} (${cell}) on own data`).toBe(allows(cell, p));
            if (onOwn !== true) expect(onOwn.extensions.code).toBe(role === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN');
            if (role === 'customer' && cell === 'own') {
              const onOther = await decide(policy, tf, otherParent, otherArgs, ctx(p));
              expect(onOther === true, `${tf} as customer on another customer's data`).toBe(false);
            }
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(DOC.size * ROLES.length);
  });
});

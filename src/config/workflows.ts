// The durable workflows' part of the configuration (README: "Workflows").
import { z } from 'zod';
import type { Config } from '../config.ts';
import type { InstanceConfig } from '../connectors/module.ts';
import { count, invalid } from './env.ts';

/** The workflows an event can start (src/workflows/triggers.ts), by the name WORKFLOW_TRIGGERS takes. */
export const TRIGGERS = ['paymentSucceeded', 'crmContactCreated', 'customerFieldSync'] as const;
export type TriggerName = (typeof TRIGGERS)[number];

/** The fields the two-way sync keeps equal in the store, the CRM and the payments provider, and the systems that may own one. */
export const SYNCED_FIELDS = ['email', 'name'] as const;
export type SyncedField = (typeof SYNCED_FIELDS)[number];
export const FIELD_OWNERS = ['crm', 'payments'] as const;
export type FieldOwner = (typeof FIELD_OWNERS)[number];
export type FieldOwners = Record<SyncedField, FieldOwner>;

// Both fields owned by the CRM unless configured: it is where people edit a contact's details by
// hand (sales, support), and its email is the contact's identity there; the payments provider's
// copy is what receipts are sent to, and follows it.
const DEFAULT_OWNERS: FieldOwners = { email: 'crm', name: 'crm' };
const OWNERS_PATTERN = new RegExp(`^\\s*(${SYNCED_FIELDS.join('|')})\\s*=\\s*(${FIELD_OWNERS.join('|')})\\s*$`);

export const WorkflowsEnv = {
  WORKFLOW_WAIT_MS: count(0, 60_000).default(5_000),
  WORKFLOW_MAX_ATTEMPTS: count(1, 100).default(8),
  WORKFLOW_RETRY_DELAY_MS: count(0, 3_600_000).default(1_000),
  WORKFLOW_RETRY_DELAY_MAX_MS: count(0, 3_600_000).default(60_000),
  WORKFLOW_ATTENTION_RETRY_SECONDS: count(1, 86_400).default(300),
  WORKFLOW_LEASE_MS: count(1_000, 3_600_000).default(30_000),
  // Test-only fault hook: comma-separated `<workflow>.<step>:<before-journal|after>` points at
  // which the process SIGKILLs itself, on runs it started. Refused with NODE_ENV=production.
  WORKFLOW_TEST_CRASH: z
    .string()
    .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+:(before-journal|after)(,[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+:(before-journal|after))*$/)
    .optional(),
  // Which triggered workflows run: comma-separated names, or `none`. Unset: all of them when the
  // CRM is emulated (demo), none against a live CRM, whose custom property must be defined first.
  WORKFLOW_TRIGGERS: z
    .string()
    .trim()
    .refine(
      (v) => v === 'none' || v.split(',').every((n) => (TRIGGERS as readonly string[]).includes(n.trim())),
      `WORKFLOW_TRIGGERS must be none or a comma-separated list of: ${TRIGGERS.join(', ')}`,
    )
    .optional(),
  // Which system owns each synced field (customerFieldSync): `field=owner` pairs, comma-separated,
  // e.g. `email=crm,name=payments`; a field left out keeps its default owner (crm).
  SYNC_FIELD_OWNERS: z
    .string()
    .refine(
      (v) => v.trim() === '' || v.split(',').every((pair) => OWNERS_PATTERN.test(pair)),
      `SYNC_FIELD_OWNERS must be comma-separated field=owner pairs, each field one of ${SYNCED_FIELDS.join(', ')} and each owner one of ${FIELD_OWNERS.join(', ')}`,
    )
    .optional(),
  // A CRM property's internal name: lower-case letters, digits and underscores, from a letter.
  CRM_TOTAL_PAID_PROPERTY: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,99}$/, 'CRM_TOTAL_PAID_PROPERTY must be a CRM property internal name (a-z, 0-9, _; from a letter; at most 100)')
    .default('switchyard_total_paid'),
};

export interface WorkflowsConfig {
  /** How long createCustomer (and any caller that waits for a run) waits before answering with what stands. */
  waitMs: number;
  /** Attempts of one step (or compensation) before its run needs attention. */
  maxAttempts: number;
  /** First delay between attempts; doubled each attempt (with jitter) up to retryDelayMaxMs. */
  retryDelayMs: number;
  retryDelayMaxMs: number;
  /** A run that needs attention after transient failures is still tried this often, so it completes once the upstream is back. */
  attentionRetrySeconds: number;
  /** A process holds a run this long without a heartbeat; then any replica's sweep takes it over. */
  leaseMs: number;
  /** Test only (see WORKFLOW_TEST_CRASH). */
  testCrash: string[];
  /** The triggered workflows that events start (WORKFLOW_TRIGGERS). */
  triggers: TriggerName[];
  /** The CRM contact property paymentSucceeded writes the customer's total paid to. */
  totalPaidProperty: string;
  /** Which system wins for each synced field (SYNC_FIELD_OWNERS). */
  fieldOwners: FieldOwners;
}

type WorkflowsEnvValues = z.infer<z.ZodObject<typeof WorkflowsEnv>>;

/** WORKFLOW_TRIGGERS, or its default: every trigger when the CRM is the emulator, none against a live one. */
function triggersOf(value: string | undefined, connectors: readonly InstanceConfig[]): TriggerName[] {
  if (value === 'none') return [];
  if (value) return [...new Set(value.split(',').map((n) => n.trim() as TriggerName))];
  return connectors.some((c) => c.kind === 'crm' && c.mode === 'demo') ? [...TRIGGERS] : [];
}

function ownersOf(value: string | undefined): FieldOwners {
  const owners = { ...DEFAULT_OWNERS };
  for (const pair of value?.trim() ? value.split(',') : []) {
    const [, field, owner] = OWNERS_PATTERN.exec(pair)!;
    owners[field as SyncedField] = owner as FieldOwner;
  }
  return owners;
}

export function workflowsConfig(e: WorkflowsEnvValues & { NODE_ENV: string }, connectors: readonly InstanceConfig[] = []): Pick<Config, 'workflows'> {
  if (e.WORKFLOW_TEST_CRASH && e.NODE_ENV === 'production')
    throw invalid('WORKFLOW_TEST_CRASH', 'a test-only fault hook; must not be set when NODE_ENV=production');
  return {
    workflows: {
      waitMs: e.WORKFLOW_WAIT_MS,
      maxAttempts: e.WORKFLOW_MAX_ATTEMPTS,
      retryDelayMs: e.WORKFLOW_RETRY_DELAY_MS,
      retryDelayMaxMs: e.WORKFLOW_RETRY_DELAY_MAX_MS,
      attentionRetrySeconds: e.WORKFLOW_ATTENTION_RETRY_SECONDS,
      leaseMs: e.WORKFLOW_LEASE_MS,
      testCrash: e.WORKFLOW_TEST_CRASH ? e.WORKFLOW_TEST_CRASH.split(',') : [],
      triggers: triggersOf(e.WORKFLOW_TRIGGERS, connectors),
      totalPaidProperty: e.CRM_TOTAL_PAID_PROPERTY,
      fieldOwners: ownersOf(e.SYNC_FIELD_OWNERS),
    },
  };
}

// What a workflow is made of, as a developer writes one (one file each, see createCustomer.ts):
// a name, the input's schema, and an ordered list of steps, each with an optional compensation.
// The engine (engine.ts) journals every attempt, resumes at the first step without a journaled
// result, and runs the compensations of the completed steps, in reverse, after a permanent failure.
import type { z } from 'zod';
import type { Logger } from 'pino';
import type { Connectors } from '../connectors/index.ts';
import type { Db } from '../connectors/store/db.ts';
import type { DomainChange } from '../connectors/domain/events.ts';
import type { WorkflowsConfig } from '../config/workflows.ts';
import type { WorkflowEngine } from './engine.ts';

export interface StepContext<I> {
  runId: string;
  input: I;
  /** The journaled results of the steps before this one, by step name. */
  results: Readonly<Record<string, unknown>>;
  /** Derived from (run, step): the same on every attempt of this step, so a re-run acts once upstream. */
  idempotencyKey: string;
  /** This step's attempt, from 1. */
  attempt: number;
  connectors: Connectors;
  logger: Logger;
  /** Aborted when this process loses the run (stopping, or its lease passed to another replica). Never the client's. */
  signal: AbortSignal;
}

export interface CompensationContext<I> extends StepContext<I> {
  /** The result the step being undone journaled. */
  result: unknown;
}

export interface StepDefinition<I> {
  name: string;
  /**
   * Runs in the transaction that starts the run (with its journal rows and its job), so what it
   * writes exists exactly when the run does; only a first step may, and it must touch no upstream.
   */
  atStart?: (tx: Db, ctx: StepContext<I>) => Promise<unknown>;
  /** The step itself; what it returns is journaled (JSON) and given to later steps. */
  run?: (ctx: StepContext<I>) => Promise<unknown>;
  /** Undoes a completed step after a later one failed for good. Idempotent: it may run again after a crash. */
  compensate?: (ctx: CompensationContext<I>) => Promise<void>;
  /** One line for the graph's result summary (default: the result's JSON, cut short). */
  summary?: (result: unknown) => string;
}

/** What the run's subject (e.g. the customer) should show at a turn of the run. */
export interface WorkflowHooks<I> {
  /** A step failed for now and will be retried: the reason, for a visible pending status. */
  pending?: (ctx: StepContext<I>, reason: string) => Promise<void>;
  /** The run needs a person (a compensation failed, or an upstream stayed down past the limit). */
  needsAttention?: (ctx: StepContext<I>, reason: string, phase: 'forward' | 'compensating') => Promise<void>;
}

export interface WorkflowDefinition<I = unknown> {
  /** Letters, digits, `_`, `-`: the journal's and the graph's name for it. */
  name: string;
  input: z.ZodType<I>;
  /** What the run is about, for the graph's filter (e.g. the customer id). */
  subject: (input: I) => string | null;
  /** The part of the input an idempotency key is checked against (default: all of it). */
  digestOf?: (input: I) => unknown;
  steps: StepDefinition<I>[];
  hooks?: WorkflowHooks<I>;
}

export const defineWorkflow = <I>(def: WorkflowDefinition<I>): WorkflowDefinition<I> => def;

/** An applied webhook event, as a trigger sees it. */
export interface AppliedEvent {
  /** The connector instance it came from. */
  provider: string;
  eventId: string;
  type: string;
}

/** What a trigger is given besides the change: the event's transaction, and the services. */
export interface TriggerContext {
  /** The transaction that marks the event processed: every read and the run's start go on it. */
  tx: Db;
  engine: WorkflowEngine;
  event: AppliedEvent;
  config: WorkflowsConfig;
  connectors: Connectors;
  logger: Logger;
}

/**
 * Starts the workflow a change calls for, or nothing: it reads current state (the change is the
 * object as its system has it now, never an event's claimed values), and names an idempotency
 * scope, so a duplicate or replayed event starts no second run. Listed in triggers.ts by the name
 * WORKFLOW_TRIGGERS takes.
 */
export type Trigger = (change: DomainChange, ctx: TriggerContext) => Promise<unknown>;

// What a connector module declares about its outside system, in one place: its name and domain
// kind, its environment variables, its policy defaults, its error classifier (inside its client),
// its emulator and how it builds its instances. The registry (registry.ts) lists the modules;
// config.ts assembles their variables; createConnectors (index.ts) builds what they configure;
// startEmulators starts their emulators. Nothing else knows a module by name.
import type { z } from 'zod';
import type { Logger } from 'pino';
import type { Emulator } from '../emulators/http.ts';
import type { CallPolicy } from '../pipeline/policies.ts';
import type { Pipeline } from '../pipeline/index.ts';
import type { SeedCustomer } from '../demo/seed.ts';
import type { AiProvider } from './domain/ai.ts';
import type { CrmConnector } from './domain/crm.ts';
import type { ConnectorMode } from './domain/info.ts';
import type { Notifier } from './domain/notify.ts';
import type { PaymentsConnector } from './domain/payments.ts';
import type { DomainChange, InboundEvent, WebhookDelivery } from './domain/events.ts';

/** What each kind gives the rest of Switchyard: its domain interface. */
export interface ConnectorKinds {
  payments: PaymentsConnector;
  crm: CrmConnector;
  ai: AiProvider;
  notify: Notifier;
}
export type ConnectorKind = keyof ConnectorKinds;

/** DEMO as set: auto (emulate what has no credentials), true (emulate everything), false (never). */
export type DemoSetting = 'auto' | 'true' | 'false';

/** One configured instance of a module: its own breaker, quota and cache namespace under `name`. */
export interface InstanceConfig<S = unknown> {
  /** Unique across instances; the module's name for its first instance. */
  name: string;
  module: string;
  kind: ConnectorKind;
  /** demo: its emulator answers; live: the configured endpoint; off: not configured (optional systems). */
  mode: ConnectorMode | 'off';
  /** The module's own settings, read from its variables. */
  settings: S;
}

export interface ModuleEnvContext {
  demo: DemoSetting;
  /** Every required system is emulated: an optional one without a credential is emulated too (else off). */
  fullDemo: boolean;
  /** The prefix this instance's variables carry (the module's own, or the extra instance's). */
  prefix: string;
  /** Names a variable of this instance: `v('API_KEY')` is OPENAI_API_KEY, or GROQ_API_KEY for an instance `groq`. */
  v(suffix: string): string;
}

export interface BuildContext {
  name: string;
  pipeline: Pipeline;
  logger: Logger;
  /** In demo mode: the module's running emulator. */
  emulatorUrl?: string;
}

export interface ConnectorModule<K extends ConnectorKind = ConnectorKind, S = unknown> {
  readonly name: string;
  readonly kind: K;
  /** How clients read it in error messages ("<displayName> is unavailable"). */
  readonly displayName: string;
  /** Its variables (zod), merged into the one schema by config.ts. */
  readonly env: z.ZodRawShape;
  /** The secrets among them: may come from `<NAME>_FILE`, never echoed in a configuration error. */
  readonly secrets: readonly string[];
  /**
   * Set when several instances may run side by side: an instance `groq` of this module reads
   * the same variables with `GROQ_` in place of this prefix (CONNECTOR_INSTANCES=groq:<module>).
   */
  readonly envPrefix?: string;
  /** Other words that name its vendor or product (a product name the module's own name is not): like its name, they appear only in its folder. */
  readonly vendorWords?: readonly string[];
  /** An optional system: without its credential it is off, unless everything else is emulated. */
  readonly optional?: boolean;
  /** Its settings from the parsed variables; throws ConfigError naming a bad one. */
  settings(env: Record<string, unknown>, ctx: ModuleEnvContext): { mode: InstanceConfig['mode']; settings: S };
  /** Its policy defaults (connector-wide), and per operation where one differs. */
  policy(settings: S): CallPolicy;
  readonly operations?: Readonly<Record<string, Partial<CallPolicy>>>;
  /** Its emulator, for demo mode and tests: the port `switchyard emulators` gives it (0: a free one). */
  readonly emulator?: {
    port: number;
    create(seed: SeedCustomer[], options?: Record<string, unknown>): Emulator;
    /** Where on it an SDK points (e.g. `/v1`), and what else a developer should know. */
    sdkPath?: string;
    note?: string;
  };
  /** Where the system sends events: how to verify them and what they change (POST /webhooks/<instance>). */
  readonly webhooks?: ConnectorWebhooks<K, S>;
  /** Builds the instance's clients (a module may give several, e.g. one per notification transport). */
  create(settings: S, mode: ConnectorMode, ctx: BuildContext): ConnectorKinds[K][];
}

export interface ConnectorWebhooks<K extends ConnectorKind, S> {
  /** Checks the delivery's signature on its raw bytes, then reads its events; throws WebhookRefusal. */
  verify(delivery: WebhookDelivery, settings: S): InboundEvent[] | Promise<InboundEvent[]>;
  /** Re-reads what the event concerns through the instance (so order does not matter) and says what changed. */
  interpret(event: InboundEvent, instance: ConnectorKinds[K]): Promise<DomainChange[]>;
  /** Demo mode: points the module's emulator at this server's endpoint, signing with the instance's secret. */
  register?(emulatorUrl: string, endpointUrl: string, settings: S): Promise<void>;
}

/** Keeps a module's settings type while the registry holds modules of every kind. */
export function defineConnector<N extends string, K extends ConnectorKind, S>(
  m: ConnectorModule<K, S> & { readonly name: N },
): ConnectorModule<K, S> & { readonly name: N } {
  return m;
}

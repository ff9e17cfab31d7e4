// The connector modules Switchyard knows. Adding a system is a folder under src/connectors/ and
// one line here; this is the only file outside a connector's folder that names one. The order
// is the order of DEMO_EMULATOR_PORTS, the banner and /health/ready; the first module of a kind
// is that kind's default instance.
import { anthropicModule } from './anthropic/index.ts';
import { hubspotModule } from './hubspot/index.ts';
import { notifyModule } from './notify/index.ts';
import { openaiModule } from './openai/index.ts';
import { stripeModule } from './stripe/index.ts';

export const CONNECTOR_MODULES = [stripeModule, hubspotModule, openaiModule, anthropicModule, notifyModule] as const;

export type ConnectorModuleName = (typeof CONNECTOR_MODULES)[number]['name'];

// The emulators' own process during a benchmark, so their CPU shows apart from the load
// generator's. HubSpot's rate limit is off (the benchmark measures gateways, not HubSpot's 190
// requests per 10 s); latency is injected by the orchestrator through /__control/faults.
import { startEmulators } from '../../src/emulators/index.ts';

const emulators = await startEmulators({ options: { hubspot: { rateLimit: false }, stripe: { rateLimit: false } } });
process.stdout.write(`${JSON.stringify({ ready: 'emulators', urls: emulators.urls, pid: process.pid })}\n`);
const stop = () => void emulators.stop().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

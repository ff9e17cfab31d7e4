// The `switchyard` CLI: start, migrate, emulators. Later commands register here too.
import { Command } from 'commander';
import pino, { type Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { embeddedDataDir, openConfiguredStore, startRuntime, type Runtime } from './runtime.ts';
import { DEFAULT_EMULATOR_PORTS, fixedPorts, startEmulators } from './emulators/index.ts';
import { LOG_SAFETY } from './auth/redact.ts';
import { demoKeysBanner } from './auth/demo.ts';
import { CliUsageError, registerKeysCommand } from './auth/cli.ts';
import { registerAuditCommand } from './plugins/audit/cli.ts';
import { registerSyncCommands } from './sync/cli.ts';

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`switchyard: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

/** `fd` 2 for commands whose standard output is their report. */
function makeLogger(config: Config, fd: 1 | 2 = 1): Logger {
  const options = { level: config.logLevel, base: { service: 'switchyard' }, ...LOG_SAFETY };
  return fd === 1 ? pino(options) : pino(options, pino.destination(fd));
}

/** Runs `stop` once on SIGTERM or SIGINT; a second signal, or the grace period running out, forces exit 1. */
function onShutdown(logger: Logger, graceMs: number, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    const timer = setTimeout(() => {
      logger.error({ graceMs }, 'shutdown grace period over: exiting');
      process.exit(1);
    }, graceMs);
    timer.unref();
    stop().then(
      () => {
        logger.info('shutdown complete');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

function banner(runtime: Runtime, config: Config): string {
  const lines = [`Switchyard is listening: ${runtime.url}`];
  if (config.env !== 'production') lines.push(`  Apollo Sandbox: open ${runtime.url} in a browser`);
  lines.push(`  Health: ${runtime.url.replace(/\/graphql$/, '/health/ready')}`);
  lines.push(`  Store: ${config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite under ${embeddedDataDir(config)}`}`);
  for (const c of runtime.connectors.instances) lines.push(`  ${c.name}: ${c.mode} at ${c.baseUrl}`);
  if (runtime.demo) {
    const bar = '='.repeat(72);
    lines.unshift(
      bar,
      ' DEMO MODE: provider credentials are missing, so local emulators answer',
      ' for them with seeded demo data. No real payment, contact or AI call is made.',
      bar,
    );
    if (runtime.emulators) {
      lines.push('  Emulators:', ...runtime.emulators.describe().map((l) => `    ${l}`));
      lines.push(`  Fault control: POST <emulator>/__control/faults  (see README)`);
    }
  }
  return lines.join('\n') + '\n';
}

const program = new Command();
program.name('switchyard').description('One GraphQL graph over customers, payments, the CRM and AI models, kept in agreement.');

program
  .command('start')
  .description('Start the GraphQL server (demo mode when provider credentials are missing)')
  .action(async () => {
    const config = configOrExit();
    const logger = makeLogger(config);
    const runtime = await startRuntime(config, logger);
    // Listening for signals before the banner says we are up: a SIGTERM sent on seeing it must
    // find the handler, not the default action (exit by signal, nothing flushed or revoked).
    onShutdown(logger, config.shutdownGraceMs, () => runtime.stop());
    // Only in demo mode, never in production: keys printed to a terminal end up in log collectors.
    process.stdout.write(banner(runtime, config) + demoKeysBanner(runtime.demoSession));
  });

program
  .command('migrate')
  .description('Apply pending database migrations and exit')
  .action(async () => {
    const config = configOrExit();
    const store = await openConfiguredStore(config, makeLogger(config));
    await store.close();
    process.stdout.write('migrations are up to date\n');
  });

program
  .command('emulators')
  .description(
    `Run only the connectors' emulators (ports ${Object.entries(DEFAULT_EMULATOR_PORTS)
      .map(([name, port]) => `${name} ${port}`)
      .join(', ')}; the others on free ports)`,
  )
  .action(async () => {
    const config = configOrExit();
    const logger = makeLogger(config);
    const emulators = await startEmulators({ ports: fixedPorts(config.emulatorPorts) });
    onShutdown(logger, config.shutdownGraceMs, () => emulators.stop());
    process.stdout.write(
      `Emulators running:\n${emulators
        .describe()
        .map((l) => `  ${l}\n`)
        .join('')}`,
    );
  });

registerKeysCommand(program, { loadConfig: configOrExit, openStore: (config) => openConfiguredStore(config, makeLogger(config)) });
registerAuditCommand(program, { loadConfig: configOrExit, openStore: (config) => openConfiguredStore(config, makeLogger(config)) });

registerSyncCommands(program, {
  loadConfig: configOrExit,
  // Warnings and errors only (LOG_LEVEL=debug or trace still tells all), on stderr: the progress
  // bar and the report are the output.
  startRuntime: (config) => {
    const level = config.logLevel === 'debug' || config.logLevel === 'trace' ? config.logLevel : 'warn';
    return startRuntime(config, makeLogger({ ...config, logLevel: level }, 2));
  },
});

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`switchyard: ${(err as Error)?.message ?? err}\n`);
  process.exit(err instanceof ConfigError || err instanceof CliUsageError ? 2 : 1);
});

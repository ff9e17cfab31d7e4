// `switchyard import` and `switchyard reconcile [--fix] [--delete-strays]`: a Switchyard of their
// own (store, job queue, workflows, connectors; HTTP on a loopback port nobody is told of) runs
// the operation through the graph as an internal principal, so it is permission-checked and
// audited as an operator's call would be, and follows the run's progress until it is over. With
// the embedded store, stop the server first: PGlite's data directory belongs to one process.
import type { Command } from 'commander';
import type { Config } from '../config.ts';
import type { Runtime } from '../runtime.ts';
import type { SyncRunRecord } from '../connectors/store/index.ts';
import { SCOPES, type Principal } from '../auth/principal.ts';
import { createContext } from '../context.ts';
import { CliUsageError } from '../auth/cli.ts';
import { newScope, runInScope } from '../pipeline/scope.ts';

export interface SyncCliDeps {
  loadConfig(): Config;
  startRuntime(config: Config): Promise<Runtime>;
  out?: (text: string) => void;
  err?: NodeJS.WriteStream;
  exit?: (code: number) => void;
}

const CLI: Principal = { id: 'cli', role: 'admin', scopes: new Set(SCOPES), via: 'internal' };

const START = {
  import: `mutation { runImport { id status } }`,
  reconcile: `mutation Run($fix: Boolean, $deleteStrays: Boolean) { runReconciliation(fix: $fix, deleteStrays: $deleteStrays) { id status } }`,
};

async function startRun(runtime: Runtime, kind: 'import' | 'reconcile', variables: Record<string, unknown>): Promise<string> {
  const requestId = `cli-${kind}-${Date.now()}`;
  const scope = newScope(requestId);
  const { services, apollo } = runtime.server;
  const contextValue = createContext({
    requestId,
    principal: CLI,
    logger: runtime.server.app.log as never,
    connectors: runtime.connectors,
    services,
    signal: new AbortController().signal,
    scope,
  });
  const res = await runInScope(scope, () => apollo.executeOperation({ query: START[kind], variables }, { contextValue }));
  if (res.body.kind !== 'single') throw new Error('unexpected streamed answer');
  const { data, errors } = res.body.singleResult as { data?: Record<string, { id: string }>; errors?: { message: string }[] };
  if (errors?.length) throw new Error(errors.map((e) => e.message).join('; '));
  return Object.values(data!)[0]!.id;
}

/** The bar on a terminal; elsewhere (CI, a pipe), a line per phase, so a log shows how far it got. */
async function progressView(err: NodeJS.WriteStream, quiet: boolean) {
  if (quiet) return { update: () => {}, stop: () => {} };
  let phase: string | undefined;
  if (!err.isTTY) {
    return {
      update: (run: SyncRunRecord) => {
        if (run.progress.phase === phase) return;
        phase = run.progress.phase;
        err.write(`${run.kind}: ${phase}${run.progress.total != null ? ` (${run.progress.total})` : ''}\n`);
      },
      stop: () => {},
    };
  }
  // Loaded here, not at import: every other command (start among them) would pay for it.
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    { format: ' {phase} [{bar}] {value}/{totalText} | {counts}', stream: err, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1, 0, { phase: 'queued', totalText: '?', counts: '' });
  return {
    update: (run: SyncRunRecord) => {
      const done = run.progress.done ?? 0;
      const total = run.progress.total ?? null;
      bar.setTotal(total ?? Math.max(done, 1));
      const counts = ['created', 'linked', 'drift', 'repair.fixed']
        .filter((k) => run.counts[k])
        .map((k) => `${k} ${run.counts[k]}`)
        .join(', ');
      bar.update(done, { phase: run.progress.phase ?? run.status, totalText: total ?? '?', counts });
    },
    stop: () => bar.stop(),
  };
}

function summary(run: SyncRunRecord, drift: { kind: string; count: number; unrepaired: number }[]): string {
  const lines = [`${run.kind} ${run.id}: ${run.status}${run.error ? ` (${run.error})` : ''}`];
  for (const [k, v] of Object.entries(run.counts).sort()) lines.push(`  ${k.padEnd(26)} ${v}`);
  if (run.kind === 'reconcile') {
    lines.push(drift.length ? '  drift by kind (found / not repaired):' : '  no drift: the store, the payments provider and the CRM agree');
    for (const d of drift) lines.push(`    ${d.kind.padEnd(22)} ${d.count} / ${d.unrepaired}`);
  }
  return lines.join('\n') + '\n';
}

export function registerSyncCommands(program: Command, deps: SyncCliDeps): void {
  const out = deps.out ?? ((text: string) => void process.stdout.write(text));
  const err = deps.err ?? process.stderr;
  const exit = deps.exit ?? ((code: number) => void (process.exitCode = code));

  const run = async (kind: 'import' | 'reconcile', variables: Record<string, unknown>, json: boolean) => {
    // Its own HTTP port, on loopback only: nothing reaches this process but the CLI itself.
    const config = { ...deps.loadConfig(), host: '127.0.0.1', port: 0 };
    const runtime = await deps.startRuntime(config);
    const view = await progressView(err, json);
    try {
      const id = await startRun(runtime, kind, variables);
      const sync = runtime.server.services.sync!;
      const done = await sync.wait(id, Number.MAX_SAFE_INTEGER, (r) => view.update(r));
      view.stop();
      const drift = kind === 'reconcile' ? await runtime.connectors.store.sync.driftCounts(id) : [];
      const items = kind === 'reconcile' ? await runtime.connectors.store.sync.drift(id, { limit: 10_000 }) : [];
      if (json) out(JSON.stringify({ ...done, driftCounts: drift, drift: items }, null, 2) + '\n');
      else out(summary(done!, drift));
      const left = drift.reduce((n, d) => n + (variables.fix ? d.unrepaired : d.count), 0);
      exit(done?.status !== 'completed' ? 1 : left ? 1 : 0);
    } finally {
      view.stop();
      await runtime.stop();
    }
  };

  program
    .command('import')
    .description('Bring the customers the payments provider and the CRM already have into the store, linked by email (resumable)')
    .option('--json', 'print the finished run as JSON, without a progress bar')
    .action((opts: { json?: boolean }) => run('import', {}, !!opts.json));

  program
    .command('reconcile')
    .description('Report drift between the store, the payments provider and the CRM; exit 0 when they agree, 1 when drift remains')
    .option('--fix', 'repair what it finds, through workflows')
    .option('--delete-strays', 'with --fix: also delete payments customers Switchyard made that no customer links')
    .option('--json', 'print the finished run and its drift as JSON, without a progress bar')
    .action((opts: { fix?: boolean; deleteStrays?: boolean; json?: boolean }) => {
      if (opts.deleteStrays && !opts.fix) throw new CliUsageError('--delete-strays deletes only as a repair: it needs --fix');
      return run('reconcile', { fix: !!opts.fix, deleteStrays: !!opts.deleteStrays }, !!opts.json);
    });
}

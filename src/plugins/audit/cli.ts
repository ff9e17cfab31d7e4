// `switchyard audit verify`: checks the audit trail's hash chain and names the first broken
// record. Exit 0 when the chain is intact, 1 when it is broken. With the embedded store (no
// DATABASE_URL), stop the server first: PGlite's data directory belongs to one process at a time.
import type { Command } from 'commander';
import type { Config } from '../../config.ts';
import type { Store } from '../../connectors/store/index.ts';
import { verifyChain, type VerifyResult } from './verify.ts';

export interface AuditCliDeps {
  loadConfig(): Config;
  openStore(config: Config): Promise<Store>;
  out?: (text: string) => void;
  exit?: (code: number) => void;
}

export function describeResult(r: VerifyResult): string {
  if (r.ok) {
    return r.head
      ? `audit chain intact: ${r.verified} records (seq 1..${r.head.seq}); head hash ${r.head.hash}\n`
      : 'audit chain intact: no records yet\n';
  }
  const b = r.broken!;
  return [
    `audit chain BROKEN at record seq ${b.seq}${b.id ? ` (id ${b.id}${b.at ? `, at ${b.at}` : ''})` : ''}:`,
    `  ${b.reason}`,
    `  ${r.verified} records before it verified${r.head ? ` (last good: seq ${r.head.seq}, hash ${r.head.hash})` : ''}`,
  ].join('\n') + '\n';
}

export function registerAuditCommand(program: Command, deps: AuditCliDeps): void {
  const out = deps.out ?? ((text: string) => void process.stdout.write(text));
  const exit = deps.exit ?? ((code: number) => void (process.exitCode = code));
  const audit = program.command('audit').description('Inspect the audit trail');
  audit
    .command('verify')
    .description('Check the hash chain of the audit trail and name the first broken record')
    .action(async () => {
      const store = await deps.openStore(deps.loadConfig());
      try {
        const result = await verifyChain(store.audit);
        out(describeResult(result));
        exit(result.ok ? 0 : 1);
      } finally {
        await store.close();
      }
    });
}

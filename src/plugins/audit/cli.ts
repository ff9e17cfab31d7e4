// `switchyard audit verify`: checks the audit trail's hash chain, its MACs (with AUDIT_HMAC_KEY)
// and the anchors kept outside the database, and names the first broken record. Exit 0 when
// all hold, 1 when one does not. With the embedded store (no DATABASE_URL), stop the server
// first: PGlite's data directory belongs to one process at a time.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { Config } from '../../config.ts';
import type { Store } from '../../connectors/store/index.ts';
import { CliUsageError } from '../../auth/cli.ts';
import { readAnchors, type Anchor } from './anchors.ts';
import { verifyChain, type VerifyResult } from './verify.ts';

export interface AuditCliDeps {
  loadConfig(): Config;
  openStore(config: Config): Promise<Store>;
  out?: (text: string) => void;
  exit?: (code: number) => void;
}

interface Anchors {
  anchors: Anchor[];
  notes: string[];
}

export function describeResult(r: VerifyResult, notes: readonly string[] = []): string {
  const lines: string[] = [];
  if (r.ok) {
    lines.push(r.head ? `audit chain intact: ${r.verified} records (seq 1..${r.head.seq}); head hash ${r.head.hash}` : 'audit chain intact: no records yet');
  } else {
    const b = r.broken!;
    lines.push(
      `audit chain BROKEN at record seq ${b.seq}${b.id ? ` (id ${b.id}${b.at ? `, at ${b.at}` : ''})` : ''}:`,
      `  ${b.reason}`,
      `  ${r.verified} records before it verified${r.head ? ` (last good: seq ${r.head.seq}, hash ${r.head.hash})` : ''}`,
    );
  }
  lines.push(
    r.macsChecked === null
      ? '  MACs: NOT checked (AUDIT_HMAC_KEY is not set): a rewrite with recomputed hashes shows only where an anchor covers it'
      : `  MACs: ${r.macsChecked} checked`,
    `  anchors: ${r.anchorsChecked} found on the chain`,
    ...notes.map((n) => `  ${n}`),
  );
  return lines.join('\n') + '\n';
}

function loadAnchors(files: string[], explicit: boolean): Anchors {
  const out: Anchors = { anchors: [], notes: [] };
  for (const file of files) {
    if (!existsSync(file)) {
      if (explicit) throw new CliUsageError(`--anchors: no such file ${file}`);
      out.notes.push(`WARNING: no anchor file at ${file}: removal of the newest records cannot be detected`);
      continue;
    }
    const read = readAnchors(file);
    out.anchors.push(...read.anchors);
    out.notes.push(`anchor file ${file}: ${read.anchors.length} anchors`);
    if (read.unreadable.length) out.notes.push(`WARNING: lines ${read.unreadable.join(', ')} of ${file} are not anchors (edited, or cut short by a crash)`);
  }
  return out;
}

export function registerAuditCommand(program: Command, deps: AuditCliDeps): void {
  const out = deps.out ?? ((text: string) => void process.stdout.write(text));
  const exit = deps.exit ?? ((code: number) => void (process.exitCode = code));
  const audit = program.command('audit').description('Inspect the audit trail');
  audit
    .command('verify')
    .description('Check the audit trail (hash chain, MACs with AUDIT_HMAC_KEY, anchors) and name the first broken record')
    .option('--anchors <files...>', 'anchor files to check (default: AUDIT_ANCHOR_FILE, when it exists)')
    .option('--macs-from <seq>', 'rows before this seq were written before AUDIT_HMAC_KEY was set: do not require their MACs')
    .action(async (opts: { anchors?: string[]; macsFrom?: string }) => {
      const config = deps.loadConfig();
      const macsFrom = opts.macsFrom === undefined ? 1 : Number(opts.macsFrom);
      if (!Number.isSafeInteger(macsFrom) || macsFrom < 1)
        throw new CliUsageError(`--macs-from must be a record seq (1 or more), got ${JSON.stringify(opts.macsFrom)}`);
      const anchors = loadAnchors(opts.anchors ?? [config.audit.anchorFile], opts.anchors !== undefined);
      const store = await deps.openStore(config);
      try {
        const result = await verifyChain(store.audit, { key: config.audit.hmacKey, macsFrom, anchors: anchors.anchors });
        out(describeResult(result, anchors.notes));
        exit(result.ok ? 0 : 1);
      } finally {
        await store.close();
      }
    });
}

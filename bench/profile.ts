// Where a target's CPU time goes, from a `node --cpu-prof` profile (npm run bench -- --cpu-prof
// switchyard writes them under bench/results/profiles/). Prints time by Switchyard feature,
// exclusive and inclusive (per request too, with --case), self time by package or source
// folder, and the hottest functions with file:line. Without --case the profile covers the
// process's whole life, startup (about a second) included.
//   npx tsx bench/profile.ts bench/results/profiles/switchyard-<run>.cpuprofile [--top 25]
//     [--case cached --results bench/results/gateways-full-latest.json]
// With --case, only the samples taken during that case's measured run count (the run's JSON
// records each case's window on the same monotonic clock as the profile). Frames in a bundle
// (dist/bundle/, what `switchyard start` runs) are read through its source map, so they count
// for the source file and package they came from.
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber?: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' }, case: { type: 'string' }, results: { type: 'string' } },
});
const file = positionals[0];
if (!file) {
  process.stderr.write('usage: tsx bench/profile.ts <file.cpuprofile> [--top 25]\n');
  process.exit(2);
}
const top = Number(values.top);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const ROOT = path.resolve(import.meta.dirname, '..');

// A bundled frame as its original file and line (node:module's SourceMap; null: no map beside it).
const maps = new Map<string, SourceMap | null>();
function mapOf(file: string): SourceMap | null {
  if (!maps.has(file)) maps.set(file, existsSync(`${file}.map`) ? new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))) : null);
  return maps.get(file)!;
}
for (const node of profile.nodes) {
  const f = node.callFrame;
  if (!f.url.startsWith('file://') || !f.url.includes('/dist/bundle/')) continue;
  const bundle = fileURLToPath(f.url);
  const entry = mapOf(bundle)?.findEntry(f.lineNumber, f.columnNumber ?? 0);
  if (!entry || !('originalSource' in entry)) continue;
  const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : path.resolve(path.dirname(bundle), entry.originalSource);
  node.callFrame = { ...f, url: pathToFileURL(source).href, lineNumber: entry.originalLine };
}

// Which feature a frame belongs to, by its file. First match wins.
const FEATURES: [string, RegExp][] = [
  ['authentication (src/auth, jose)', /\/src\/auth\/|node_modules\/jose\//],
  [
    'permissions (src/permissions, graphql-shield, graphql-middleware)',
    /\/src\/permissions\/|node_modules\/graphql-shield\/|node_modules\/graphql-middleware\//,
  ],
  ['operation limits (src/plugins/limits, graphql-query-complexity, graphql-armor)', /\/src\/plugins\/limits\/|graphql-query-complexity|graphql-armor/],
  ['inbound rate limit (src/plugins/ratelimit, rate-limiter-flexible)', /\/src\/plugins\/ratelimit\/|rate-limiter-flexible/],
  ['audit (src/plugins/audit)', /\/src\/plugins\/audit\//],
  ['metrics (src/plugins/metrics, prom-client)', /\/src\/plugins\/metrics\/|node_modules\/prom-client\//],
  ['tracing and ops (src/plugins/tracing, src/ops, @opentelemetry)', /\/src\/plugins\/tracing\/|\/src\/ops\/|@opentelemetry/],
  ['logging (pino, redaction)', /node_modules\/(pino|@pinojs|sonic-boom|fast-redact|thread-stream)\//],
  ['pipeline (src/pipeline, cockatiel, lru-cache, ioredis)', /\/src\/pipeline\/|node_modules\/(cockatiel|lru-cache|ioredis)\//],
  ['connectors and SDKs (src/connectors, stripe, openai, zod)', /\/src\/connectors\/(payments|crm|ai)|node_modules\/(stripe|openai|zod)\//],
  ['store (src/connectors/store, pg)', /\/src\/connectors\/store\/|node_modules\/(pg|pg-protocol|pg-pool|@electric-sql)\//],
  ['resolvers', /\/resolvers\//],
  ['GraphQL execution (graphql, @graphql-tools, graphql-jit)', /node_modules\/(graphql|@graphql-tools|graphql-jit)\//],
  ['Apollo Server / Yoga / Mercurius', /node_modules\/(@apollo|@as-integrations|graphql-yoga|@graphql-yoga|@envelop|@whatwg-node|mercurius)\//],
  ['Fastify', /node_modules\/(fastify|@fastify|find-my-way|avvio|light-my-request)\//],
  ['tsx (runtime TypeScript)', /node_modules\/tsx\//],
];

let window: { startUs: number; endUs: number } | undefined;
let requests: number | undefined;
if (values.case) {
  const results = values.results ?? path.join(ROOT, 'bench/results/gateways-full-latest.json');
  const run = JSON.parse(readFileSync(results, 'utf8')) as {
    targets: { id: string; profile?: string; cases: { op: string; window?: typeof window; load?: { requests: number } }[] }[];
  };
  const target = run.targets.find((t) => t.profile && path.resolve(t.profile) === path.resolve(file));
  const measured = target?.cases.find((c) => c.op === values.case);
  window = measured?.window;
  requests = measured?.load?.requests;
  if (!window) {
    process.stderr.write(`no window for case ${values.case} of ${file} in ${results}\n`);
    process.exit(2);
  }
}

const selfUs = new Map<number, number>();
let at = profile.startTime;
profile.samples.forEach((id, i) => {
  at += profile.timeDeltas[i] ?? 0;
  if (window && (at < window.startUs || at > window.endUs)) return;
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

/** node_modules/<pkg>, a source folder of this repository, or what V8 calls the frame. */
function area(frame: CallFrame): string {
  const url = frame.url.replace(/^file:\/\//, '');
  if (!url) return frame.functionName ? `(${frame.functionName})` : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + 'node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (url.startsWith('node:')) return url.split('/')[0]!;
  const rel = path.relative(ROOT, url);
  return rel.startsWith('..') ? url : path.dirname(rel);
}

const where = (f: CallFrame) => {
  const url = f.url.replace(/^file:\/\//, '');
  const short = url.includes('node_modules/') ? url.slice(url.lastIndexOf('node_modules/') + 13) : url ? path.relative(ROOT, url) : '';
  return `${f.functionName || '(anonymous)'} ${short ? `${short}:${f.lineNumber + 1}` : ''}`.trim();
};

const byArea = new Map<string, number>();
const byFunction = new Map<string, number>();
for (const node of profile.nodes) {
  const us = selfUs.get(node.id) ?? 0;
  if (!us) continue;
  byArea.set(area(node.callFrame), (byArea.get(area(node.callFrame)) ?? 0) + us);
  byFunction.set(where(node.callFrame), (byFunction.get(where(node.callFrame)) ?? 0) + us);
}

const parent = new Map<number, number>();
const byId = new Map<number, ProfileNode>();
for (const node of profile.nodes) {
  byId.set(node.id, node);
  for (const c of node.children ?? []) parent.set(c, node.id);
}
const featureOf = (f: CallFrame) => FEATURES.find(([, re]) => re.test(f.url))?.[0];
const byFeature = new Map<string, number>();
const ownByFeature = new Map<string, number>();
for (const [id, us] of selfUs) {
  const seen = new Set<string>();
  let innermost: string | undefined;
  for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
    const f = featureOf(byId.get(n)!.callFrame);
    if (f) seen.add(f);
    innermost ??= f;
  }
  for (const f of seen) byFeature.set(f, (byFeature.get(f) ?? 0) + us);
  // Exclusive: the innermost feature on the stack (Node internals such as a socket write or a
  // WebCrypto job count for the code that called them); no feature at all: GC, idle, Node itself.
  const own = innermost ?? `(${byId.get(id)!.callFrame.functionName || 'native'}, no feature on the stack)`;
  ownByFeature.set(own, (ownByFeature.get(own) ?? 0) + us);
}

const show = (title: string, m: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    const perRequest = requests ? `${(us / requests).toFixed(1).padStart(7)} µs/req` : '';
    process.stdout.write(`${((us / total) * 100).toFixed(1).padStart(6)}%  ${(us / 1000).toFixed(0).padStart(7)} ms ${perRequest}  ${k}\n`);
  }
};
process.stdout.on('error', () => process.exit(0)); // piped into head
process.stdout.write(`${file}${values.case ? ` (case ${values.case}${requests ? `, ${requests} requests` : ''})` : ''}: ${(total / 1e6).toFixed(1)} s sampled`);
show('exclusive time by feature (each sample to the innermost feature on its stack)', ownByFeature);
show('inclusive time by feature (overlaps: a resolver under a permission rule counts for both)', byFeature);
show('self time by package / source folder', byArea);
show('self time by function', byFunction);

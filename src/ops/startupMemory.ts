// Start-up leaves garbage behind: loading the modules, building the schema and checking the
// migrations allocate tens of megabytes that are dead once the server is assembled, and the young
// generation grows to 32 MB on the way. V8 gives that memory back only in a memory-reducing
// collection, which nothing in an idle server asks for, so each replica would sit at its
// start-up high-water mark. One such collection, run once before the server
// listens, returns it: about 35 MB of RSS for about 75 ms of start time (bench/README.md,
// "Start-up").
//
// Node has no API for a memory-reducing collection, only the `--expose-gc` flag, which cannot be
// put on the executable's command line for every way Switchyard is started (npm start, the bin,
// a container's `node`), so the flag is set for the moment it takes to get V8's `gc` function.
import v8 from 'node:v8';
import vm from 'node:vm';

type GcFunction = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/** Runs one full, memory-reducing collection now; the time it took, in ms (undefined: V8 offered none). */
export function releaseStartupMemory(): number | undefined {
  let gc: GcFunction | undefined = (globalThis as { gc?: GcFunction }).gc;
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    try {
      gc = vm.runInNewContext('gc') as GcFunction | undefined;
    } finally {
      v8.setFlagsFromString('--no-expose-gc');
    }
  }
  if (typeof gc !== 'function') return undefined;
  const started = performance.now();
  // 'last-resort' is V8's collection with memory reduction: it also shrinks the young generation.
  gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  return performance.now() - started;
}

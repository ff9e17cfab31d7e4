// The deadline of the attempt in progress, for SDKs that take a fetch function but no
// per-request AbortSignal: its fetch reads the signal from here.
import { AsyncLocalStorage } from 'node:async_hooks';

const callSignal = new AsyncLocalStorage<AbortSignal>();

export function runWithCallSignal<T>(signal: AbortSignal, fn: () => T): T {
  return callSignal.run(signal, fn);
}

export function currentCallSignal(): AbortSignal | undefined {
  return callSignal.getStore();
}

// A module loaded at its first use instead of at start (an SDK of a few hundred modules that a
// process may never need). `loaded()` answers synchronously once a `load()` has finished, for
// code that only runs after one (an error classifier: an SDK error comes from a call, and a call
// has loaded the SDK).
export function lazyModule<T>(load: () => Promise<T>): { load(): Promise<T>; loaded(): T | undefined } {
  let value: T | undefined;
  let loading: Promise<T> | undefined;
  return {
    load: () => (loading ??= load().then((v) => (value = v))),
    loaded: () => value,
  };
}

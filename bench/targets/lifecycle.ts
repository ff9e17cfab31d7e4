// A target process's life: it tells the orchestrator it listens, and SIGTERM ends it cleanly
// (process.exit, so `node --cpu-prof` writes its profile). Kept free of imports, so the ceiling
// target loads nothing of Switchyard.

/** Tells the orchestrator the target is listening (it also polls the port). */
export function announce(name: string, port: number): void {
  process.stdout.write(`${JSON.stringify({ ready: name, port, pid: process.pid })}\n`);
}

export function exitOnSignal(close: () => Promise<unknown>): void {
  const stop = () => {
    const timer = setTimeout(() => process.exit(0), 3_000);
    timer.unref();
    close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

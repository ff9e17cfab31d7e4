// Polls until a condition holds (its value, when truthy) or the time is up: for what settles in
// the background (a run, a queue, an emulator's webhooks).
export async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 30_000, everyMs = 100): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

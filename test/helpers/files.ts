// A JSON file in a fresh temporary folder, for configuration a test names by path (AI_CONFIG, POLICY_FILE).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function jsonFile(name: string, content: unknown): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'sy-test-')), name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/**
 * A POLICY_FILE giving each named connector few, quick pipeline retries and a breaker that closes
 * again soon, for tests whose subject is what happens above the pipeline (a workflow's retries).
 */
export function quickPolicyFile(connectors: string[], overrides: Record<string, unknown> = {}): string {
  const quick = { maxAttempts: 2, backoffMs: 20, retryBudgetMs: 1_000, breaker: { consecutiveFailures: 50, halfOpenAfterMs: 200 }, ...overrides };
  return jsonFile('policy.json', Object.fromEntries(connectors.map((c) => [c, quick])));
}

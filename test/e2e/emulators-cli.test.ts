// `switchyard emulators` (what `npm run emulators` runs): every emulator up, Anthropic's too,
// on the ports DEMO_EMULATOR_PORTS names, four of them or the three of before.
import Anthropic from '@anthropic-ai/sdk';
import { spawn } from 'node:child_process';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/process.ts';

async function runEmulators(ports: string): Promise<{ urls: Record<string, string>; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'emulators'], {
    env: { ...process.env, DEMO_EMULATOR_PORTS: ports, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`emulators did not start:\n${out}`));
    }, 140_000);
    child.stdout.on('data', () => {
      if (/anthropic: \S+\n/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => reject(new Error(`emulators exited with ${code}:\n${out}`)));
  });
  const urls = Object.fromEntries([...out.matchAll(/^ {2}(\w+): (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
  return {
    urls,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

describe('switchyard emulators', () => {
  type Run = Awaited<ReturnType<typeof runEmulators>>;
  let four: Run;
  let three: Run;

  // Both started at once, with a generous budget: loading the CLI took 31 s on a machine with a
  // load average of 40 (about 2 s idle).
  beforeAll(async () => {
    const started = await Promise.allSettled([runEmulators('0,0,0,0'), runEmulators('0,0,0')]);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) {
      // Leave no process behind when only one of the two came up.
      await Promise.all(started.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
      throw failed.reason;
    }
    [four, three] = started.map((r) => (r as PromiseFulfilledResult<Run>).value) as [Run, Run];
  }, 150_000);
  afterAll(async () => {
    await Promise.all([four?.stop(), three?.stop()]);
  });

  it('starts Stripe, HubSpot, OpenAI and Anthropic on four free ports', async () => {
    expect(Object.keys(four.urls)).toEqual(['stripe', 'hubspot', 'openai', 'anthropic']);
    expect(new Set(Object.values(four.urls).map((u) => new URL(u).port)).size).toBe(4);
    const claude = new Anthropic({ apiKey: 'demo', baseURL: four.urls.anthropic, maxRetries: 0 });
    const msg = await claude.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] });
    expect(msg.type).toBe('message');
    const gpt = new OpenAI({ apiKey: 'demo', baseURL: four.urls.openai, maxRetries: 0 });
    expect((await gpt.embeddings.create({ model: 'text-embedding-3-small', input: 'Hi' })).data[0]!.embedding).toHaveLength(1536);
  });

  it('still takes three ports, giving Anthropic a free one', async () => {
    expect(three.urls.anthropic).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${three.urls.anthropic}/v1/models`, { headers: { 'x-api-key': 'demo', 'anthropic-version': '2023-06-01' } });
    expect(res.status).toBe(200);
  });

  it('stops on SIGTERM with exit code 0', async () => {
    expect(await four.stop()).toBe(0);
  });
});

// `switchyard emulators` (what `npm run emulators` runs): every emulator up, Anthropic's too,
// on the ports DEMO_EMULATOR_PORTS names, four of them or the three of before.
import Anthropic from '@anthropic-ai/sdk';
import { spawn } from 'node:child_process';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/process.ts';

async function runEmulators(ports: string): Promise<{ urls: Record<string, string>; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'emulators'], { env: { ...process.env, DEMO_EMULATOR_PORTS: ports, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulators did not start:\n${out}`)), 30_000);
    child.stdout.on('data', () => {
      if (/anthropic: \S+\n/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => reject(new Error(`emulators exited with ${code}:\n${out}`)));
  });
  const urls = Object.fromEntries([...out.matchAll(/^ {2}(\w+): (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
  return { urls, stop: () => (child.kill('SIGTERM'), exited) };
}

describe('switchyard emulators', () => {
  it('starts Stripe, HubSpot, OpenAI and Anthropic on four free ports', async () => {
    const run = await runEmulators('0,0,0,0');
    try {
      expect(Object.keys(run.urls)).toEqual(['stripe', 'hubspot', 'openai', 'anthropic']);
      expect(new Set(Object.values(run.urls).map((u) => new URL(u).port)).size).toBe(4);
      const claude = new Anthropic({ apiKey: 'demo', baseURL: run.urls.anthropic, maxRetries: 0 });
      const msg = await claude.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] });
      expect(msg.type).toBe('message');
      const gpt = new OpenAI({ apiKey: 'demo', baseURL: run.urls.openai, maxRetries: 0 });
      expect((await gpt.embeddings.create({ model: 'text-embedding-3-small', input: 'Hi' })).data[0]!.embedding).toHaveLength(1536);
    } finally {
      expect(await run.stop()).toBe(0);
    }
  });

  it('still takes three ports, giving Anthropic a free one', async () => {
    const run = await runEmulators('0,0,0');
    try {
      expect(run.urls.anthropic).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${run.urls.anthropic}/v1/models`, { headers: { 'x-api-key': 'demo', 'anthropic-version': '2023-06-01' } });
      expect(res.status).toBe(200);
    } finally {
      await run.stop();
    }
  });
});

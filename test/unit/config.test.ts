import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, SECRET_VARIABLES, loadConfig } from '../../src/config.ts';

describe('loadConfig', () => {
  it('gives demo defaults with no environment at all', () => {
    const c = loadConfig({});
    expect(c.port).toBe(4000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir).toBe('.data');
    expect([c.stripe.mode, c.hubspot.mode, c.openai.mode]).toEqual(['demo', 'demo', 'demo']);
    expect(c.emulatorPorts).toEqual({ stripe: 12111, hubspot: 12121, openai: 12131, anthropic: 12141 });
    expect(c.outbound).toEqual({ principalShare: 0.5 });
  });

  it('takes four emulator ports, or the three of before with a free one for Anthropic', () => {
    expect(loadConfig({ DEMO_EMULATOR_PORTS: '1,2,3,4' }).emulatorPorts).toEqual({ stripe: 1, hubspot: 2, openai: 3, anthropic: 4 });
    expect(loadConfig({ DEMO_EMULATOR_PORTS: '1,2,3' }).emulatorPorts).toEqual({ stripe: 1, hubspot: 2, openai: 3, anthropic: 0 });
    expect(() => loadConfig({ DEMO_EMULATOR_PORTS: '1,2,3,4,5' })).toThrow(/DEMO_EMULATOR_PORTS/);
  });

  it('goes live per provider when its credential is set', () => {
    const c = loadConfig({ STRIPE_SECRET_KEY: 'sk_live_x', OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'http://127.0.0.1:8000/v1' });
    expect(c.stripe).toEqual({ mode: 'live', secret: 'sk_live_x', baseUrl: 'https://api.stripe.com' });
    expect(c.hubspot.mode).toBe('demo');
    expect(c.openai).toMatchObject({ mode: 'live', baseUrl: 'http://127.0.0.1:8000/v1' });
  });

  it('forces demo with DEMO=true and requires credentials with DEMO=false', () => {
    expect(loadConfig({ DEMO: 'true', STRIPE_SECRET_KEY: 'sk_live_x' }).stripe.mode).toBe('demo');
    expect(() => loadConfig({ DEMO: 'false', STRIPE_SECRET_KEY: 'sk', OPENAI_API_KEY: 'k' })).toThrow(/HUBSPOT_ACCESS_TOKEN is required/);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['STRIPE_API_BASE', 'not a url'],
    ['LOG_LEVEL', 'loud'],
    ['DEMO_EMULATOR_PORTS', '1,2'],
    ['NODE_ENV', 'staging'],
    ['REDIS_URL', 'localhost:6379'],
    ['INBOUND_RATE_LIMIT', '0'],
    ['OUTBOUND_PRINCIPAL_SHARE', '0'],
    ['OUTBOUND_PRINCIPAL_SHARE', '1.5'],
    ['OUTBOUND_PRINCIPAL_SHARE', 'half'],

    ['AUDIT_HMAC_KEY', 'too-short-a-key'],
    ['AUDIT_ANCHOR_INTERVAL_MS', '10'],
    ['APQ_CACHE_MAX_BYTES', '1000'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(name);
    // A secret's value (a URL may carry a password) is never echoed into the message.
    if ((SECRET_VARIABLES as readonly string[]).includes(name)) expect((error as Error).message).not.toContain(value);
    else expect((error as Error).message).toContain(JSON.stringify(value));
  });

  it('takes the audit MAC key from AUDIT_HMAC_KEY or its _FILE, and anchors under DATA_DIR by default', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'sy-audit-key-')), 'key');
    writeFileSync(file, `${'k'.repeat(40)}\n`);
    const c = loadConfig({ AUDIT_HMAC_KEY_FILE: file, DATA_DIR: '/srv/sy' });
    expect(c.audit).toMatchObject({ hmacKey: 'k'.repeat(40), anchorFile: path.join('/srv/sy', 'audit-anchors.jsonl'), anchorIntervalMs: 60_000 });
    expect(loadConfig({}).audit.hmacKey).toBeUndefined();
    expect(() => loadConfig({ AUDIT_HMAC_KEY: 'k'.repeat(40), AUDIT_HMAC_KEY_FILE: file })).toThrow(/set either AUDIT_HMAC_KEY or AUDIT_HMAC_KEY_FILE/);
  });
});

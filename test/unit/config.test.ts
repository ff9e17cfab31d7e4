import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, SECRET_VARIABLES, instanceConfig, loadConfig, type Config } from '../../src/config.ts';

const of = (c: Config, name: string) => instanceConfig(c, name)!;
const notify = (c: Config) => of(c, 'notify').settings as { mode: string; slack?: { url: string }; webhook?: { url: string; secret: string } };

describe('loadConfig', () => {
  it('gives demo defaults with no environment at all', () => {
    const c = loadConfig({});
    expect(c.port).toBe(4000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir).toBe('.data');
    expect(c.connectors.map((i) => [i.name, i.mode])).toEqual([
      ['stripe', 'demo'],
      ['hubspot', 'demo'],
      ['openai', 'demo'],
      ['anthropic', 'demo'],
      ['notify', 'off'],
    ]);
    expect(c.emulatorPorts).toEqual({ stripe: 12111, hubspot: 12121, openai: 12131, anthropic: 12141 });
    expect(c.outbound).toEqual({ principalShare: 0.5 });
  });

  it('takes four emulator ports, or the three of before with a free one for Anthropic', () => {
    expect(loadConfig({ DEMO_EMULATOR_PORTS: '1,2,3,4' }).emulatorPorts).toEqual({ stripe: 1, hubspot: 2, openai: 3, anthropic: 4 });
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.1,10.1.0.0/16' }).trustProxy).toEqual(['10.0.0.1', '10.1.0.0/16']);
    expect(loadConfig({}).authFailures).toEqual({ points: 50, windowMs: 60_000 });
    expect(loadConfig({}).consoleSignIn).toEqual({ points: 10, windowMs: 60_000 });
    expect(loadConfig({ DEMO_EMULATOR_PORTS: '1,2,3' }).emulatorPorts).toEqual({ stripe: 1, hubspot: 2, openai: 3, anthropic: 0 });
    expect(() => loadConfig({ DEMO_EMULATOR_PORTS: '1,2,3,4,5' })).toThrow(/DEMO_EMULATOR_PORTS/);
  });

  it('goes live per provider when its credential is set', () => {
    const c = loadConfig({ STRIPE_SECRET_KEY: 'sk_live_x', OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'http://127.0.0.1:8000/v1' });
    expect(of(c, 'stripe')).toMatchObject({ mode: 'live', settings: { secretKey: 'sk_live_x', baseUrl: 'https://api.stripe.com' } });
    expect(of(c, 'hubspot').mode).toBe('demo');
    expect(of(c, 'openai')).toMatchObject({ mode: 'live', settings: { baseUrl: 'http://127.0.0.1:8000/v1' } });
    // An optional provider without its key is off once anything is live: no emulator for it.
    expect(of(c, 'anthropic').mode).toBe('off');
  });

  it('adds instances of a module from CONNECTOR_INSTANCES, each reading its variables under its own prefix', () => {
    const c = loadConfig({ CONNECTOR_INSTANCES: 'groq:openai', GROQ_API_KEY: 'gsk_x', GROQ_BASE_URL: 'https://api.groq.com/openai/v1', AI_PROVIDER: 'groq' });
    expect(of(c, 'groq')).toMatchObject({
      module: 'openai',
      kind: 'ai',
      mode: 'live',
      settings: { apiKey: 'gsk_x', baseUrl: 'https://api.groq.com/openai/v1' },
    });
    expect(c.ai.provider).toBe('groq');
    expect(SECRET_VARIABLES).toContain('ANTHROPIC_API_KEY');
    const message = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (err) {
        return (err as Error).message;
      }
      return 'no error';
    };
    expect(message({ CONNECTOR_INSTANCES: 'groq' })).toMatch(/CONNECTOR_INSTANCES: "groq" is not name:module/);
    expect(message({ CONNECTOR_INSTANCES: 'x:nosuch' })).toMatch(/CONNECTOR_INSTANCES: no connector module nosuch/);
    expect(message({ CONNECTOR_INSTANCES: 'stripe:openai' })).toMatch(/the name stripe is taken/);
    expect(message({ CONNECTOR_INSTANCES: 'n:notify' })).toMatch(/runs as one instance only/);
    expect(message({ AI_PROVIDER: 'nosuch' })).toMatch(/AI_PROVIDER: no AI provider named nosuch \(configured: openai, anthropic\)/);
    expect(message({ CONNECTOR_INSTANCES: 'groq:openai', GROQ_BASE_URL: 'ftp://x' })).toMatch(/GROQ_BASE_URL/);
    // A secret of an extra instance is never echoed either.
    expect(
      message({
        CONNECTOR_INSTANCES: 'groq:openai',
        GROQ_API_KEY: '   ',
        DEMO: 'false',
        STRIPE_SECRET_KEY: 's',
        HUBSPOT_ACCESS_TOKEN: 'h',
        OPENAI_API_KEY: 'o',
      }),
    ).toMatch(/GROQ_API_KEY is required when DEMO=false/);
  });

  it('refuses a POLICY_FILE key that names no module or instance', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sy-policy-'));
    const file = path.join(dir, 'p.json');
    writeFileSync(file, JSON.stringify({ strpie: { timeoutMs: 100 } }));
    expect(() => loadConfig({ POLICY_FILE: file })).toThrow(/POLICY_FILE .*: strpie: no connector module or instance of that name/);
    writeFileSync(file, JSON.stringify({ stripe: { timeoutMs: 100 } }));
    expect(loadConfig({ POLICY_FILE: file }).policies).toEqual({ stripe: { timeoutMs: 100 } });
    rmSync(dir, { recursive: true, force: true });
  });

  it('forces demo with DEMO=true and requires credentials with DEMO=false', () => {
    expect(of(loadConfig({ DEMO: 'true', STRIPE_SECRET_KEY: 'sk_live_x' }), 'stripe').mode).toBe('demo');
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
    ['TRUST_PROXY', 'yes'],
    ['TRUST_PROXY', '10.0.0.1; rm -rf'],
    ['AUTH_FAILURE_LIMIT', '0'],
    ['CONSOLE_SIGNIN_LIMIT', '0'],
    ['CONSOLE_SIGNIN_WINDOW_MS', '10'],
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

  it('reads the workflow settings, and refuses the test-only crash hook in production or malformed', () => {
    expect(loadConfig({}).workflows).toEqual({
      waitMs: 5_000,
      maxAttempts: 8,
      retryDelayMs: 1_000,
      retryDelayMaxMs: 60_000,
      attentionRetrySeconds: 300,
      leaseMs: 30_000,
      testCrash: [],
      triggers: ['paymentSucceeded', 'crmContactCreated', 'customerFieldSync'],
      totalPaidProperty: 'switchyard_total_paid',
      fieldOwners: { email: 'crm', name: 'crm' },
    });
    const points = 'createCustomer.payments:before-journal,createCustomer.link:after';
    expect(loadConfig({ WORKFLOW_TEST_CRASH: points, WORKFLOW_WAIT_MS: '0' }).workflows).toMatchObject({ waitMs: 0, testCrash: points.split(',') });
    expect(() => loadConfig({ WORKFLOW_TEST_CRASH: 'createCustomer.payments:during' })).toThrow(/WORKFLOW_TEST_CRASH/);
    expect(() => loadConfig({ NODE_ENV: 'production', WORKFLOW_TEST_CRASH: 'createCustomer.link:after' })).toThrow(
      /WORKFLOW_TEST_CRASH: a test-only fault hook/,
    );
    expect(() => loadConfig({ WORKFLOW_LEASE_MS: '10' })).toThrow(/WORKFLOW_LEASE_MS/);
  });

  it('enables the triggers by default with an emulated CRM only, and validates them and the property name', () => {
    expect(loadConfig({}).workflows).toMatchObject({
      triggers: ['paymentSucceeded', 'crmContactCreated', 'customerFieldSync'],
      totalPaidProperty: 'switchyard_total_paid',
    });
    const live = { OPENAI_API_KEY: 'k', STRIPE_SECRET_KEY: 's', HUBSPOT_ACCESS_TOKEN: 'h' };
    expect(loadConfig(live).workflows.triggers).toEqual([]);
    expect(loadConfig({ ...live, WORKFLOW_TRIGGERS: 'paymentSucceeded' }).workflows.triggers).toEqual(['paymentSucceeded']);
    expect(loadConfig({ WORKFLOW_TRIGGERS: 'none' }).workflows.triggers).toEqual([]);
    expect(() => loadConfig({ WORKFLOW_TRIGGERS: 'paymentSucceeded,contactCreated' })).toThrow(/WORKFLOW_TRIGGERS must be none or/);
    expect(loadConfig({ CRM_TOTAL_PAID_PROPERTY: 'lifetime_paid' }).workflows.totalPaidProperty).toBe('lifetime_paid');
    expect(() => loadConfig({ CRM_TOTAL_PAID_PROPERTY: 'Total Paid' })).toThrow(/CRM_TOTAL_PAID_PROPERTY/);
  });

  it("reads the synced fields' owners, the CRM by default, and refuses an unknown field or owner", () => {
    expect(loadConfig({}).workflows.fieldOwners).toEqual({ email: 'crm', name: 'crm' });
    expect(loadConfig({ SYNC_FIELD_OWNERS: 'name=payments' }).workflows.fieldOwners).toEqual({ email: 'crm', name: 'payments' });
    expect(loadConfig({ SYNC_FIELD_OWNERS: ' email = payments , name=crm' }).workflows.fieldOwners).toEqual({ email: 'payments', name: 'crm' });
    expect(() => loadConfig({ SYNC_FIELD_OWNERS: 'phone=crm' })).toThrow(/SYNC_FIELD_OWNERS must be/);
    expect(() => loadConfig({ SYNC_FIELD_OWNERS: 'email=store' })).toThrow(/SYNC_FIELD_OWNERS must be/);
    expect(() => loadConfig({ SYNC_FIELD_OWNERS: 'email' })).toThrow(/SYNC_FIELD_OWNERS must be/);
  });
});

describe('notification configuration', () => {
  const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
  const message = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    return 'no error';
  };

  it('is off without a transport, and emulated with DEMO=true', () => {
    expect(notify(loadConfig({}))).toEqual({ mode: 'off', slack: undefined, webhook: undefined });
    expect(notify(loadConfig({ DEMO: 'true', NOTIFY_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/x' })).mode).toBe('demo');
  });

  it('takes ALERT_WEBHOOK_URL as the Slack transport under its older name, but not beside the new one', () => {
    expect(notify(loadConfig({ ALERT_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/x' }))).toEqual({
      mode: 'live',
      slack: { url: 'https://hooks.slack.com/services/T/B/x' },
      webhook: undefined,
    });
    expect(message({ ALERT_WEBHOOK_URL: 'https://a.example/x', NOTIFY_SLACK_WEBHOOK_URL: 'https://b.example/y' })).toMatch(
      /ALERT_WEBHOOK_URL: is the older name of NOTIFY_SLACK_WEBHOOK_URL/,
    );
  });

  it('signs every webhook: a URL needs a whsec_ secret of 24 to 64 bytes, and the secret a URL', () => {
    expect(notify(loadConfig({ NOTIFY_WEBHOOK_URL: 'https://ops.example/hooks', NOTIFY_WEBHOOK_SECRET: secret })).webhook).toEqual({
      url: 'https://ops.example/hooks',
      secret,
    });
    expect(message({ NOTIFY_WEBHOOK_URL: 'https://ops.example/hooks' })).toMatch(/NOTIFY_WEBHOOK_SECRET: is required with NOTIFY_WEBHOOK_URL/);
    expect(message({ NOTIFY_WEBHOOK_SECRET: secret })).toMatch(/NOTIFY_WEBHOOK_SECRET: has no effect without NOTIFY_WEBHOOK_URL/);
    for (const bad of ['not-a-secret', `whsec_${Buffer.alloc(8).toString('base64')}`, 'whsec_!!!!', `${secret}x`]) {
      const m = message({ NOTIFY_WEBHOOK_URL: 'https://ops.example/hooks', NOTIFY_WEBHOOK_SECRET: bad });
      expect(m).toMatch(/NOTIFY_WEBHOOK_SECRET must be whsec_/);
      expect(m).not.toContain(bad);
    }
    expect(message({ NOTIFY_SLACK_WEBHOOK_URL: 'hooks.slack.com/services/secret-path' })).not.toContain('secret-path');
  });

  it('reads its secrets from files', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sy-notify-config-'));
    writeFileSync(path.join(dir, 'secret'), `${secret}\n`);
    writeFileSync(path.join(dir, 'slack'), 'https://hooks.slack.com/services/T/B/x\n');
    const c = loadConfig({
      NOTIFY_WEBHOOK_URL: 'https://ops.example/hooks',
      NOTIFY_WEBHOOK_SECRET_FILE: path.join(dir, 'secret'),
      NOTIFY_SLACK_WEBHOOK_URL_FILE: path.join(dir, 'slack'),
    });
    rmSync(dir, { recursive: true, force: true });
    expect(notify(c)).toMatchObject({ mode: 'live', slack: { url: 'https://hooks.slack.com/services/T/B/x' }, webhook: { secret } });
  });
});

describe('AI capabilities (AI_CONFIG)', () => {
  const file = (content: unknown) => {
    const f = path.join(mkdtempSync(path.join(tmpdir(), 'sy-ai-config-')), 'ai.json');
    writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
    return f;
  };
  const message = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    return 'no error';
  };

  it('defaults to chat: AI_PROVIDER with its model, then the fallback model, then the other AI instances', () => {
    // Demo: the OpenAI emulator, then the Anthropic one, with nothing configured.
    expect(loadConfig({}).ai.capabilities).toEqual({
      chat: {
        chain: [
          { provider: 'openai', model: undefined },
          { provider: 'anthropic', model: undefined },
        ],
      },
      // Every instance; the router keeps those with an embeddings API.
      embed: {
        kind: 'embed',
        chain: [
          { provider: 'openai', model: undefined },
          { provider: 'anthropic', model: undefined },
        ],
      },
    });
    const c = loadConfig({ AI_PROVIDER: 'anthropic', AI_DEFAULT_MODEL: 'claude-sonnet-4-5', AI_FALLBACK_MODEL: 'claude-haiku-4-5' });
    expect(c.ai.capabilities.chat!.chain).toEqual([
      { provider: 'anthropic', model: 'claude-sonnet-4-5' },
      { provider: 'anthropic', model: 'claude-haiku-4-5' },
      { provider: 'openai', model: undefined },
    ]);
    // A provider that is off (no key while something is live) is no link.
    const live = loadConfig({ OPENAI_API_KEY: 'k', STRIPE_SECRET_KEY: 's', HUBSPOT_ACCESS_TOKEN: 'h' });
    expect(live.ai.capabilities.chat!.chain).toEqual([{ provider: 'openai', model: undefined }]);
  });

  it('reads the capabilities from AI_CONFIG', () => {
    const capabilities = {
      chat: { chain: [{ provider: 'anthropic', model: 'claude-haiku-4-5', timeoutMs: 5_000, maxTokens: 512 }], temperature: 0.2 },
      classify: { chain: [{ provider: 'groq', model: 'llama-3.1-8b-instruct' }] },
    };
    const c = loadConfig({ CONNECTOR_INSTANCES: 'groq:openai', AI_CONFIG: file({ capabilities }) });
    expect(c.ai.capabilities).toEqual({ chat: { kind: 'chat', ...capabilities.chat }, classify: { kind: 'chat', ...capabilities.classify } });
  });

  it('reads daily budgets and per-principal limits, in USD, tokens or both', () => {
    const capabilities = {
      chat: { chain: [{ provider: 'openai', model: 'gpt-4o-mini' }], budget: { dailyUsd: 5, dailyTokens: 1_000_000 }, perPrincipal: { dailyUsd: 0.25 } },
      classify: { chain: [{ provider: 'openai', model: 'gpt-4o-mini' }], perPrincipal: { dailyTokens: 20_000 } },
    };
    expect(loadConfig({ AI_CONFIG: file({ capabilities }) }).ai.capabilities).toEqual({
      chat: { kind: 'chat', ...capabilities.chat },
      classify: { kind: 'chat', ...capabilities.classify },
    });
  });

  it('reads embed capabilities and response caches of temperature-0 capabilities', () => {
    const capabilities = {
      classify: { chain: [{ provider: 'openai', model: 'gpt-4o-mini' }], temperature: 0, cache: { ttlSeconds: 3600 } },
      search: { kind: 'embed', chain: [{ provider: 'openai', model: 'text-embedding-3-large' }] },
    };
    expect(loadConfig({ AI_CONFIG: file({ capabilities }) }).ai.capabilities).toEqual({
      classify: { kind: 'chat', ...capabilities.classify },
      search: capabilities.search,
    });
  });

  it.each([
    [{ capabilities: { chat: { chain: [{ provider: 'openai', model: 'm', timeoutMs: 'soon' }] } } }, /AI_CONFIG .*: capabilities\.chat\.chain\.0\.timeoutMs: /],
    [{ capabilities: { chat: { chain: [] } } }, /AI_CONFIG .*: capabilities\.chat\.chain: /],
    [{ capabilities: { chat: { chain: [{ provider: 'openai' }] } } }, /AI_CONFIG .*: capabilities\.chat\.chain\.0\.model: /],
    [{ capabilities: { chat: { chain: [{ provider: 'openai', model: 'm', fallback: true }] } } }, /AI_CONFIG .*: capabilities\.chat\.chain\.0: .*fallback/],
    [{ capabilities: { chat: { chain: [{ provider: 'openai', model: 'm' }], temperature: 3 } } }, /AI_CONFIG .*: capabilities\.chat\.temperature: /],
    [{ capabilities: { Chat: { chain: [{ provider: 'openai', model: 'm' }] } } }, /AI_CONFIG .*: capabilities\.Chat: .*lower-case/],
    [
      {
        capabilities: {
          chat: {
            chain: [
              { provider: 'openai', model: 'm' },
              { provider: 'mistral', model: 'm' },
            ],
          },
        },
      },
      /AI_CONFIG .*: capabilities\.chat\.chain\.1\.provider: no AI provider named mistral \(configured: openai, anthropic\)/,
    ],
    ['{ not json', /AI_CONFIG .*ai\.json: /],
    // An answer given twice must be one the model would give again: temperature 0 only.
    [
      { capabilities: { chat: { chain: [{ provider: 'openai', model: 'm' }], cache: { ttlSeconds: 60 } } } },
      /AI_CONFIG .*: capabilities\.chat\.cache: .*temperature 0/,
    ],
    [
      { capabilities: { chat: { chain: [{ provider: 'openai', model: 'm' }], temperature: 0.7, cache: { ttlSeconds: 60 } } } },
      /AI_CONFIG .*: capabilities\.chat\.cache: .*temperature 0/,
    ],
    [{ capabilities: { e: { kind: 'vectors', chain: [{ provider: 'openai', model: 'm' }] } } }, /AI_CONFIG .*: capabilities\.e\.kind: /],
    [
      { capabilities: { chat: { chain: [{ provider: 'openai', model: 'm' }], budget: { dailyUsd: 0 } } } },
      /AI_CONFIG .*: capabilities\.chat\.budget\.dailyUsd: /,
    ],
    [
      { capabilities: { chat: { chain: [{ provider: 'openai', model: 'm' }], budget: { dailyUsd: -5 } } } },
      /AI_CONFIG .*: capabilities\.chat\.budget\.dailyUsd: /,
    ],
    [
      { capabilities: { chat: { chain: [{ provider: 'openai', model: 'm' }], budget: { dailyTokens: 1.5 } } } },
      /AI_CONFIG .*: capabilities\.chat\.budget\.dailyTokens: /,
    ],
    [
      { capabilities: { chat: { chain: [{ provider: 'openai', model: 'm' }], perPrincipal: { dailyTokens: 'many' } } } },
      /AI_CONFIG .*: capabilities\.chat\.perPrincipal\.dailyTokens: /,
    ],
    [
      { capabilities: { chat: { chain: [{ provider: 'openai', model: 'm' }], budget: {} } } },
      /AI_CONFIG .*: capabilities\.chat\.budget: .*dailyUsd, dailyTokens or both/,
    ],
    [
      { capabilities: { chat: { chain: [{ provider: 'openai', model: 'm' }], budget: { monthlyUsd: 5 } } } },
      /AI_CONFIG .*: capabilities\.chat\.budget: .*monthlyUsd/,
    ],
  ])('refuses a bad file naming the path in it (%#)', (content, expected) => {
    expect(message({ AI_CONFIG: file(content) })).toMatch(expected);
  });

  it('refuses an AI_CONFIG file that cannot be read', () => {
    expect(message({ AI_CONFIG: '/nonexistent/ai.json' })).toMatch(/AI_CONFIG \/nonexistent\/ai\.json: .*ENOENT/);
  });
});

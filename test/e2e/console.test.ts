// The operator console in headless Chromium (playwright-core driving Debian's `chromium`; no
// browser download). A Switchyard with its emulators and job queue listens on a real port; the
// browser reaches nothing else: every request to another host is refused and recorded, so the
// console (GraphiQL included) is proven to work with the network closed. Each page is
// screenshotted to test/e2e/screenshots/ (git-ignored).
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeys } from '../../src/auth/apiKeys.ts';
import { CONSOLE_DIST } from '../../src/console/static.ts';
import { CRASH_BACKENDS, startStack, type Stack } from '../helpers/stack.ts';
import { quickPolicyFile } from '../helpers/files.ts';
import { until } from '../helpers/until.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.info(`[tests] console browser suite skipped: no Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run installs it)`);
const SHOTS = path.resolve(import.meta.dirname, 'screenshots');
// The flags the closed network needs: without the background-networking ones Chromium keeps calling Google.
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

describe.skipIf(!HAVE_CHROMIUM).each(CRASH_BACKENDS)('operator console in Chromium on %s', { timeout: 120_000 }, (backend) => {
  let stack: Stack;
  let base: string;
  let browser: Browser;
  let admin: string;
  let operator: string;
  const offsite: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(path.join(CONSOLE_DIST, 'index.html'))) throw new Error(`the console is not built (${CONSOLE_DIST}): run npm run build:console`);
    mkdirSync(SHOTS, { recursive: true });
    stack = await startStack(backend, {
      jobs: () => {},
      env: {
        // The breaker opens after 3 failures in a row and stays open for the test.
        POLICY_FILE: quickPolicyFile(['stripe'], { maxAttempts: 1, breaker: { consecutiveFailures: 3, halfOpenAfterMs: 120_000 } }),
        WEBHOOK_RETRIES: '0',
      },
    });
    base = await stack.server.app.listen({ host: '127.0.0.1', port: 0 });
    const keys = new ApiKeys(stack.connectors.store);
    admin = (await keys.issue({ role: 'admin', name: 'console-admin' })).key;
    operator = (await keys.issue({ role: 'operator', name: 'console-operator' })).key;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** A fresh browser profile whose only reachable host is the server; CSP reports and page errors are collected. */
  async function open(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.origin === base) return route.continue();
      offsite.push(url.href);
      return route.abort('internetdisconnected');
    });
    const page = await context.newPage();
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy|Refused to (load|apply|execute|connect|create)/.test(msg.text()))
        problems.push(`csp: ${msg.text()}`);
    });
    return { context, page };
  }

  async function signIn(page: Page, credential: string) {
    await page.goto(`${base}/console/`);
    await page.getByTestId('signin-credential').fill(credential);
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('principal-role').waitFor();
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

  const gql = async (query: string, key = admin) => {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ query }),
    });
    return (await res.json()) as { data?: Record<string, unknown>; errors?: { extensions?: { code?: string } }[] };
  };

  it('refuses a wrong credential with its code, then signs an admin in and shows the overview', async () => {
    const { context, page } = await open();
    await page.goto(`${base}/console/`);
    await page.getByTestId('signin-credential').fill('syk_0000000000000000_' + '0'.repeat(64));
    await page.getByTestId('signin-submit').click();
    await expect.poll(() => page.getByTestId('signin-error-code').textContent()).toBe('UNAUTHENTICATED');
    await shot(page, 'signin');
    await page.getByTestId('signin-credential').fill(admin);
    await page.getByTestId('signin-submit').click();
    await expect.poll(() => page.getByTestId('principal-role').textContent()).toBe('admin');
    await page.getByTestId('circuit-stripe').waitFor();
    expect(await page.getByTestId('circuit-stripe').getAttribute('data-circuit')).toBe('CLOSED');
    await shot(page, 'overview');
    // The cookie is httpOnly: the page's own script cannot read it.
    expect(await page.evaluate(() => document.cookie)).toBe('');
    await context.close();
  });

  it('shows a Stripe outage as an open circuit within 5 s of the circuit opening', async () => {
    const { context, page } = await open();
    await signIn(page, admin);
    await page.getByTestId('circuit-stripe').waitFor();
    await fetch(`${stack.emulators.urls.stripe}/__control/faults`, { method: 'POST', body: JSON.stringify({ status: 503 }) });
    try {
      let n = 0;
      const opened = await until('the breaker open', async () => {
        // A payment each time: a write, which no cache or store answers.
        await gql(
          `mutation { createPayment(input: { customerId: "cust_demo0001", amount: 100, currency: "USD", idempotencyKey: "console-outage-${++n}" }) { id } }`,
        );
        const status = await gql(`{ connectors { name circuit } }`);
        const stripe = (status.data!.connectors as { name: string; circuit: string }[]).find((c) => c.name === 'stripe');
        return stripe?.circuit === 'OPEN' ? Date.now() : undefined;
      });
      await expect.poll(() => page.getByTestId('circuit-stripe').getAttribute('data-circuit'), { timeout: 5_000, interval: 100 }).toBe('OPEN');
      const seenAfterMs = Date.now() - opened;
      console.info(`[console] open circuit shown ${seenAfterMs} ms after it opened`);
      expect(seenAfterMs).toBeLessThan(5_000);
      // Not by colour alone: the card says so in words.
      expect(await page.getByTestId('circuit-stripe').textContent()).toMatch(/OPEN/);
      await shot(page, 'overview-outage');
      await page.goto(`${base}/console/connectors/stripe`);
      await page.getByTestId('recent-errors').waitFor();
      expect(await page.getByTestId('recent-errors').textContent()).toMatch(/UPSTREAM_UNAVAILABLE/);
      await shot(page, 'connector-stripe');
    } finally {
      await fetch(`${stack.emulators.urls.stripe}/__control/faults`, { method: 'POST', body: '{}' });
    }
    await context.close();
  });

  it('replays a dead event from the events page', async () => {
    // An event for the AI instance, which has no webhook handler: an attempt (WEBHOOK_RETRIES=0) leaves it DEAD.
    const { store } = stack.connectors;
    const id = (await store.webhooks.insert(store.db, {
      provider: 'openai',
      eventId: `evt_${randomUUID()}`,
      type: 'console.replay',
      objectId: null,
      occurredAt: new Date(),
      payload: { customer_email: 'ada@example.com' },
    }))!;
    expect((await gql(`mutation { replayWebhookEvent(id: "${id}") { id } }`)).errors).toBeUndefined();
    await until('the event dead', async () => (await store.webhooks.get(id))?.status === 'dead');
    const { context, page } = await open();
    await signIn(page, admin);
    await page.goto(`${base}/console/events`);
    await page.getByTestId(`event-${id}`).waitFor();
    await page.getByTestId(`event-open-${id}`).click();
    await page.getByTestId('event-payload').waitFor();
    // Redacted as the audit trail redacts it.
    expect(await page.getByTestId('event-payload').textContent()).not.toContain('ada@example.com');
    await shot(page, 'events');
    await page.getByTestId(`replay-${id}`).click();
    await until('the replayed event taken again', async () => ((await store.webhooks.get(id))?.attempts ?? 0) >= 2);
    await context.close();
  });

  it('creates a key (its secret shown once) and revokes one, which then no longer works', async () => {
    const { context, page } = await open();
    await signIn(page, admin);
    await page.goto(`${base}/console/keys`);
    await page.getByTestId('key-name').fill('made-in-console');
    await page.getByTestId('key-role').selectOption('app');
    await page.getByTestId('key-create').click();
    const secret = await page.getByTestId('key-secret').inputValue();
    expect(secret).toMatch(/^syk_/);
    expect((await gql(`{ customers(first: 1) { totalCount } }`, secret)).errors).toBeUndefined();
    await shot(page, 'keys');
    await page.getByTestId('key-secret-done').click();
    expect(await page.getByTestId('key-secret').count()).toBe(0);
    const id = /^syk_([0-9a-f]{16})_/.exec(secret)![1]!;
    await page.getByTestId(`key-revoke-${id}`).click();
    await page.getByTestId('confirm-ok').click();
    await expect.poll(() => page.getByTestId(`key-state-${id}`).textContent()).toMatch(/revoked/i);
    expect((await gql(`{ customers(first: 1) { totalCount } }`, secret)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await context.close();
  });

  it('shows an admin the audit trail and its verification, and every other page', async () => {
    const { context, page } = await open();
    await signIn(page, admin);
    await page.goto(`${base}/console/audit`);
    await page.getByTestId('audit-chain-state').waitFor();
    expect(await page.getByTestId('audit-chain-state').getAttribute('data-ok')).toBe('true');
    await page.getByTestId('audit-table').waitFor();
    await shot(page, 'audit');
    for (const name of ['connectors', 'workflows', 'reconciliation', 'ai']) {
      await page.goto(`${base}/console/${name}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      expect(await page.getByTestId('error').count()).toBe(0);
      await shot(page, name);
    }
    await context.close();
  });

  it('does not let an operator open the audit page', async () => {
    const { context, page } = await open();
    await signIn(page, operator);
    expect(await page.getByTestId('principal-role').textContent()).toBe('operator');
    expect(await page.getByTestId('nav-audit').count()).toBe(0);
    await page.goto(`${base}/console/audit`);
    await page.getByTestId('forbidden').waitFor();
    expect(await page.getByTestId('audit-table').count()).toBe(0);
    await shot(page, 'audit-operator');
    await context.close();
  });

  it('runs a query in the explorer with the network closed, and signs out', async () => {
    const { context, page } = await open();
    await signIn(page, admin);
    await page.goto(`${base}/console/explorer`);
    await page.getByTestId('explorer').waitFor();
    const editor = page.locator('.graphiql-query-editor .CodeMirror').first();
    await editor.waitFor();
    await editor.click();
    await page.keyboard.press('Control+A');
    // Inserted as text, not typed key by key: the editor would close each brace itself.
    await page.keyboard.insertText('query Connectors { connectors { name circuit } }');
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => page.locator('.result-window').textContent(), { timeout: 10_000 }).toMatch(/"name": "stripe"/);
    await shot(page, 'explorer');
    await page.getByTestId('sign-out').click();
    await page.getByTestId('signin-form').waitFor();
    const after = await page.request.post(`${base}/graphql`, { data: { query: '{ connectors { name } }' }, headers: { 'content-type': 'application/json' } });
    expect(((await after.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    await context.close();
  });

  it('reached no other host, and broke no CSP rule, on any page', () => {
    expect(offsite).toEqual([]);
    expect(problems).toEqual([]);
  });
});

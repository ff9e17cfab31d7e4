// What every Stripe endpoint does before and after its own logic: authentication, parameter
// decoding, idempotency, `expand`, and turning thrown StripeApiErrors into error responses.
import type { EmuRequest, EmuResponse, Route } from '../../../emulators/http.ts';
import { StripeApiError, unauthorized } from './errors.ts';
import type { EmitEvent, StripeEvents } from './events.ts';
import { expand } from './expand.ts';
import { canonical, decodeForm, strArray, type ParamObject } from './form.ts';
import { IdempotencyStore } from './idempotency.ts';
import { randomToken } from './objects.ts';
import type { StripeStore } from './store.ts';
import { DEFAULT_STRIPE_RATE_LIMIT, StripeLimiter, type StripeRateLimit } from './ratelimit.ts';

/** The version the installed SDK pins; echoed when a request names none. */
export const DEFAULT_API_VERSION = '2026-10-28.endive';

export interface Ctx {
  req: EmuRequest;
  p: ParamObject;
  store: StripeStore;
  /** The request's `expand[]`; applied to the returned body by the wrapper. */
  expandPaths: string[];
  /** Sends a webhook event for a change this request made (an idempotent replay makes none). */
  event: EmitEvent;
}

export type ApiHandler = (ctx: Ctx) => unknown;

const NO_KEY =
  "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.";

function redact(key: string): string {
  const prefix = /^[a-z]+_(test_|live_)?/.exec(key)?.[0] ?? '';
  if (key.length <= prefix.length + 4) return key;
  return prefix + '*'.repeat(key.length - prefix.length - 4) + key.slice(-4);
}

export function authenticate(header: string | undefined): string {
  const [scheme, value] = (header ?? '').trim().split(/\s+/, 2);
  let key = '';
  if (scheme?.toLowerCase() === 'bearer') key = value ?? '';
  // curl -u sk_test_...: (HTTP Basic with the key as user name) is accepted by Stripe too.
  else if (scheme?.toLowerCase() === 'basic')
    key =
      Buffer.from(value ?? '', 'base64')
        .toString('utf8')
        .split(':')[0] ?? '';
  if (!key) throw unauthorized(NO_KEY);
  if (key.startsWith('pk_')) {
    throw unauthorized(
      'This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys.',
    );
  }
  if (!key.startsWith('sk_')) throw unauthorized(`Invalid API Key provided: ${redact(key)}`);
  return key;
}

function errorResponse(err: StripeApiError): EmuResponse {
  return { status: err.status, body: err.body(), headers: err.headers };
}

export class StripeApi {
  readonly idempotency = new IdempotencyStore();
  // commonHeaders runs before the handler on the same request; the headers object is the one
  // thing both see, so the request id is parked against it.
  private readonly requestIds = new WeakMap<object, string>();

  readonly store: StripeStore;
  private readonly events: StripeEvents | undefined;

  readonly limiter: StripeLimiter;

  constructor(store: StripeStore, events?: StripeEvents, rateLimit: StripeRateLimit | false = DEFAULT_STRIPE_RATE_LIMIT) {
    this.store = store;
    this.events = events;
    this.limiter = new StripeLimiter(rateLimit);
  }

  commonHeaders(req: EmuRequest): Record<string, string> {
    const id = `req_${randomToken(14)}`;
    this.requestIds.set(req.headers, id);
    const version = req.headers['stripe-version'];
    return { 'Request-Id': id, 'Stripe-Version': typeof version === 'string' && version ? version : DEFAULT_API_VERSION };
  }

  route(method: string, pattern: string, handler: ApiHandler): Route {
    return { method, pattern, handler: (req) => this.handle(method, req, handler) };
  }

  private handle(method: string, req: EmuRequest, handler: ApiHandler): EmuResponse {
    const requestId = this.requestIds.get(req.headers) ?? `req_${randomToken(14)}`;
    try {
      const apiKey = authenticate(req.headers.authorization);
      // Stripe counts a request against the account after authenticating it.
      this.limiter.take(apiKey);
      const p = method === 'POST' ? { ...decodeForm(req.query), ...decodeForm(req.rawBody) } : decodeForm(req.query);
      const key = req.headers['idempotency-key'];
      const event = this.events?.forRequest({ id: requestId, idempotency_key: typeof key === 'string' && key !== '' ? key : null }) ?? (() => undefined);
      const exec = () => this.exec(req, p, handler, event);
      if (method === 'POST' && typeof key === 'string' && key !== '') {
        return this.idempotency.run(apiKey, key, `${method} ${req.path}`, canonical(p), requestId, exec);
      }
      return exec();
    } catch (err) {
      if (err instanceof StripeApiError) return errorResponse(err);
      throw err;
    }
  }

  private exec(req: EmuRequest, p: ParamObject, handler: ApiHandler, event: EmitEvent): EmuResponse {
    try {
      const expandPaths = strArray(p, 'expand') ?? [];
      const body = handler({ req, p, store: this.store, expandPaths, event });
      // `total_count` is a search option spelled as an expansion, handled by the search itself.
      const isSearch = (body as { object?: unknown } | null)?.object === 'search_result';
      const paths = isSearch ? expandPaths.filter((x) => x !== 'total_count') : expandPaths;
      return { status: 200, body: expand(this.store, body, paths) };
    } catch (err) {
      if (err instanceof StripeApiError) return errorResponse(err);
      throw err;
    }
  }
}

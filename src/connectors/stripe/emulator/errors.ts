// Stripe's error bodies. Handlers throw StripeApiError; the route wrapper turns it into the
// `{ error: {...} }` body Stripe sends, with the status the SDK uses to pick its error class.

export type StripeErrorType = 'invalid_request_error' | 'card_error' | 'idempotency_error' | 'api_error';

export interface StripeErrorFields {
  type: StripeErrorType;
  message: string;
  code?: string;
  param?: string;
  decline_code?: string;
  charge?: string;
  payment_intent?: unknown;
  payment_method?: unknown;
}

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly fields: StripeErrorFields,
    readonly headers: Record<string, string> = {},
  ) {
    super(fields.message);
  }

  body(): { error: Record<string, unknown> } {
    const { type, message, code, param, decline_code, ...rest } = this.fields;
    const error: Record<string, unknown> = {};
    if (code) error.code = code;
    if (decline_code) error.decline_code = decline_code;
    if (code) error.doc_url = docUrl(code);
    error.message = message;
    if (param) error.param = param;
    for (const [k, v] of Object.entries(rest)) if (v !== undefined) error[k] = v;
    error.type = type;
    return { error };
  }
}

export function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
}

export function invalid(message: string, param?: string, code?: string): StripeApiError {
  return new StripeApiError(400, { type: 'invalid_request_error', message, ...(param ? { param } : {}), ...(code ? { code } : {}) });
}

export function missingParam(param: string): StripeApiError {
  return invalid(`Missing required param: ${param}.`, param, 'parameter_missing');
}

/** `No such customer: 'cus_x'`: 404 for the object named in the URL, 400 for one named in a parameter. */
export function noSuch(noun: string, id: string, param: string, status: 404 | 400 = 400): StripeApiError {
  return new StripeApiError(status, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    message: `No such ${noun}: '${id}'`,
    param,
  });
}

export function unauthorized(message: string): StripeApiError {
  return new StripeApiError(401, { type: 'invalid_request_error', message }, { 'WWW-Authenticate': 'Bearer realm="Stripe"' });
}

export function idempotencyError(message: string): StripeApiError {
  return new StripeApiError(400, { type: 'idempotency_error', message });
}

// Stripe's own wording for the 409s, which ask the client to retry with the same key.
const CONFLICT_MESSAGES: Record<string, string> = {
  lock_timeout:
    'This object cannot be accessed right now because another API request or Stripe process is currently accessing it. If you see this error intermittently, retry the request.',
  idempotency_key_in_use:
    'There is currently another in-progress request using this idempotency key (that probably means you submitted twice, and the other request is still going through). Please try again later.',
};

/** The body for a bare status, used by the framework for injected faults and unmatched routes. */
export function errorBodyFor(status: number, message: string, code?: string): unknown {
  const base = (type: StripeErrorType, defaultCode?: string, extra: Partial<StripeErrorFields> = {}) => {
    const c = code ?? defaultCode;
    return new StripeApiError(status, { type, message, ...(c ? { code: c } : {}), ...extra }).body();
  };
  if (status === 402) return base('card_error', 'card_declined', { decline_code: 'generic_decline' });
  if (status === 404) return base('invalid_request_error', message.startsWith('Unrecognized request URL') ? undefined : 'resource_missing');
  if (status === 409) return base('invalid_request_error', 'lock_timeout', { message: CONFLICT_MESSAGES[code ?? 'lock_timeout'] ?? message });
  if (status === 429) return base('invalid_request_error', 'rate_limit');
  if (status >= 500) return base('api_error');
  return base('invalid_request_error');
}

// Anthropic's error envelope: {type:"error", error:{type, message}, request_id}.
import { randomBytes } from 'node:crypto';
import type { EmuResponse } from '../../../emulators/http.ts';

export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'timeout_error'
  | 'api_error'
  | 'overloaded_error';

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Anthropic's ids: a prefix, `01`, then base58 (`msg_01…`, `req_011…`). */
export function anthropicId(prefix: string, length = 22): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += BASE58[b % BASE58.length];
  return `${prefix}_01${out}`;
}

export function anthropicError(status: number, type: AnthropicErrorType, message: string): EmuResponse {
  return { status, body: { type: 'error', error: { type, message }, request_id: anthropicId('req') } };
}

export function invalid(message: string): EmuResponse {
  return anthropicError(400, 'invalid_request_error', message);
}

const BY_STATUS: Record<number, [AnthropicErrorType, string]> = {
  400: ['invalid_request_error', 'Invalid request'],
  401: ['authentication_error', 'invalid x-api-key'],
  402: ['billing_error', 'Your credit balance is too low to access the Anthropic API.'],
  403: ['permission_error', 'Your API key does not have permission to use the specified resource.'],
  404: ['not_found_error', 'Not found'],
  413: ['request_too_large', 'Request exceeds the maximum allowed number of bytes.'],
  429: ['rate_limit_error', 'This request would exceed the rate limit for your organization of 50 requests per minute.'],
  500: ['api_error', 'Internal server error'],
  504: ['timeout_error', 'Request timed out'],
  529: ['overloaded_error', 'Overloaded'],
};

/** The body for a status, for injected faults and unmatched routes. */
export function errorBody(status: number, message: string): unknown {
  const [type, wording] = BY_STATUS[status] ?? (status >= 500 ? BY_STATUS[500]! : BY_STATUS[400]!);
  const injected = message === 'Injected fault';
  // The framework words unmatched routes its own way; Anthropic answers a bare "Not Found".
  const text = injected ? wording : /^Unrecognized request URL/.test(message) ? 'Not Found' : message;
  return { type: 'error', error: { type, message: text }, request_id: anthropicId('req') };
}

/** Anthropic always tells a rate-limited client when to come back; a fault's own value wins. */
export function faultHeaders(status: number): Record<string, string> {
  return status === 429 ? { 'retry-after': '1' } : {};
}

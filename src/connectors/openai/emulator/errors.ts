// OpenAI's error envelope: {error:{message, type, param, code}}.
import type { EmuResponse } from '../../../emulators/http.ts';

export interface OpenAiErrorFields {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

export function openAiError(status: number, fields: Partial<OpenAiErrorFields> & { message: string }): EmuResponse {
  return {
    status,
    body: { error: { message: fields.message, type: fields.type ?? 'invalid_request_error', param: fields.param ?? null, code: fields.code ?? null } },
  };
}

export function invalid(message: string, param: string | null, code: string | null): EmuResponse {
  return openAiError(400, { message, param, code });
}

/** The body for a status, for injected faults and unmatched routes. */
export function errorBody(status: number, message: string): unknown {
  const injected = message === 'Injected fault';
  let fields: OpenAiErrorFields;
  if (status === 429) {
    fields = {
      message:
        'Rate limit reached for requests per min (RPM): Limit 10000, Used 10000, Requested 1. Please try again in 6ms. Visit https://platform.openai.com/account/rate-limits to learn more.',
      type: 'requests',
      param: null,
      code: 'rate_limit_exceeded',
    };
  } else if (status === 401) {
    fields = { message, type: 'invalid_request_error', param: null, code: 'invalid_api_key' };
  } else if (status === 503) {
    fields = { message: injected ? 'The engine is currently overloaded, please try again later.' : message, type: 'server_error', param: null, code: null };
  } else if (status >= 500) {
    fields = {
      message: injected ? 'The server had an error while processing your request. Sorry about that!' : message,
      type: 'server_error',
      param: null,
      code: null,
    };
  } else {
    // The framework words unmatched routes its own way; OpenAI says "Invalid URL (POST /v1/x)".
    const route = /^Unrecognized request URL \((\w+): (.*)\)$/.exec(message);
    fields = { message: route ? `Invalid URL (${route[1]} ${route[2]})` : message, type: 'invalid_request_error', param: null, code: null };
  }
  return { error: fields };
}

export function maskKey(key: string): string {
  if (key.length <= 8) return key;
  return `${key.slice(0, 3)}${'*'.repeat(Math.max(4, key.length - 7))}${key.slice(-4)}`;
}

// HubSpot's error bodies. Every CRM v3 error carries status:'error', a message, a
// correlationId and a category; rate-limit errors instead carry errorType/policyName.
import { randomUUID } from 'node:crypto';
import type { EmuRequest, EmuResponse } from '../../../emulators/http.ts';

export const AUTH_MISSING_MESSAGE =
  'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview';

const CATEGORY_BY_STATUS: Record<number, string> = {
  400: 'VALIDATION_ERROR',
  401: 'INVALID_AUTHENTICATION',
  403: 'MISSING_SCOPES',
  404: 'OBJECT_NOT_FOUND',
  409: 'CONFLICT',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

export interface RateLimitPolicy {
  policyName: 'TEN_SECONDLY_ROLLING' | 'SECONDLY' | 'DAILY';
  message: string;
}

export const TEN_SECONDLY: RateLimitPolicy = {
  policyName: 'TEN_SECONDLY_ROLLING',
  message: 'You have reached your ten_secondly_rolling limit.',
};
// The exact message @hubspot/api-client's RetryDecorator matches for search throttling.
export const SECONDLY: RateLimitPolicy = { policyName: 'SECONDLY', message: 'You have reached your secondly limit.' };
export const DAILY: RateLimitPolicy = { policyName: 'DAILY', message: 'You have reached your daily limit.' };

export function rateLimitBody(policy: RateLimitPolicy): Record<string, unknown> {
  return {
    status: 'error',
    message: policy.message,
    errorType: 'RATE_LIMIT',
    correlationId: randomUUID(),
    policyName: policy.policyName,
    groupName: 'publicapi:private-app:emulator',
  };
}

export function hubspotErrorBody(category: string, message: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { status: 'error', message, correlationId: randomUUID(), category, ...extra };
}

/** The body HubSpot sends for a status (used for injected faults and unmatched routes). */
export function errorBody(status: number, message: string): unknown {
  if (status === 429) return rateLimitBody(TEN_SECONDLY);
  if (status >= 500) return hubspotErrorBody('INTERNAL_ERROR', message === 'Injected fault' ? 'internal error' : message);
  return hubspotErrorBody(CATEGORY_BY_STATUS[status] ?? 'BAD_REQUEST', message);
}

export function fail(status: number, category: string, message: string, extra?: Record<string, unknown>): EmuResponse {
  return { status, body: hubspotErrorBody(category, message, extra) };
}

export function validationError(message: string, extra?: Record<string, unknown>): EmuResponse {
  return fail(400, 'VALIDATION_ERROR', message, extra);
}

export interface PropertyProblem {
  name: string;
  error: string;
  message: string;
}

/** HubSpot packs property problems as a JSON array inside the message string. */
export function propertyValidationError(problems: PropertyProblem[]): EmuResponse {
  const detail = problems.map((p) => ({
    isValid: false,
    message: p.message,
    error: p.error,
    name: p.name,
    localizedErrorMessage: p.message,
  }));
  return validationError(`Property values were not valid: ${JSON.stringify(detail)}`);
}

/** Parses a JSON body the way HubSpot reports malformed input. */
export function parseJson(req: EmuRequest): { ok: true; value: Record<string, unknown> } | { ok: false; error: EmuResponse } {
  if (!req.rawBody.trim()) return { ok: false, error: validationError('Invalid input JSON: No content to map due to end-of-input') };
  try {
    const value: unknown = JSON.parse(req.rawBody);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, error: validationError('Invalid input JSON on line 1, column 1: expected a JSON object') };
    }
    return { ok: true, value: value as Record<string, unknown> };
  } catch (err) {
    return { ok: false, error: validationError(`Invalid input JSON on line 1: ${(err as Error).message}`) };
  }
}

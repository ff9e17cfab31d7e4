// Argument checks the schema's types cannot express. Each failure is BAD_USER_INPUT naming the
// argument, raised before any connector is called.
// Ids of other systems' objects are checked against the format their connector declares.
import { badInput } from './errors/index.ts';
import type { IdFormat } from './connectors/domain/info.ts';

/** Switchyard's own customer ids. */
export const CUSTOMER_ID: IdFormat = { pattern: /^cust_[A-Za-z0-9]{4,64}$/, example: 'cust_…' };

/** Switchyard's own webhook inbox ids (UUIDs). */
export const WEBHOOK_EVENT_ID: IdFormat = { pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, example: 'a UUID' };

// Longer than any format allows: refused on its length, before a pattern reads it.
const MAX_ID = 300;

/** `kind` names the object in the message: `id is not a valid payment id (expected pi_…)`. */
export function checkId(format: IdFormat, kind: string, field: string, value: string): string {
  if (value.length > MAX_ID || !format.pattern.test(value)) throw badInput(field, `${field} is not a valid ${kind} id (expected ${format.example})`);
  return value;
}

export const MAX_PAGE_SIZE = 100;

export function checkFirst(field: string, value: number | null | undefined, fallback: number): number {
  const first = value ?? fallback;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) throw badInput(field, `${field} must be between 1 and ${MAX_PAGE_SIZE}`);
  return first;
}

export function checkText(field: string, value: string | null | undefined, max: number, opts: { required?: boolean } = {}): string | null {
  if (value === null || value === undefined) {
    if (opts.required) throw badInput(field, `${field} is required`);
    return null;
  }
  const trimmed = value.trim();
  if (opts.required && trimmed === '') throw badInput(field, `${field} must not be empty`);
  if (trimmed.length > max) throw badInput(field, `${field} must be at most ${max} characters`);
  // Control characters in names and descriptions only ever cause trouble downstream.
  // eslint-disable-next-line no-control-regex -- finding control characters is what this check is for.
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(trimmed)) throw badInput(field, `${field} contains control characters`);
  return trimmed === '' ? null : trimmed;
}

export function checkIdempotencyKey(field: string, value: string): string {
  if (!/^[\x21-\x7E]{8,255}$/.test(value)) throw badInput(field, `${field} must be 8 to 255 printable ASCII characters without spaces`);
  return value;
}

export function checkDateTime(field: string, value: Date | string | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw badInput(field, `${field} must be an ISO-8601 date-time`);
  return date;
}

/** A filter's `from` (inclusive) and `to` (exclusive): `to` must come after `from`. */
export function checkRange(
  prefix: string,
  from: Date | string | null | undefined,
  to: Date | string | null | undefined,
): { from: Date | null; to: Date | null } {
  const range = { from: checkDateTime(`${prefix}.from`, from), to: checkDateTime(`${prefix}.to`, to) };
  if (range.from && range.to && range.from >= range.to) throw badInput(`${prefix}.to`, `${prefix}.to must be after ${prefix}.from`);
  return range;
}

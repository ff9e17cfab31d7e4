// Decodes Stripe's form encoding (`metadata[k]=v`, `expand[0]=x`, `expand[]=x`) into nested
// values, and reads typed parameters with the errors Stripe gives for wrong types.
import { invalid } from './errors.ts';

export type Param = string | Param[] | ParamObject;
export interface ParamObject {
  [key: string]: Param;
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0 || !key.endsWith(']')) return [key];
  const parts = [key.slice(0, open)];
  const rest = key.slice(open);
  const re = /\[([^\]]*)\]/g;
  let consumed = 0;
  for (let m = re.exec(rest); m; m = re.exec(rest)) {
    if (m.index !== consumed) return [key];
    parts.push(m[1] ?? '');
    consumed = re.lastIndex;
  }
  return consumed === rest.length ? parts : [key];
}

function toArrays(value: Param): Param {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const out: ParamObject = {};
  for (const k of keys) out[k] = toArrays(value[k]!);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => out[k]!);
  }
  return out;
}

/** Parses `a[b][0]=v&c=w` (a query string or a form body) into nested objects and arrays. */
export function decodeForm(input: string | URLSearchParams): ParamObject {
  const search = typeof input === 'string' ? new URLSearchParams(input) : input;
  const root: ParamObject = {};
  for (const [rawKey, value] of search) {
    const parts = splitKey(rawKey);
    if (parts.some((p) => FORBIDDEN.has(p))) continue;
    let node = root;
    for (let i = 0; i < parts.length; i++) {
      let part = parts[i]!;
      // `a[]` appends: number it after the entries already there.
      if (part === '' && i > 0) part = String(Object.keys(node).length);
      if (i === parts.length - 1) {
        node[part] = value;
      } else {
        const next = node[part];
        if (next === undefined || typeof next === 'string' || Array.isArray(next)) node[part] = {};
        node = node[part] as ParamObject;
      }
    }
  }
  return toArrays(root) as ParamObject;
}

export function isObject(v: unknown): v is ParamObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: Param): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function str(p: ParamObject, key: string, label = key): string | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalid(`Invalid string: ${show(v)}`, label);
  return v;
}

/** A string where an empty value means "unset", as Stripe treats `description=`. */
export function nullableStr(p: ParamObject, key: string, label = key): string | null | undefined {
  const v = str(p, key, label);
  return v === '' ? null : v;
}

export function int(p: ParamObject, key: string, label = key): number | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^-?\d+$/.test(v.trim())) throw invalid(`Invalid integer: ${show(v)}`, label, 'parameter_invalid_integer');
  const n = Number(v.trim());
  if (!Number.isSafeInteger(n)) throw invalid(`Invalid integer: ${v}`, label, 'parameter_invalid_integer');
  return n;
}

export function bool(p: ParamObject, key: string, label = key): boolean | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw invalid(`Invalid boolean: ${show(v)}`, label);
}

export function obj(p: ParamObject, key: string, label = key): ParamObject | '' | undefined {
  const v = p[key];
  if (v === undefined || v === '') return v;
  if (!isObject(v)) throw invalid(`Invalid object`, label);
  return v;
}

export function strArray(p: ParamObject, key: string): string[] | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  if (v === '') return [];
  // A lone `expand=x` is accepted as a one-element array; Stripe's own clients never send it.
  const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v : undefined;
  if (!list || list.some((x) => typeof x !== 'string')) throw invalid('Invalid array', key);
  return list as string[];
}

/** First parameter outside `allowed` -> Stripe's `parameter_unknown`. */
export function rejectUnknown(p: ParamObject, allowed: readonly string[], prefix = ''): void {
  for (const key of Object.keys(p)) {
    if (!allowed.includes(key)) {
      const name = prefix ? `${prefix}[${key}]` : key;
      throw invalid(`Received unknown parameter: ${name}`, name, 'parameter_unknown');
    }
  }
}

/** Applies a `metadata` parameter: `metadata=` clears all, `metadata[k]=` removes one key. */
export function applyMetadata(current: Record<string, string>, p: ParamObject): Record<string, string> {
  const v = p.metadata;
  if (v === undefined) return current;
  if (v === '') return {};
  if (!isObject(v)) throw invalid('Invalid hash', 'metadata');
  const next = { ...current };
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') throw invalid(`Invalid value type: ${show(val)} must be a string`, `metadata[${k}]`);
    if (k.length > 40)
      throw invalid(`Metadata keys can have up to 40 characters, but you passed in a key that has ${k.length} characters: ${k}`, `metadata[${k}]`);
    if (val.length > 500)
      throw invalid(
        `Metadata values can have up to 500 characters, but you passed in a value that is ${val.length} characters. Invalid value: ${val.slice(0, 40)}...`,
        `metadata[${k}]`,
      );
    if (val === '') delete next[k];
    else next[k] = val;
  }
  if (Object.keys(next).length > 50) throw invalid(`You can have up to 50 metadata keys, but you passed in ${Object.keys(next).length} keys.`, 'metadata');
  return next;
}

/** A stable text for a parameter set, so idempotent retries compare equal regardless of key order. */
export function canonical(v: Param): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(v[k]!)}`).join(',')}}`;
}

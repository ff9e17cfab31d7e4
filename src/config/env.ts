// Building blocks of the configuration schema, shared by src/config.ts and its parts in this
// folder. Nothing here reads the environment: src/config.ts is the only reader.
import { z } from 'zod';

export const url = (name: string) => z.url({ message: `${name} must be a URL` }).refine((v) => /^https?:\/\//.test(v), `${name} must be an http(s) URL`);

export const optionalSecret = z.string().trim().optional();

export const port = z.coerce.number().int().min(0).max(65_535);
export const ms = z.coerce.number().int().min(1).max(600_000);

export const flag = z.enum(['true', 'false']);
export const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function invalid(name: string, message: string): ConfigError {
  return new ConfigError(`Invalid configuration:\n  ${name}: ${message}`);
}

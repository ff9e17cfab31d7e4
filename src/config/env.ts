// Building blocks of the configuration schema, shared by src/config.ts and its parts in this
// folder. Nothing here reads the environment: src/config.ts is the only reader.
import { readFileSync } from 'node:fs';
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

/** Reads the JSON file a variable names and validates it; a bad file throws naming the variable, the file and the path in it. */
export function readJsonFile<S extends z.ZodType>(variable: string, file: string, schema: S): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${variable} ${file}: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`${variable} ${file}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

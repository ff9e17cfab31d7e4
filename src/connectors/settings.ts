// What every credentialed module decides the same way: demo or live, from DEMO and its secret.
import { ConfigError, invalid } from '../config/env.ts';
import type { ModuleEnvContext } from './module.ts';

/** DEMO=true emulates; a credential makes it live; none: demo, or an error when DEMO=false. */
export function credentialMode(ctx: ModuleEnvContext, secretName: string, secret: unknown): 'demo' | 'live' {
  if (ctx.demo === 'true') return 'demo';
  if (typeof secret === 'string' && secret) return 'live';
  if (ctx.demo === 'false') throw new ConfigError(`${secretName} is required when DEMO=false`);
  return 'demo';
}

/** An optional system: live with a credential; without one emulated in full demo mode, else off. */
export function optionalCredentialMode(ctx: ModuleEnvContext, secret: unknown): 'demo' | 'live' | 'off' {
  if (ctx.demo === 'true') return 'demo';
  if (typeof secret === 'string' && secret) return 'live';
  return ctx.fullDemo ? 'demo' : 'off';
}

/** The breaker most modules share: 5 consecutive failures, or half the calls of 30 s (20 at least). */
export const DEFAULT_BREAKER = { consecutiveFailures: 5, failureRatio: 0.5, windowMs: 30_000, minCalls: 20, halfOpenAfterMs: 5_000 };

/**
 * Webhook signing secrets: one, or two comma-separated while a rotation is under way. Unset in
 * demo mode: one made up for this process, which it gives its emulator; unset live: none, and
 * every delivery is refused until one is set.
 */
export function signingSecrets(name: string, raw: unknown, mode: string, generate: () => string): string[] {
  const list =
    typeof raw === 'string'
      ? raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [];
  if (list.length > 2) throw invalid(name, 'takes one secret, or two (comma-separated) during a rotation');
  if (!list.length && mode === 'demo') return [generate()];
  return list;
}

// Policies -> graphql-shield rules. A rule answers true or a coded error: UNAUTHENTICATED for
// anonymous callers, FORBIDDEN naming the missing scope or the ownership condition otherwise.
import { createRequire } from 'node:module';
import type * as ShieldModule from 'graphql-shield';
import type * as MiddlewareModule from 'graphql-middleware';
import type { GraphQLError } from 'graphql';
import type { Context } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { ErrorCode, codedError } from '../errors/index.ts';
import { OWN_CHECKS, type OwnCheckName } from './own.ts';
import { argumentGiven, requiredScopes, type FieldPolicy } from './policy.ts';

// graphql-shield 7.6.5 (the latest) has an ESM build that imports `isUndefined` from node:util,
// which Node 23 removed, so importing it fails (maticzav/graphql-shield#1561; fixed upstream,
// never released). Its CommonJS build loads; of what we use (shield, rule, deny) none calls that
// function. chain() and race() do, and must not be used. graphql-middleware is loaded the same
// way: it recognises shield's middleware generator by `instanceof`, which fails across its ESM
// and CommonJS copies.
const require = createRequire(import.meta.url);
export const shieldLib = require('graphql-shield') as typeof ShieldModule;
export const middlewareLib = require('graphql-middleware') as typeof MiddlewareModule;

export function forbidden(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return codedError(ErrorCode.FORBIDDEN, message, extensions);
}

function unauthenticated(field: string): GraphQLError {
  return codedError(ErrorCode.UNAUTHENTICATED, `${field} needs authentication: send an API key (X-Api-Key) or a bearer token`);
}

/**
 * What a field's policy decides from the principal and the arguments alone: allowed, refused, or
 * the ownership check that decides for the customer role once the record is known (decide()).
 * The operation-level decision (operation.ts) and the per-field shield rule both start here.
 */
export function decideForPrincipal(
  policy: FieldPolicy,
  field: string,
  args: Record<string, unknown>,
  p: Principal,
): true | GraphQLError | { own: OwnCheckName } {
  if (p.role === 'anonymous') return unauthenticated(field);
  const missing = requiredScopes(policy).filter((s) => !p.scopes.has(s));
  if (missing.length) return forbidden(`${field} needs scope ${missing.join(' and ')}`, { requiredScopes: missing });
  const piiArg = policy.piiArgs.find((a) => args[a] !== undefined && args[a] !== null);
  if (piiArg && !p.scopes.has('pii:read')) {
    return forbidden(`${field}(${piiArg}:) matches personal data and needs scope pii:read`, { requiredScopes: ['pii:read'], argument: piiArg });
  }
  const scoped = policy.scopedArgs.find((a) => !p.scopes.has(a.scope) && argumentGiven(args, a.argument));
  if (scoped) {
    return forbidden(`${field}(${scoped.argument}:) needs scope ${scoped.scope}`, { requiredScopes: [scoped.scope], argument: scoped.argument });
  }
  if (p.role !== 'customer' || policy.customer === 'reached') return true;
  if (policy.customer === 'deny') return forbidden(`${field} is not available to customers`);
  return policy.customer;
}

/** One field's decision for the request's principal. */
export async function decide(policy: FieldPolicy, field: string, parent: unknown, args: Record<string, unknown>, ctx: Context): Promise<true | GraphQLError> {
  const d = decideForPrincipal(policy, field, args, ctx.principal);
  if (d === true || d instanceof Error) return d;
  if (await OWN_CHECKS[d.own].check(parent, args, ctx)) return true;
  return forbidden(`${field}: customers may see only their own data`);
}

export function ruleFor(policy: FieldPolicy, field: string) {
  // no_cache: a decision is a set lookup, or a check whose lookups the DataLoaders already cache;
  // shield's own caches would hash every parent object for nothing.
  return shieldLib.rule(field, { cache: 'no_cache' })(async (parent, args, ctx) => {
    try {
      return await decide(policy, field, parent, args as Record<string, unknown>, ctx as Context);
    } catch (err) {
      // shield turns an exception inside a rule into a plain denial: an upstream failure while
      // checking ownership must reach the client as itself, so it is returned as the rule's answer.
      return err instanceof Error ? err : new Error(String(err));
    }
  });
}

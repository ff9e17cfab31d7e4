// Operation limits as the pieces Apollo Server takes: parse options, a validation rule, a plugin.
import type { ParseOptions, ValidationRule } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../../context.ts';
import { documentLimitsRule } from './document.ts';
import { costLimitPlugin } from './plugin.ts';
import type { LimitsOptions } from './options.ts';

export { LIMIT_DEFAULTS, FIELD_WEIGHTS, UPSTREAM_CALLS, CALL_POINTS, type LimitsOptions } from './options.ts';
export { measureDocument } from './document.ts';
export { operationCost } from './cost.ts';

export interface OperationLimits {
  parseOptions: ParseOptions;
  validationRules: ValidationRule[];
  plugin: ApolloServerPlugin<Context>;
}

export function operationLimits(options: LimitsOptions): OperationLimits {
  return {
    parseOptions: { maxTokens: options.maxTokens },
    validationRules: [documentLimitsRule(options)],
    plugin: costLimitPlugin(options),
  };
}

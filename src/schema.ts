// The executable schema: every schema/*.graphql file plus the resolver map, under the permission
// rules of src/permissions (graphql-shield through graphql-middleware).
import { readFileSync, readdirSync } from 'node:fs';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { resolvers } from '../resolvers/index.ts';
import { withPermissions } from './permissions/index.ts';

const SCHEMA_DIR = new URL('../schema/', import.meta.url);

export function loadTypeDefs(): string[] {
  return readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => readFileSync(new URL(f, SCHEMA_DIR), 'utf8'));
}

export function buildSchema(): GraphQLSchema {
  return buildSchemas().shielded;
}

/**
 * The executable schema bare and under the permission middleware (a copy: the bare one keeps
 * its own resolvers). The bare one runs only operations the permissions allowed up front
 * (src/execution/).
 */
export function buildSchemas(): { bare: GraphQLSchema; shielded: GraphQLSchema } {
  const bare = makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers });
  return { bare, shielded: withPermissions(bare) };
}

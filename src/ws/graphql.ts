// graphql-js as Apollo and graphql-ws load it. Node resolves `import 'graphql'` to its CommonJS
// build (the package has no exports map), but a bundler-style resolver (vitest's) gives our own
// files its ESM build: two copies whose classes fail each other's instanceof checks (see
// isGraphQLError in src/errors/index.ts). What the transport hands to graphql-ws (errors it
// checks with instanceof) and to graphql-js (a schema built by @graphql-tools) must come from the
// copy they use, so it is required here, the way they get it.
import { createRequire } from 'node:module';

const graphql = createRequire(import.meta.url)('graphql') as typeof import('graphql');

export const { GraphQLError, createSourceEventStream, execute, parse } = graphql;

// graphql-js as Apollo, graphql-ws and @graphql-tools load it. Node resolves `import 'graphql'`
// to its CommonJS build (the package has no exports map), but a bundler-style resolver (vitest's)
// gives our own files its ESM build: two copies whose classes fail each other's instanceof checks
// (see isGraphQLError in src/errors/index.ts). Code that hands values to those packages, or checks
// the schema's own type objects (TypeInfo, coercion, isInputType), takes graphql-js from here:
// required the way they get it. Plain AST work may import 'graphql' as usual.
import { createRequire } from 'node:module';

export const graphql = createRequire(import.meta.url)('graphql') as typeof import('graphql');

// What the transport hands to graphql-ws (errors it checks with instanceof) and to graphql-js (a
// schema built by @graphql-tools) comes from the copy they use (src/graphqlRuntime.ts).
import { graphql } from '../graphqlRuntime.ts';

export const { GraphQLError, createSourceEventStream, execute, parse } = graphql;

// GraphQL Yoga on node:http with its defaults, serving Switchyard's schema and resolvers over the
// same connectors. Each request runs in its own operation scope, as in Switchyard's server.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createYoga } from 'graphql-yoga';
import { currentScope, newScope, runInScope } from '../../src/pipeline/scope.ts';
import { bareSchema, startTargetRuntime } from './shared.ts';
import { announce, exitOnSignal } from './lifecycle.ts';

const rt = await startTargetRuntime();
const yoga = createYoga({
  schema: bareSchema(),
  graphqlEndpoint: '/graphql',
  graphiql: false,
  logging: 'warn',
  context: () => rt.context(currentScope()),
});

const server = createServer((req, res) => runInScope(newScope(randomUUID()), () => yoga(req, res)));
await new Promise<void>((resolve) => server.listen(rt.port, '127.0.0.1', resolve));
announce('yoga', rt.port);
exitOnSignal(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rt.store.close();
  rt.connectors.redis?.disconnect();
});

// Mercurius on Fastify with graphql-jit (each operation is compiled after its first use),
// serving Switchyard's schema and resolvers over the same connectors.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import mercurius from 'mercurius';
import { currentScope, newScope, runInScope } from '../../src/pipeline/scope.ts';
import { bareSchema, startTargetRuntime } from './shared.ts';
import { announce, exitOnSignal } from './lifecycle.ts';

const rt = await startTargetRuntime();
const app = Fastify({ logger: false });
await app.register(mercurius, {
  schema: bareSchema(),
  jit: 1,
  graphiql: false,
  path: '/graphql',
  context: () => rt.context(currentScope()),
});
// preHandler is the last hook before Mercurius's route handler, and Fastify calls that handler
// synchronously from done(): so the whole execution runs inside the request's operation scope.
app.addHook('preHandler', (_request, _reply, done) => runInScope(newScope(randomUUID()), done));

await app.listen({ host: '127.0.0.1', port: rt.port });
announce('mercurius', rt.port);
exitOnSignal(async () => {
  await app.close();
  await rt.store.close();
  rt.connectors.redis?.disconnect();
});

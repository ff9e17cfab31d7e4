// Bare Apollo Server 5 on Fastify (the same integration Switchyard uses), serving Switchyard's
// schema and resolvers over the same connectors, with no plugins: no auth, permissions, limits,
// rate limit, audit or metrics. The difference to the switchyard target is what those cost.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { ApolloServer } from '@apollo/server';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import type { Context } from '../../src/context.ts';
import { currentScope, newScope, runInScope } from '../../src/pipeline/scope.ts';
import { bareSchema, startTargetRuntime } from './shared.ts';
import { announce, exitOnSignal } from './lifecycle.ts';

const rt = await startTargetRuntime();
const app = Fastify({ logger: false });
const apollo = new ApolloServer<Context>({ schema: bareSchema() });
await apollo.start();

const handler = fastifyApolloHandler(apollo, { context: async () => rt.context(currentScope()) });
app.route({
  method: ['GET', 'POST'],
  url: '/graphql',
  handler(request, reply) {
    return runInScope(newScope(randomUUID()), () => handler.call(this, request as Parameters<typeof handler>[0], reply as Parameters<typeof handler>[1]));
  },
});

await app.listen({ host: '127.0.0.1', port: rt.port });
announce('apollo', rt.port);
exitOnSignal(async () => {
  await app.close();
  await apollo.stop();
  await rt.store.close();
  rt.connectors.redis?.disconnect();
});

// The naive gateway's process: Apollo Server 5 on Fastify (as the apollo target, so the HTTP and
// GraphQL layers are the same) over the hand-written resolvers of ./resolvers.ts.
import Fastify from 'fastify';
import { ApolloServer } from '@apollo/server';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { loadTypeDefs } from '../../src/schema.ts';
import { openBenchStore } from '../targets/shared.ts';
import { announce, exitOnSignal } from '../targets/lifecycle.ts';
import { naiveClients, naiveResolvers } from './resolvers.ts';

const port = Number(process.env.PORT);
const store = await openBenchStore();
const schema = makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers: naiveResolvers(naiveClients(process.env, store)) });
const apollo = new ApolloServer({ schema });
await apollo.start();
const app = Fastify({ logger: false });
app.route({ method: ['GET', 'POST'], url: '/graphql', handler: fastifyApolloHandler(apollo) });
await app.listen({ host: '127.0.0.1', port });
announce('naive', port);
exitOnSignal(async () => {
  await app.close();
  await apollo.stop();
  await store.close();
});

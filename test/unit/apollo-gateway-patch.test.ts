// src/patches/@apollo+server+*.patch: the request context Apollo Server hands a gateway's executor
// (src/execution/) keeps its behaviour, without the per-request object literal with accessors that
// kept every request's objects alive through V8's young-generation collections (bench/README.md).
import { ApolloServer } from '@apollo/server';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { printSchema } from 'graphql';
import { expect, it } from 'vitest';

it("lets the executor read and set the response's status and headers, from accessors on a prototype", async () => {
  const schema = makeExecutableSchema({ typeDefs: 'type Query { ok: Boolean }' });
  let own: PropertyDescriptor | undefined;
  let seenStatus: number | undefined;
  const gateway: GatewayInterface = {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => {};
    },
    load: async () => ({
      executor: async (rc) => {
        const http = rc.response?.http;
        if (!http) throw new Error('the executor got no response head');
        own = Object.getOwnPropertyDescriptor(http, 'status');
        http.status = 202;
        seenStatus = http.status;
        http.headers.set('x-from-executor', 'yes');
        return { data: { ok: true } };
      },
    }),
    stop: async () => {},
  };
  const server = new ApolloServer({ gateway });
  await server.start();
  try {
    const res = await server.executeOperation({ query: '{ ok }' });
    expect(res.body.kind === 'single' && res.body.singleResult.data).toEqual({ ok: true });
    expect(res.http.status).toBe(202);
    expect(seenStatus).toBe(202);
    expect(res.http.headers.get('x-from-executor')).toBe('yes');
    // The patch is in place: status is no own accessor of a per-request literal.
    expect(own).toBeUndefined();
  } finally {
    await server.stop();
  }
});

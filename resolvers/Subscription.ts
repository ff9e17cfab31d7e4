// Streams over GraphQL over WebSocket (src/ws/): each event of the AI service's stream becomes
// one AiStreamEvent. The operation's signal (aborted when the client completes the subscription or
// goes away) aborts the upstream request.
//
// No `resolve` here, on purpose: graphql-middleware (under graphql-shield) wraps a field's
// `resolve` when it has one and its `subscribe` only otherwise, so a custom resolve would leave
// `subscribe` (which starts the upstream call) unguarded. Events carry the field's name instead,
// for the default resolver.
import type { SubscriptionResolvers } from '../src/generated/graphql.ts';
import type { AiAnswer, StreamEvent } from '../src/ai/service.ts';
import { completionRequest } from './CompleteInput.ts';

interface StreamPayload {
  completeStream: { delta: string; completion: AiAnswer | null };
}

async function* events(stream: AsyncGenerator<StreamEvent>): AsyncGenerator<StreamPayload> {
  try {
    for await (const e of stream) yield { completeStream: e.type === 'delta' ? { delta: e.text, completion: null } : { delta: '', completion: e.answer } };
  } finally {
    await stream.return(undefined);
  }
}

export const Subscription: SubscriptionResolvers = {
  completeStream: {
    subscribe: (_p, { input }, ctx) => events(ctx.services.ai.stream(completionRequest(input, ctx), ctx.signal)) as never,
  },
};

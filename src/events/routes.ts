// POST /webhooks/<instance>: the raw bytes reach the connector's verifier untouched (a signature
// covers the bytes, not a re-serialised JSON), so this scope parses no body of its own.
import type { FastifyInstance } from 'fastify';
import type { WebhookDelivery } from '../connectors/domain/events.ts';
import type { IntakeAnswer } from './intake.ts';

export interface WebhookRoutesOptions {
  /** The public base URL senders call (behind a proxy); unset: as this server saw the request. */
  publicUrl: string | undefined;
  bodyLimitBytes: number;
  accept(provider: string, delivery: WebhookDelivery): Promise<IntakeAnswer>;
}

const NAME = /^[a-z][a-z0-9_]{0,30}$/;

export function registerWebhookRoutes(app: FastifyInstance, o: WebhookRoutesOptions): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: o.bodyLimitBytes }, (_request, body, done) => done(null, body));
    scope.post<{ Params: { provider: string } }>('/webhooks/:provider', async (request, reply) => {
      const { provider } = request.params;
      if (!NAME.test(provider))
        return reply.status(404).send({ error: { code: 'NOT_FOUND', message: 'No such webhook endpoint', reason: 'unknown_provider' } });
      const base = o.publicUrl?.replace(/\/+$/, '') ?? `${request.protocol}://${request.host}`;
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const answer = await o.accept(provider, {
        rawBody,
        headers: request.headers,
        url: `${base}${request.url}`,
        method: request.method,
        receivedAt: new Date(),
      });
      return reply.status(answer.status).send(answer.body);
    });
  });
}

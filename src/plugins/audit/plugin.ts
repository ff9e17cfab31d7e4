// One audit record for every GraphQL request Apollo handles, whatever stage refused it: the
// record is made in willSendResponse, which Apollo calls for parse and validation failures,
// for errors thrown by other plugins' didResolveOperation (limits, rate limit), for permission
// denials and for executed operations alike. Requests refused before Apollo runs its plugins
// (bad JSON, body too large, a rejected credential) are audited by http.ts.
import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../../context.ts';
import type { AuditRecord } from '../../connectors/store/index.ts';
import { createRedactor } from './redact.ts';
import { operationRecord } from './record.ts';
import { AUDITED_HEADER } from './http.ts';
import type { AuditPluginOptions } from './options.ts';

export function auditPlugin(options: AuditPluginOptions): ApolloServerPlugin<Context> {
  const redact = createRedactor(options.redaction);
  const keepAiText = options.redaction.aiPrompts === 'keep';
  return {
    async requestDidStart() {
      const startedAt = new Date();
      const started = performance.now();
      return {
        async willSendResponse(rc) {
          // Tells the HTTP layer this request is audited already (the header is removed before sending).
          rc.response.http.headers.set(AUDITED_HEADER, '1');
          const audit = () => {
            const durationMs = performance.now() - started;
            // Over HTTP the request's log line carries the record; otherwise the writer logs it.
            const write = (record: AuditRecord) => options.sink.write(record, { logged: rc.contextValue.foldAudit?.(record) ?? false });
            try {
              write(operationRecord(rc, startedAt, durationMs, redact, keepAiText));
            } catch (err) {
              // A bug here must cost neither the response nor the record: the record goes without variables.
              rc.contextValue.logger?.error({ err }, 'audit: could not build the full record');
              write({ ...operationRecord(rc, startedAt, durationMs, () => '[unavailable]', keepAiText), variables: '[unavailable]' });
            }
          };
          // An accepted subscription (over WebSocket) is recorded when it ends, with every call it caused.
          const stream = rc.contextValue.websocket?.stream;
          if (stream) stream.finished.push(audit);
          else audit();
        },
      };
    },
  };
}

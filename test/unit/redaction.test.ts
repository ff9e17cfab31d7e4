import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LOG_REDACTION } from '../../src/auth/redact.ts';

describe('log redaction', () => {
  it('censors credentials in headers and secret-named fields, up to two levels down', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const log = pino({ redact: LOG_REDACTION }, sink);
    log.info(
      {
        req: { headers: { authorization: 'Bearer eyJ-S3CR3T', 'x-api-key': 'syk_S3CR3T', cookie: 'sid=S3CR3T', host: 'kept' } },
        config: { secret: 'sk_live_S3CR3T', databaseUrl: 'postgres://u:S3CR3T@db/x' },
        apiKey: 'syk_S3CR3T2',
        password: 'S3CR3T',
      },
      'request',
    );
    const line = lines.join('');
    expect(line).not.toContain('S3CR3T');
    expect(line).toContain('"host":"kept"');
    expect(line.match(/\[redacted\]/g)).toHaveLength(7);
  });
});

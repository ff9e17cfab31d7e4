import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LOG_SAFETY } from '../../src/auth/redact.ts';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  return { log: pino(LOG_SAFETY, sink), text: () => lines.join('') };
}

describe('log redaction', () => {
  it('censors credentials in headers and secret-named fields where the code logs them', () => {
    const { log, text } = capture();
    log.info(
      {
        req: {
          method: 'GET',
          url: '/graphql?token=S3CR3T',
          headers: { authorization: 'Bearer eyJ-S3CR3T', 'x-api-key': 'syk_S3CR3T', cookie: 'sid=S3CR3T', host: 'kept' },
        },
        apiKey: 'syk_S3CR3T2',
        password: 'S3CR3T',
      },
      'request',
    );
    expect(text()).not.toContain('S3CR3T');
    expect(text()).toContain('"host":"kept"');
    // A request is logged by its method, path, host and peer: its headers never.
    expect(text()).not.toContain('headers');
    expect(text().match(/\[redacted\]/g)).toHaveLength(2);
  });

  it('censors them in an SDK error and in an audit record the request line carries', () => {
    const { log, text } = capture();
    const err = Object.assign(new Error('upstream said no'), {
      headers: { 'set-cookie': 'sid=S3CR3T', 'request-id': 'req_kept' },
      raw: { headers: { authorization: 'Bearer S3CR3T' }, secret: 'S3CR3T' },
      cause: { token: 'S3CR3T' },
    });
    log.error({ err }, 'call failed');
    log.info({ audit: { v: 1, variables: { token: 'S3CR3T', jwt: 'eyJ-S3CR3T', id: 'cus_kept' } } }, 'request completed');
    expect(text()).not.toContain('S3CR3T');
    expect(text()).toContain('req_kept');
    expect(text()).toContain('cus_kept');
  });
});

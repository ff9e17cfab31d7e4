// Production refuses to start when nobody could authenticate (every request would be anonymous,
// and a gateway that answers nothing is better found at deploy time than by its users), and when
// the audit trail could be rewritten without a trace (no AUDIT_HMAC_KEY).
import { ConfigError, type Config } from '../config.ts';
import type { Store } from '../connectors/store/index.ts';

/** JWT verification configured, or at least one active API key other than demo keys. */
export async function assertAuthenticationConfigured(config: Config, store: Store): Promise<void> {
  if (config.env !== 'production' || config.jwt) return;
  if ((await store.apiKeys.countActive()) > 0) return;
  throw new ConfigError(
    'NODE_ENV=production needs authentication: set JWT_SECRET or JWT_JWKS_URL (with JWT_ISSUER and JWT_AUDIENCE), ' +
      'or create an API key first with `switchyard keys create --role <role> --name <name>`',
  );
}

/** The audit trail's MACs: without AUDIT_HMAC_KEY its hash chain proves nothing to an auditor. */
export function assertAuditKeyConfigured(config: Config): void {
  if (config.env !== 'production' || config.audit.hmacKey) return;
  throw new ConfigError(
    'NODE_ENV=production needs AUDIT_HMAC_KEY (32 characters or more, e.g. `openssl rand -hex 32`; or AUDIT_HMAC_KEY_FILE): ' +
      'without it anyone who can write to the database can rewrite the audit trail unnoticed',
  );
}

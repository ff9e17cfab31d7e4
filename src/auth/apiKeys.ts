// API keys: `syk_<id>_<secret>`, where the id (16 hex digits) finds the stored record in one
// primary-key read and the secret is 256 random bits. Only a SHA-256 of the key is stored: with
// that much entropy a slow hash (bcrypt, scrypt) would add latency to every request and no
// protection, since nobody can guess the preimage anyway. The comparison is constant-time.
// Nothing is cached between requests, so a revoked key stops working at once on every replica.
// Demo keys are accepted only by a process in demo mode, and only until they expire.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { ApiKeyRecord, Store } from '../connectors/store/index.ts';
import { CUSTOMER_ID } from '../validation.ts';
import type { Principal } from './principal.ts';
import { checkGrants, effectiveScopes, isCredentialRole, type CredentialRole } from './roles.ts';
import { unauthenticated } from './errors.ts';

// Hex throughout, so a double click selects the whole key in a terminal.
const KEY = /^syk_([0-9a-f]{16})_([0-9a-f]{64})$/;

/** Tells an API key from a JWT in `Authorization: Bearer`. */
export const looksLikeApiKey = (token: string) => token.startsWith('syk_');

export const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex');

// Compared against when the id is unknown, so a miss takes as long as a wrong secret.
const NO_SUCH_KEY = Buffer.alloc(32);

export interface IssueKeyInput {
  name: string;
  role: CredentialRole;
  /** Extra scopes: any for role service (at least one), pii:read for app, none for the rest. */
  scopes?: readonly string[];
  /** Required for role customer: the one customer the key may see. */
  customerId?: string;
  /** A demo key, expiring this long after it is issued unless its demo process renews it. */
  demoTtlSeconds?: number;
}

export interface ApiKeysOptions {
  logger?: Logger;
  /** Only a process in demo mode (src/auth/demo.ts) accepts demo keys. */
  acceptDemoKeys?: boolean;
}

export class ApiKeyInputError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiKeyInputError';
  }
}

export class ApiKeys {
  private readonly logger: Logger | undefined;
  private readonly acceptDemoKeys: boolean;

  constructor(
    private readonly store: Store,
    opts: ApiKeysOptions = {},
  ) {
    this.logger = opts.logger;
    this.acceptDemoKeys = opts.acceptDemoKeys ?? false;
  }

  /** Creates a key; the returned `key` is shown once and never stored. */
  async issue(input: IssueKeyInput): Promise<{ key: string; record: ApiKeyRecord }> {
    const name = input.name.trim();
    if (!name || name.length > 200) throw new ApiKeyInputError('name', 'name must be 1 to 200 characters');
    const scopes = [...new Set(input.scopes ?? [])];
    const problem = checkGrants(input.role, scopes);
    if (problem) throw new ApiKeyInputError('scopes', problem);
    if ((input.role === 'customer') !== (input.customerId !== undefined)) {
      throw new ApiKeyInputError(
        'customer',
        input.role === 'customer' ? 'role customer needs the customer id it may see' : 'only role customer takes a customer id',
      );
    }
    if (input.customerId !== undefined) {
      if (!CUSTOMER_ID.pattern.test(input.customerId)) throw new ApiKeyInputError('customer', 'customer must be a customer id (cust_...)');
      const [customer] = await this.store.customers.byIds([input.customerId]);
      if (!customer) throw new ApiKeyInputError('customer', `no customer ${input.customerId}`);
    }
    const id = randomBytes(8).toString('hex');
    const key = `syk_${id}_${randomBytes(32).toString('hex')}`;
    const demo = input.demoTtlSeconds !== undefined ? { kind: 'demo' as const, ttlSeconds: input.demoTtlSeconds } : {};
    const record = await this.store.apiKeys.insert({
      id,
      name,
      role: input.role,
      scopes,
      customerId: input.customerId ?? null,
      secretHash: hashKey(key),
      ...demo,
    });
    return { key, record };
  }

  /** The principal a presented key stands for; UNAUTHENTICATED when it is malformed, unknown, wrong or revoked. */
  async verify(key: string): Promise<Principal> {
    const m = KEY.exec(key);
    if (!m) throw unauthenticated('malformed', 'The API key is malformed (expected syk_...)');
    const id = m[1]!;
    const record = await this.store.apiKeys.byId(id);
    const matches = timingSafeEqual(Buffer.from(hashKey(key), 'hex'), record ? Buffer.from(record.secretHash, 'hex') : NO_SUCH_KEY);
    if (!record || !matches) throw unauthenticated('invalid_api_key', 'The API key is not valid');
    return this.principalOfRecord(record);
  }

  /**
   * The principal a key stands for now, by its id alone: for a session that was opened with the
   * key (src/console/sessions.ts), so its revocation or expiry ends the session at once.
   */
  async principalOf(id: string): Promise<Principal> {
    const record = await this.store.apiKeys.byId(id);
    if (!record) throw unauthenticated('invalid_api_key', 'The API key is not valid');
    return this.principalOfRecord(record);
  }

  private principalOfRecord(record: ApiKeyRecord): Principal {
    const id = record.id;
    if (record.revokedAt) throw unauthenticated('revoked', 'The API key has been revoked');
    if (record.kind === 'demo' && !this.acceptDemoKeys) throw unauthenticated('demo_key', 'Demo API keys work only on a Switchyard in demo mode');
    if (record.expired) throw unauthenticated('expired', 'The API key has expired');
    if (!isCredentialRole(record.role)) {
      this.logger?.error({ keyId: id, role: record.role }, 'API key with an unknown role refused');
      throw unauthenticated('invalid_api_key', 'The API key is not valid');
    }
    // Not awaited: recording the use must not slow the request or fail it.
    this.store.apiKeys.touch(id).catch((err: unknown) => this.logger?.warn({ err, keyId: id }, 'could not record API key use'));
    return {
      id: `key:${id}`,
      role: record.role,
      scopes: effectiveScopes(record.role, record.scopes),
      via: 'api_key',
      keyId: id,
      ...(record.customerId ? { customerId: record.customerId } : {}),
    };
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.store.apiKeys.list();
  }

  revoke(id: string): Promise<ApiKeyRecord | null> {
    return this.store.apiKeys.revoke(id);
  }
}

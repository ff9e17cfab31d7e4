// Persisted operations. A request naming a manifest hash (extensions.persistedQuery.sha256Hash)
// runs the manifest's text; in safelist mode any operation whose SHA-256 is not in the manifest
// is refused before it is parsed.
//
// Apollo Server has no hook that can answer a request before parsing: requestDidStart may only
// rewrite the request, and the first hook allowed to refuse one is didResolveOperation. So a
// refused request has its text replaced by a constant one-field query (parsed once, then served
// from Apollo's document cache) and is refused in didResolveOperation, through the usual error
// path that logging and audit plugins see. Its own text is never parsed or validated.
import type { ApolloServerPlugin, GraphQLRequest } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import type { Context } from '../../context.ts';
import { ErrorCode, codedError } from '../../errors/index.ts';
import { loadManifest, normalizeHash, sha256, type Manifest } from './manifest.ts';
import type { SafelistOptions } from './options.ts';

const REFUSED = 'query PersistedOperationRefused { __typename }';

function refusal(reason: 'unknown_hash' | 'not_in_manifest', hash: string): GraphQLError {
  const message =
    reason === 'unknown_hash'
      ? `No persisted operation has hash ${hash}: this server runs only the operations of its manifest`
      : 'This operation is not in the persisted-operations manifest: this server runs only listed operations';
  return codedError(ErrorCode.OPERATION_NOT_ALLOWED, message, { reason, hash, http: { status: 400 } });
}

/** Rewrites the request in place; returns the refusal, if any. */
export function resolvePersisted(request: GraphQLRequest, manifest: Manifest, mode: SafelistOptions['mode']): GraphQLError | undefined {
  const persisted = request.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined;
  const hash = typeof persisted?.sha256Hash === 'string' ? normalizeHash(persisted.sha256Hash) : undefined;
  const listed = (text: string) => {
    // The manifest answers for listed operations; Apollo's own APQ cache need not see them.
    const { persistedQuery: _dropped, ...rest } = request.extensions ?? {};
    request.extensions = rest;
    request.query = text;
    return undefined;
  };
  const refuse = (error: GraphQLError) => {
    listed(REFUSED);
    return error;
  };
  if (request.query === undefined || request.query === '') {
    if (hash === undefined) return undefined; // Apollo answers: no query
    const body = manifest.bodies.get(hash);
    if (body !== undefined) return listed(body);
    return mode === 'safelist' ? refuse(refusal('unknown_hash', hash)) : undefined;
  }
  const textHash = sha256(request.query);
  if (manifest.hashes.has(textHash)) return listed(request.query);
  return mode === 'safelist' ? refuse(refusal('not_in_manifest', textHash)) : undefined;
}

export function persistedOperationsPlugin(options: SafelistOptions): ApolloServerPlugin<Context> {
  const manifest = loadManifest(options.manifest);
  return {
    async requestDidStart({ request }) {
      const refused = resolvePersisted(request, manifest, options.mode);
      if (!refused) return;
      return {
        async didResolveOperation() {
          throw refused;
        },
      };
    },
  };
}

// Options of the persisted-operations plugin (PERSISTED_OPERATIONS_MANIFEST and _MODE).
export interface SafelistOptions {
  /** Path of the manifest: GraphQL Code Generator's persisted-documents.json ({ hash: body }),
   *  Apollo's persisted query manifest ({ format: "apollo-persisted-query-manifest", operations }),
   *  or a JSON list of hashes. Hashes are SHA-256 in hex, optionally prefixed `sha256:`. */
  manifest: string;
  /**
   * accept (default): operations sent by hash (`extensions.persistedQuery.sha256Hash`) run from the
   * manifest; any other operation runs too. safelist: only operations in the manifest run, by hash
   * or as their exact text; everything else is refused with OPERATION_NOT_ALLOWED.
   */
  mode: 'accept' | 'safelist';
}

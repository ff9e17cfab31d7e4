// Apollo's cache of parsed and validated documents, bounded by what a document holds in memory.
// Apollo's default bounds it at 30 MiB of each document's JSON, but a parsed document also keeps
// its token list (comments included), which its JSON leaves out: measured here, a document of
// 3 000 comments is 430 B of JSON and 272 KB of heap, an ordinary query 2.9 KB and 13 KB. Any
// caller, anonymous included, can have documents validated, so the cache is sized by an estimate
// of the heap instead: per token what the AST and the token object cost, plus the source text.
import type { DocumentNode } from 'graphql';
import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { LRUCache } from 'lru-cache';
import { countTokens } from './source.ts';

/** Heap of a parsed document per token, AST included, rounded up from measurements (91-370 B). */
const BYTES_PER_TOKEN = 400;

export const DOCUMENT_STORE_MAX_BYTES = 32 * 1_048_576;

export function estimatedDocumentBytes(doc: DocumentNode): number {
  return (countTokens(doc) + 2) * BYTES_PER_TOKEN + 2 * (doc.loc?.source.body.length ?? 0);
}

export class DocumentStore implements KeyValueCache<DocumentNode> {
  private readonly lru: LRUCache<string, DocumentNode>;

  constructor(maxBytes = DOCUMENT_STORE_MAX_BYTES) {
    this.lru = new LRUCache<string, DocumentNode>({ maxSize: maxBytes, sizeCalculation: estimatedDocumentBytes });
  }

  async get(key: string): Promise<DocumentNode | undefined> {
    return this.lru.get(key);
  }

  async set(key: string, value: DocumentNode, options?: KeyValueCacheSetOptions): Promise<void> {
    this.lru.set(key, value, options?.ttl ? { ttl: options.ttl * 1000 } : undefined);
  }

  async delete(key: string): Promise<boolean> {
    return this.lru.delete(key);
  }

  /** Estimated bytes held. */
  size(): number {
    return this.lru.calculatedSize;
  }
}

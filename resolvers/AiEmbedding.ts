import type { AiEmbeddingResolvers } from '../src/generated/graphql.ts';

export const AiEmbedding: AiEmbeddingResolvers = {
  dimensions: (e) => e.vectors[0]?.length ?? 0,
};

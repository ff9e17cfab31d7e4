// What Switchyard reads from a chat completion, a stream chunk and an embeddings answer; the
// rest of each payload is ignored.
import { z } from 'zod';
import type { TokenUsage } from '../domain/ai.ts';

const Usage = z.object({
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int().optional(),
  total_tokens: z.number().int(),
  prompt_tokens_details: z.object({ cached_tokens: z.number().int().nullish() }).nullish(),
  completion_tokens_details: z.object({ reasoning_tokens: z.number().int().nullish() }).nullish(),
});

export const ChatCompletionSchema = z.object({
  id: z.string(),
  model: z.string(),
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullable() }),
        finish_reason: z.string().nullable(),
      }),
    )
    .min(1),
  usage: Usage,
});

export type ChatCompletion = z.output<typeof ChatCompletionSchema>;

export const ChatChunkSchema = z.object({
  id: z.string(),
  model: z.string(),
  choices: z.array(z.object({ delta: z.object({ content: z.string().nullish() }).nullish(), finish_reason: z.string().nullish() })),
  usage: Usage.nullish(),
});

export const EmbeddingsSchema = z.object({
  model: z.string(),
  data: z.array(z.object({ index: z.number().int(), embedding: z.array(z.number()) })),
  usage: z.object({ prompt_tokens: z.number().int(), total_tokens: z.number().int() }),
});

/** OpenAI's usage: cached tokens are part of the prompt's, reasoning tokens of the completion's. */
export function tokenUsage(u: z.output<typeof Usage>): TokenUsage {
  const completion = u.completion_tokens ?? 0;
  return {
    promptTokens: u.prompt_tokens,
    completionTokens: completion,
    totalTokens: u.total_tokens,
    cachedTokens: u.prompt_tokens_details?.cached_tokens ?? 0,
    cacheWriteTokens: 0,
    reasoningTokens: u.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}

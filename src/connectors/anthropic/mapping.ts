// What Switchyard reads from a Messages API answer and its stream events; the rest is ignored.
import { z } from 'zod';
import type { TokenUsage } from '../domain/ai.ts';

const Usage = z.object({
  input_tokens: z.number().int().nullish(),
  output_tokens: z.number().int(),
  cache_read_input_tokens: z.number().int().nullish(),
  cache_creation_input_tokens: z.number().int().nullish(),
});

export const MessageSchema = z.object({
  id: z.string(),
  model: z.string(),
  content: z.array(z.object({ type: z.string(), text: z.string().optional() })),
  stop_reason: z.string().nullable(),
  usage: Usage,
});

export type Message = z.output<typeof MessageSchema>;

/** The stream's events Switchyard reads (message_start, content_block_delta, message_delta); others pass through. */
export const StreamEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message_start'), message: z.object({ id: z.string(), model: z.string(), usage: Usage }) }),
  z.object({ type: z.literal('content_block_delta'), delta: z.object({ type: z.string(), text: z.string().optional() }) }),
  z.object({ type: z.literal('message_delta'), delta: z.object({ stop_reason: z.string().nullish() }), usage: Usage }),
  z.object({ type: z.enum(['message_stop', 'content_block_start', 'content_block_stop', 'ping']) }),
]);

/** The text blocks, joined; tool calls and thinking blocks are not part of a completion's text. */
export function messageText(m: Message): string {
  return m.content
    .filter((b) => b.type === 'text')
    .map((b) => b.text ?? '')
    .join('');
}

/**
 * Anthropic counts fresh input, cache reads and cache writes apart; the graph's prompt tokens are
 * their sum, with the two cache parts kept as subsets to price.
 */
export function tokenUsage(u: z.output<typeof Usage>): TokenUsage {
  const cached = u.cache_read_input_tokens ?? 0;
  const written = u.cache_creation_input_tokens ?? 0;
  const prompt = (u.input_tokens ?? 0) + cached + written;
  return {
    promptTokens: prompt,
    completionTokens: u.output_tokens,
    totalTokens: prompt + u.output_tokens,
    cachedTokens: cached,
    cacheWriteTokens: written,
    reasoningTokens: 0,
  };
}

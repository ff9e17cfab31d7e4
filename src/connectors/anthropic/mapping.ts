// What Switchyard reads from a Messages API answer; the rest of the payload is ignored.
import { z } from 'zod';

export const MessageSchema = z.object({
  id: z.string(),
  model: z.string(),
  content: z.array(z.object({ type: z.string(), text: z.string().optional() })),
  stop_reason: z.string().nullable(),
  usage: z.object({
    input_tokens: z.number().int(),
    output_tokens: z.number().int(),
    cache_read_input_tokens: z.number().int().nullish(),
    cache_creation_input_tokens: z.number().int().nullish(),
  }),
});

export type Message = z.output<typeof MessageSchema>;

/** The text blocks, joined; tool calls and thinking blocks are not part of a completion's text. */
export function messageText(m: Message): string {
  return m.content
    .filter((b) => b.type === 'text')
    .map((b) => b.text ?? '')
    .join('');
}

/** Input tokens as the graph counts them: fresh, read from the cache and written to it. */
export function promptTokens(m: Message): number {
  return m.usage.input_tokens + (m.usage.cache_read_input_tokens ?? 0) + (m.usage.cache_creation_input_tokens ?? 0);
}

// What Switchyard reads from a chat completion; the rest of the payload is ignored.
import { z } from 'zod';

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
  usage: z.object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int(), total_tokens: z.number().int() }),
});

export type ChatCompletion = z.output<typeof ChatCompletionSchema>;

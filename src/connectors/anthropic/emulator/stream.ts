// The Messages API's event stream for one reply: message_start, the text block's start,
// a ping, one text_delta per token, the block's stop, message_delta (stop reason and
// usage), message_stop. Every event is named, and its data repeats the name as `type`.
import type { SseEvent } from '../../../emulators/http.ts';
import type { AnthropicMessage } from './messages.ts';

export function messageEvents(message: AnthropicMessage, pieces: string[]): SseEvent[] {
  const { usage } = message;
  const named = (data: { type: string } & Record<string, unknown>, token = false): SseEvent => ({ event: data.type, data, ...(token ? { token } : {}) });
  return [
    // The opening usage counts the prompt and a first output token, as the API's does.
    named({ type: 'message_start', message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } }),
    named({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    named({ type: 'ping' }),
    ...pieces.map((text) => named({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }, true)),
    named({ type: 'content_block_stop', index: 0 }),
    named({
      type: 'message_delta',
      delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence, stop_details: null },
      usage: {
        input_tokens: usage.input_tokens,
        cache_creation_input_tokens: usage.cache_creation_input_tokens,
        cache_read_input_tokens: usage.cache_read_input_tokens,
        output_tokens: usage.output_tokens,
        server_tool_use: null,
      },
    }),
    named({ type: 'message_stop' }),
  ];
}

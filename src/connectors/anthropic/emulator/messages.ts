// POST /v1/messages: a validated request, the model's limits, prompt caching, then a
// deterministic reply, whole or as the API's event stream.
import type { EmuRequest, EmuResponse } from '../../../emulators/http.ts';
import type { PromptCache } from './cache.ts';
import { anthropicError, anthropicId, invalid } from './errors.ts';
import type { ModelLimits } from './models.ts';
import { parseMessagesRequest } from './request.ts';
import { messageEvents } from './stream.ts';
import { replyText, tokenPieces } from './text.ts';

export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: Array<{ type: 'text'; text: string; citations: null }>;
  stop_reason: 'end_turn' | 'max_tokens' | 'stop_sequence';
  stop_sequence: string | null;
  stop_details: null;
  container: null;
  usage: Record<string, unknown> & { input_tokens: number; output_tokens: number };
}

/** Cuts the reply at the earliest stop sequence, then at max_tokens. */
function finish(text: string, stops: string[], maxTokens: number) {
  let cut: { at: number; seq: string } | undefined;
  for (const seq of stops) {
    const at = seq ? text.indexOf(seq) : -1;
    if (at >= 0 && (!cut || at < cut.at)) cut = { at, seq };
  }
  const pieces = tokenPieces(cut ? text.slice(0, cut.at) : text);
  if (pieces.length > maxTokens) return { pieces: pieces.slice(0, maxTokens), reason: 'max_tokens' as const, seq: null };
  return cut ? { pieces, reason: 'stop_sequence' as const, seq: cut.seq } : { pieces, reason: 'end_turn' as const, seq: null };
}

export function messagesHandler(models: Map<string, ModelLimits>, cache: PromptCache, onUsage: (input: number, output: number) => void) {
  return (req: EmuRequest): EmuResponse => {
    const parsed = parseMessagesRequest(req.rawBody);
    if ('status' in parsed) return parsed;
    const model = models.get(parsed.model);
    if (!model) return anthropicError(404, 'not_found_error', `model: ${parsed.model}`);
    if (parsed.maxTokens > model.maxOutputTokens) {
      return invalid(`max_tokens: ${parsed.maxTokens} > ${model.maxOutputTokens}, which is the maximum allowed number of output tokens for ${model.id}`);
    }
    const prompt = parsed.blocks.reduce((s, b) => s + b.tokens, 0);
    if (prompt > model.contextWindow) return invalid(`prompt is too long: ${prompt} tokens > ${model.contextWindow} maximum`);
    if (prompt + parsed.maxTokens > model.contextWindow) {
      return invalid(
        `input length and \`max_tokens\` exceed context limit: ${prompt} + ${parsed.maxTokens} > ${model.contextWindow}, decrease input length or \`max_tokens\` and try again`,
      );
    }

    const usage = cache.apply(model.id, parsed.blocks);
    const out = finish(replyText(model.id, parsed.system, parsed.turns), parsed.stopSequences, parsed.maxTokens);
    onUsage(prompt, out.pieces.length);
    const message: AnthropicMessage = {
      id: anthropicId('msg'),
      type: 'message',
      role: 'assistant',
      model: model.id,
      content: [{ type: 'text', text: out.pieces.join(''), citations: null }],
      stop_reason: out.reason,
      stop_sequence: out.seq,
      stop_details: null,
      container: null,
      usage: {
        input_tokens: usage.inputTokens,
        cache_creation_input_tokens: usage.cacheCreation,
        cache_read_input_tokens: usage.cacheRead,
        cache_creation: { ephemeral_5m_input_tokens: usage.creation5m, ephemeral_1h_input_tokens: usage.creation1h },
        output_tokens: out.pieces.length,
        service_tier: 'standard',
        server_tool_use: null,
        inference_geo: null,
      },
    };
    if (parsed.stream) return { status: 200, body: null, stream: messageEvents(message, out.pieces) };
    return { status: 200, body: message };
  };
}

/** POST /v1/messages/count_tokens: the prompt's size without a reply (budgets estimate with it). */
export function countTokensHandler(models: Map<string, ModelLimits>) {
  return (req: EmuRequest): EmuResponse => {
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(req.rawBody) as Record<string, unknown>;
    } catch {
      return invalid('There was an error parsing the body of your request. Please make sure it is valid JSON.');
    }
    // count_tokens takes no max_tokens; validate the rest as a messages request would be.
    const parsed = parseMessagesRequest(JSON.stringify({ ...raw, max_tokens: 1 }));
    if ('status' in parsed) return parsed;
    if (!models.has(parsed.model)) return anthropicError(404, 'not_found_error', `model: ${parsed.model}`);
    return { status: 200, body: { input_tokens: parsed.blocks.reduce((s, b) => s + b.tokens, 0) } };
  };
}

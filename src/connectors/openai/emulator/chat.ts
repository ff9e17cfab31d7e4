// POST /v1/chat/completions: request validation with OpenAI's wording, the model's limits,
// then a deterministic answer, whole or streamed.
import type { EmuRequest, EmuResponse } from '../../../emulators/http.ts';
import type { PrefixCache } from './cache.ts';
import { completionBody, completionChunks, spend, totalTokens } from './completion.ts';
import { invalid, openAiError } from './errors.ts';
import type { ChatModel } from './models.ts';
import { fingerprint, generateText, promptTokens, type ChatMessage } from './text.ts';

const ROLES = ['system', 'assistant', 'user', 'function', 'tool', 'developer'];
const PART_TYPES = ['text', 'image_url', 'input_audio', 'refusal', 'audio', 'file'];
const KNOWN_ARGS = new Set([
  'model',
  'messages',
  'temperature',
  'top_p',
  'n',
  'stream',
  'stream_options',
  'stop',
  'max_tokens',
  'max_completion_tokens',
  'presence_penalty',
  'frequency_penalty',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'user',
  'seed',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'functions',
  'function_call',
  'service_tier',
  'store',
  'metadata',
  'modalities',
  'audio',
  'prediction',
  'reasoning_effort',
  'verbosity',
  'web_search_options',
  'safety_identifier',
  'prompt_cache_key',
]);

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a decimal';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

function oneOf(values: string[]): string {
  const quoted = values.map((v) => `'${v}'`);
  return `${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1)}`;
}

/** Flattens string or content-part content to text; returns an error response when malformed. */
function contentText(m: Record<string, unknown>, i: number): string | EmuResponse {
  const c = m.content;
  const param = `messages[${i}].content`;
  if (typeof c === 'string') return c;
  if (c === null || c === undefined) {
    if (m.role === 'assistant' && (m.tool_calls || m.function_call)) return '';
    return c === undefined
      ? invalid(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter')
      : invalid(`Invalid value for 'content': expected a string, got null.`, param, null);
  }
  if (!Array.isArray(c)) {
    return invalid(`Invalid type for '${param}': expected one of a string or array of objects, but got ${typeName(c)} instead.`, param, 'invalid_type');
  }
  const texts: string[] = [];
  for (const [j, part] of c.entries()) {
    const type = (part as { type?: unknown } | null)?.type;
    if (typeof type !== 'string' || !PART_TYPES.includes(type)) {
      return invalid(`Invalid value: '${String(type)}'. Supported values are: ${oneOf(PART_TYPES)}.`, `${param}[${j}].type`, 'invalid_value');
    }
    if (type === 'text') texts.push(String((part as { text?: unknown }).text ?? ''));
  }
  return texts.join('\n');
}

function parseMessages(raw: unknown): ChatMessage[] | EmuResponse {
  if (raw === undefined) return invalid(`Missing required parameter: 'messages'.`, 'messages', 'missing_required_parameter');
  if (!Array.isArray(raw)) {
    return invalid(`Invalid type for 'messages': expected an array of objects, but got ${typeName(raw)} instead.`, 'messages', 'invalid_type');
  }
  if (raw.length === 0) {
    return invalid(`Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.`, 'messages', 'empty_array');
  }
  const out: ChatMessage[] = [];
  for (const [i, m] of (raw as unknown[]).entries()) {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) {
      return invalid(`Invalid type for 'messages[${i}]': expected an object, but got ${typeName(m)} instead.`, `messages[${i}]`, 'invalid_type');
    }
    const msg = m as Record<string, unknown>;
    if (msg.role === undefined) return invalid(`Missing required parameter: 'messages[${i}].role'.`, `messages[${i}].role`, 'missing_required_parameter');
    if (typeof msg.role !== 'string' || !ROLES.includes(msg.role)) {
      return invalid(`Invalid value: '${String(msg.role)}'. Supported values are: ${oneOf(ROLES)}.`, `messages[${i}].role`, 'invalid_value');
    }
    if (msg.role === 'tool' && typeof msg.tool_call_id !== 'string') {
      return invalid(`Missing required parameter: 'messages[${i}].tool_call_id'.`, `messages[${i}].tool_call_id`, 'missing_required_parameter');
    }
    const content = contentText(msg, i);
    if (typeof content !== 'string') return content;
    out.push({ role: msg.role, content, ...(typeof msg.name === 'string' ? { name: msg.name } : {}) });
  }
  return out;
}

function checkNumber(body: Record<string, unknown>, name: string, min: number, max: number, integer: boolean): EmuResponse | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  const kind = integer ? 'integer' : 'decimal';
  if (typeof v !== 'number' || (integer && !Number.isInteger(v))) {
    return invalid(`Invalid type for '${name}': expected ${integer ? 'an integer' : 'a decimal'}, but got ${typeName(v)} instead.`, name, 'invalid_type');
  }
  if (v < min)
    return invalid(`Invalid '${name}': ${kind} below minimum value. Expected a value >= ${min}, but got ${v} instead.`, name, `${kind}_below_min_value`);
  if (v > max)
    return invalid(`Invalid '${name}': ${kind} above maximum value. Expected a value <= ${max}, but got ${v} instead.`, name, `${kind}_above_max_value`);
  return undefined;
}

function stops(raw: unknown): string[] {
  if (typeof raw === 'string') return [raw];
  return Array.isArray(raw) ? raw.filter((s): s is string => typeof s === 'string' && s.length > 0) : [];
}

/** Refusals that depend on the model: its parameters and its context window. */
function modelProblem(model: ChatModel, body: Record<string, unknown>, prompt: number): EmuResponse | undefined {
  if (model.reasoning && body.max_tokens !== undefined && body.max_tokens !== null) {
    return invalid(
      "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      'max_tokens',
      'unsupported_parameter',
    );
  }
  if (model.reasoning && typeof body.temperature === 'number' && body.temperature !== 1) {
    return invalid(
      `Unsupported value: 'temperature' does not support ${body.temperature} with this model. Only the default (1) value is supported.`,
      'temperature',
      'unsupported_value',
    );
  }
  const completion = (body.max_completion_tokens ?? body.max_tokens) as number | undefined;
  if (prompt + (completion ?? 0) <= model.contextWindow) return undefined;
  const message =
    completion === undefined
      ? `This model's maximum context length is ${model.contextWindow} tokens. However, your messages resulted in ${prompt} tokens. Please reduce the length of the messages.`
      : `This model's maximum context length is ${model.contextWindow} tokens. However, you requested ${prompt + completion} tokens (${prompt} in the messages, ${completion} in the completion). Please reduce the length of the messages or completion.`;
  return invalid(message, 'messages', 'context_length_exceeded');
}

function streamOptions(body: Record<string, unknown>): { includeUsage: boolean } | EmuResponse {
  const raw = body.stream_options;
  if (raw === undefined || raw === null) return { includeUsage: false };
  if (body.stream !== true) return invalid("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options', null);
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return invalid(`Invalid type for 'stream_options': expected an object, but got ${typeName(raw)} instead.`, 'stream_options', 'invalid_type');
  }
  const include = (raw as { include_usage?: unknown }).include_usage;
  if (include !== undefined && typeof include !== 'boolean') {
    return invalid(
      `Invalid type for 'stream_options.include_usage': expected a boolean, but got ${typeName(include)} instead.`,
      'stream_options.include_usage',
      'invalid_type',
    );
  }
  return { includeUsage: include === true };
}

export function chatCompletionHandler(models: () => Map<string, ChatModel>, cache: PrefixCache, onUsage: (tokens: number) => void) {
  return (req: EmuRequest): EmuResponse => {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.rawBody) as Record<string, unknown>;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not an object');
    } catch {
      return invalid(
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
        null,
        null,
      );
    }
    const unknown = Object.keys(body).find((k) => !KNOWN_ARGS.has(k));
    if (unknown) return invalid(`Unrecognized request argument supplied: ${unknown}`, null, null);
    if (typeof body.model !== 'string' || !body.model) return invalid('you must provide a model parameter', null, null);
    const messages = parseMessages(body.messages);
    if (!Array.isArray(messages)) return messages;
    const numberProblem =
      checkNumber(body, 'temperature', 0, 2, false) ??
      checkNumber(body, 'top_p', 0, 1, false) ??
      checkNumber(body, 'max_tokens', 1, 1_000_000, true) ??
      checkNumber(body, 'max_completion_tokens', 1, 1_000_000, true) ??
      checkNumber(body, 'n', 1, 128, true);
    if (numberProblem) return numberProblem;
    if (body.n !== undefined && body.n !== null && body.n !== 1) return invalid('n > 1 is not supported by this emulator', 'n', 'unsupported_value');
    if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
      return invalid(`Invalid type for 'stream': expected a boolean, but got ${typeName(body.stream)} instead.`, 'stream', 'invalid_type');
    }
    const options = streamOptions(body);
    if ('status' in options) return options;
    const model = models().get(body.model);
    if (!model) {
      return openAiError(404, { message: `The model \`${body.model}\` does not exist or you do not have access to it.`, code: 'model_not_found' });
    }
    const prompt = promptTokens(messages);
    const refused = modelProblem(model, body, prompt);
    if (refused) return refused;

    let text = generateText(model.id, messages);
    const format = (body.response_format as { type?: string } | undefined)?.type;
    if (format === 'json_object' || format === 'json_schema') text = JSON.stringify({ answer: text });
    for (const s of stops(body.stop)) {
      const at = text.indexOf(s);
      if (at >= 0) text = text.slice(0, at);
    }
    const max = (body.max_completion_tokens ?? body.max_tokens) as number | undefined;
    const effort = typeof body.reasoning_effort === 'string' ? body.reasoning_effort : 'medium';
    const out = spend(text, max, model.reasoning ? { effort } : undefined);
    const cacheKey = typeof body.prompt_cache_key === 'string' ? body.prompt_cache_key : '';
    const completion = {
      model: model.id,
      ...out,
      promptTokens: prompt,
      cachedTokens: cache.cachedTokens(model.id, cacheKey, messages, prompt),
      fingerprint: fingerprint(model.id),
    };
    onUsage(totalTokens(completion));
    if (body.stream === true) return { status: 200, body: null, stream: completionChunks(completion, options.includeUsage) };
    return { status: 200, body: completionBody(completion) };
  };
}

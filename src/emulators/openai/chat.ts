// POST /v1/chat/completions: request validation with OpenAI's wording, then a deterministic answer.
import { randomBytes } from 'node:crypto';
import type { EmuRequest, EmuResponse } from '../http.ts';
import { invalid, openAiError } from './errors.ts';
import { estimateTokens, fingerprint, generateText, promptTokens, truncateToTokens, type ChatMessage } from './text.ts';

const ROLES = ['system', 'assistant', 'user', 'function', 'tool', 'developer'];
const PART_TYPES = ['text', 'image_url', 'input_audio', 'refusal', 'audio', 'file'];
const KNOWN_ARGS = new Set([
  'model', 'messages', 'temperature', 'top_p', 'n', 'stream', 'stream_options', 'stop', 'max_tokens', 'max_completion_tokens',
  'presence_penalty', 'frequency_penalty', 'logit_bias', 'logprobs', 'top_logprobs', 'user', 'seed', 'tools', 'tool_choice',
  'parallel_tool_calls', 'response_format', 'functions', 'function_call', 'service_tier', 'store', 'metadata', 'modalities',
  'audio', 'prediction', 'reasoning_effort', 'verbosity', 'web_search_options', 'safety_identifier', 'prompt_cache_key',
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
    return c === undefined ? invalid(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter')
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
  if (v < min) return invalid(`Invalid '${name}': ${kind} below minimum value. Expected a value >= ${min}, but got ${v} instead.`, name, `${kind}_below_min_value`);
  if (v > max) return invalid(`Invalid '${name}': ${kind} above maximum value. Expected a value <= ${max}, but got ${v} instead.`, name, `${kind}_above_max_value`);
  return undefined;
}

function stops(raw: unknown): string[] {
  if (typeof raw === 'string') return [raw];
  return Array.isArray(raw) ? raw.filter((s): s is string => typeof s === 'string' && s.length > 0) : [];
}

export function chatCompletionHandler(models: () => Set<string>, onUsage: (tokens: number) => void) {
  return (req: EmuRequest): EmuResponse => {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.rawBody) as Record<string, unknown>;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not an object');
    } catch {
      return invalid(
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
        null, null);
    }
    const unknown = Object.keys(body).find((k) => !KNOWN_ARGS.has(k));
    if (unknown) return invalid(`Unrecognized request argument supplied: ${unknown}`, null, null);
    if (typeof body.model !== 'string' || !body.model) return invalid('you must provide a model parameter', null, null);
    const messages = parseMessages(body.messages);
    if (!Array.isArray(messages)) return messages;
    const numberProblem = checkNumber(body, 'temperature', 0, 2, false) ?? checkNumber(body, 'top_p', 0, 1, false)
      ?? checkNumber(body, 'max_tokens', 1, 1_000_000, true) ?? checkNumber(body, 'max_completion_tokens', 1, 1_000_000, true)
      ?? checkNumber(body, 'n', 1, 128, true);
    if (numberProblem) return numberProblem;
    if (body.n !== undefined && body.n !== null && body.n !== 1) return invalid('n > 1 is not supported by this emulator', 'n', 'unsupported_value');
    if (body.stream === true) return invalid('streaming is not supported by this emulator', 'stream', 'unsupported_value');
    const model = body.model;
    if (!models().has(model)) {
      return openAiError(404, { message: `The model \`${model}\` does not exist or you do not have access to it.`, code: 'model_not_found' });
    }

    let text = generateText(model, messages);
    const format = (body.response_format as { type?: string } | undefined)?.type;
    if (format === 'json_object' || format === 'json_schema') text = JSON.stringify({ answer: text });
    let finish: 'stop' | 'length' = 'stop';
    for (const s of stops(body.stop)) {
      const at = text.indexOf(s);
      if (at >= 0) text = text.slice(0, at);
    }
    const max = (body.max_completion_tokens ?? body.max_tokens) as number | undefined;
    if (max !== undefined) {
      const cut = truncateToTokens(text, max);
      text = cut.text;
      if (cut.truncated) finish = 'length';
    }
    const prompt = promptTokens(messages);
    const completion = finish === 'length' ? max! : estimateTokens(text);
    onUsage(prompt + completion);
    return {
      status: 200,
      body: {
        id: `chatcmpl-${randomBytes(15).toString('base64url')}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null, annotations: [] }, logprobs: null, finish_reason: finish }],
        usage: {
          prompt_tokens: prompt,
          completion_tokens: completion,
          total_tokens: prompt + completion,
          prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
        },
        service_tier: 'default',
        system_fingerprint: fingerprint(model),
      },
    };
  };
}

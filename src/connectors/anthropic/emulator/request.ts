// Validates a POST /v1/messages body with the API's own wording (`field.path: problem`) and
// flattens it into prompt blocks in the order the API caches them: tools, system, messages.
import type { EmuResponse } from '../../../emulators/http.ts';
import { invalid } from './errors.ts';
import { estimateTokens } from './text.ts';

export type CacheTtl = '5m' | '1h';

export interface PromptBlock {
  tokens: number;
  /** What the block holds, for the prompt cache's prefix keys. */
  fp: string;
  /** Set on a block carrying `cache_control`: the prompt up to here may be cached. */
  breakpoint?: CacheTtl;
}

export interface MessagesRequest {
  model: string;
  maxTokens: number;
  stream: boolean;
  stopSequences: string[];
  system: string;
  turns: Array<{ role: string; text: string }>;
  blocks: PromptBlock[];
}

const KNOWN = new Set([
  'model',
  'messages',
  'max_tokens',
  'system',
  'stop_sequences',
  'stream',
  'temperature',
  'top_p',
  'top_k',
  'metadata',
  'tools',
  'tool_choice',
  'thinking',
  'service_tier',
  'cache_control',
  'container',
  'output_config',
  'inference_geo',
  'speed',
  'diagnostics',
  'user_profile_id',
  'workspace_id',
  'mcp_servers',
  'context_management',
]);
const ROLES = ['user', 'assistant', 'system'];
const BLOCK_TYPES = ['text', 'image', 'document', 'search_result', 'thinking', 'redacted_thinking', 'tool_use', 'tool_result'];
const MAX_BREAKPOINTS = 4;
// Framing the API adds around the prompt and each turn.
const PRIMING_TOKENS = 3;
const TURN_TOKENS = 3;

type Problem = EmuResponse;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function cacheTtl(raw: unknown, path: string): CacheTtl | Problem | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw) || raw.type !== 'ephemeral') return invalid(`${path}.type: Input should be 'ephemeral'`);
  if (raw.ttl !== undefined && raw.ttl !== '5m' && raw.ttl !== '1h') return invalid(`${path}.ttl: Input should be '5m' or '1h'`);
  return (raw.ttl as CacheTtl | undefined) ?? '5m';
}

/** One content block: its text (for the reply) and its prompt block (for tokens and caching). */
function contentBlock(raw: unknown, path: string): { text: string; block: PromptBlock } | Problem {
  if (!isObject(raw)) return invalid(`${path}: Input should be a valid dictionary`);
  if (typeof raw.type !== 'string' || !BLOCK_TYPES.includes(raw.type)) {
    return invalid(
      `${path}: Input tag '${String(raw.type)}' found using 'type' does not match any of the expected tags: ${BLOCK_TYPES.map((t) => `'${t}'`).join(', ')}`,
    );
  }
  const ttl = cacheTtl(raw.cache_control, `${path}.cache_control`);
  if (typeof ttl === 'object') return ttl;
  let text = '';
  if (raw.type === 'text') {
    if (raw.text === undefined) return invalid(`${path}.text: Field required`);
    if (typeof raw.text !== 'string') return invalid(`${path}.text: Input should be a valid string`);
    if (raw.text === '') return invalid('messages: text content blocks must be non-empty');
    text = raw.text;
  }
  const tokens = raw.type === 'text' ? estimateTokens(text) : estimateTokens(JSON.stringify(raw));
  const { cache_control: _ignored, ...kept } = raw;
  return { text, block: { tokens, fp: JSON.stringify(kept), ...(ttl ? { breakpoint: ttl } : {}) } };
}

function content(raw: unknown, path: string): { text: string; blocks: PromptBlock[] } | Problem {
  if (typeof raw === 'string') return { text: raw, blocks: [{ tokens: estimateTokens(raw), fp: JSON.stringify({ type: 'text', text: raw }) }] };
  if (!Array.isArray(raw)) return invalid(`${path}: Input should be a valid string or list`);
  const texts: string[] = [];
  const blocks: PromptBlock[] = [];
  for (const [i, part] of raw.entries()) {
    const parsed = contentBlock(part, `${path}.${i}`);
    if ('status' in parsed) return parsed;
    if (parsed.text) texts.push(parsed.text);
    blocks.push(parsed.block);
  }
  return { text: texts.join('\n'), blocks };
}

function checkNumber(body: Record<string, unknown>, name: string, min: number, max: number, integer: boolean): Problem | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || (integer && !Number.isInteger(v))) return invalid(`${name}: Input should be a valid ${integer ? 'integer' : 'number'}`);
  if (v < min) return invalid(`${name}: Input should be greater than or equal to ${min}`);
  if (v > max) return invalid(`${name}: Input should be less than or equal to ${max}`);
  return undefined;
}

export function parseMessagesRequest(rawBody: string): MessagesRequest | Problem {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return invalid('There was an error parsing the body of your request. Please make sure it is valid JSON.');
  }
  if (!isObject(body)) return invalid('Input should be a valid dictionary');
  const extra = Object.keys(body).find((k) => !KNOWN.has(k));
  if (extra) return invalid(`${extra}: Extra inputs are not permitted`);
  for (const name of ['model', 'messages', 'max_tokens']) if (body[name] === undefined) return invalid(`${name}: Field required`);
  if (typeof body.model !== 'string' || !body.model) return invalid('model: Input should be a valid string');
  const numbers =
    checkNumber(body, 'max_tokens', 1, Number.MAX_SAFE_INTEGER, true) ??
    checkNumber(body, 'temperature', 0, 1, false) ??
    checkNumber(body, 'top_p', 0, 1, false) ??
    checkNumber(body, 'top_k', 0, Number.MAX_SAFE_INTEGER, true);
  if (numbers) return numbers;
  if (body.max_tokens === null) return invalid('max_tokens: Input should be a valid integer');
  if (body.stream !== undefined && typeof body.stream !== 'boolean') return invalid('stream: Input should be a valid boolean');
  const stops = body.stop_sequences ?? [];
  if (!Array.isArray(stops) || stops.some((s) => typeof s !== 'string')) return invalid('stop_sequences: Input should be a valid list of strings');

  const blocks: PromptBlock[] = [{ tokens: PRIMING_TOKENS, fp: 'prompt' }];
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) return invalid('tools: Input should be a valid list');
    for (const [i, tool] of body.tools.entries()) {
      if (!isObject(tool)) return invalid(`tools.${i}: Input should be a valid dictionary`);
      const ttl = cacheTtl(tool.cache_control, `tools.${i}.cache_control`);
      if (typeof ttl === 'object') return ttl;
      const { cache_control: _ignored, ...kept } = tool;
      blocks.push({ tokens: estimateTokens(JSON.stringify(kept)), fp: JSON.stringify(kept), ...(ttl ? { breakpoint: ttl } : {}) });
    }
  }
  let system = '';
  if (body.system !== undefined) {
    const parsed = content(body.system, 'system');
    if ('status' in parsed) return parsed;
    system = parsed.text;
    blocks.push(...parsed.blocks);
  }

  if (!Array.isArray(body.messages)) return invalid('messages: Input should be a valid list');
  if (body.messages.length === 0) return invalid('messages: at least one message is required');
  const turns: MessagesRequest['turns'] = [];
  for (const [i, m] of body.messages.entries()) {
    if (!isObject(m)) return invalid(`messages.${i}: Input should be a valid dictionary`);
    if (m.role === undefined) return invalid(`messages.${i}.role: Field required`);
    if (typeof m.role !== 'string' || !ROLES.includes(m.role)) return invalid(`messages.${i}.role: Input should be 'user', 'assistant' or 'system'`);
    if (m.content === undefined) return invalid(`messages.${i}.content: Field required`);
    const parsed = content(m.content, `messages.${i}.content`);
    if ('status' in parsed) return parsed;
    const last = i === body.messages.length - 1;
    if (m.content === '' || (Array.isArray(m.content) && m.content.length === 0)) {
      // Only a final assistant turn (a prefill the reply continues) may be empty.
      if (!(last && m.role === 'assistant'))
        return invalid(`messages.${i}: all messages must have non-empty content except for the optional final assistant message`);
    }
    turns.push({ role: m.role, text: parsed.text });
    blocks.push({ tokens: TURN_TOKENS, fp: `turn:${m.role}` }, ...parsed.blocks);
  }

  // A top-level cache_control caches the whole prompt (automatic caching).
  const auto = cacheTtl(body.cache_control, 'cache_control');
  if (typeof auto === 'object') return auto;
  if (auto) blocks[blocks.length - 1] = { ...blocks[blocks.length - 1]!, breakpoint: auto };
  const breakpoints = blocks.filter((b) => b.breakpoint).length;
  if (breakpoints > MAX_BREAKPOINTS) return invalid(`A maximum of ${MAX_BREAKPOINTS} blocks with cache_control may be provided. Found ${breakpoints}.`);

  return { model: body.model, maxTokens: body.max_tokens as number, stream: body.stream === true, stopSequences: stops as string[], system, turns, blocks };
}

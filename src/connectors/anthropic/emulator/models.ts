// The emulated models, with the limits the API enforces per model (context window, output cap),
// so a test can make one model refuse a long prompt and another accept it.
import type { EmuRequest, EmuResponse } from '../../../emulators/http.ts';
import { anthropicError } from './errors.ts';

export interface AnthropicModel {
  id: string;
  displayName?: string;
  /** Input plus output tokens the model accepts. */
  contextWindow?: number;
  /** The largest max_tokens the model accepts. */
  maxOutputTokens?: number;
}

export interface ModelLimits {
  id: string;
  displayName: string;
  contextWindow: number;
  maxOutputTokens: number;
  createdAt: string;
}

export const DEFAULT_ANTHROPIC_MODELS: AnthropicModel[] = [
  { id: 'claude-haiku-4-5', displayName: 'Claude Haiku 4.5', maxOutputTokens: 64_000 },
  { id: 'claude-sonnet-4-6', displayName: 'Claude Sonnet 4.6', maxOutputTokens: 64_000 },
  { id: 'claude-opus-4-6', displayName: 'Claude Opus 4.6', maxOutputTokens: 32_000 },
];

export function modelTable(models: AnthropicModel[]): Map<string, ModelLimits> {
  return new Map(
    models.map((m, i) => [
      m.id,
      {
        id: m.id,
        displayName: m.displayName ?? m.id,
        contextWindow: m.contextWindow ?? 200_000,
        maxOutputTokens: m.maxOutputTokens ?? 64_000,
        // Fixed dates so listings are stable between runs.
        createdAt: new Date(Date.UTC(2025, 9, 1 + i)).toISOString(),
      },
    ]),
  );
}

function modelInfo(m: ModelLimits): Record<string, unknown> {
  return { type: 'model', id: m.id, display_name: m.displayName, created_at: m.createdAt };
}

/** GET /v1/models (cursor-paginated: limit, after_id, before_id) and GET /v1/models/:id. */
export function modelRoutes(table: Map<string, ModelLimits>) {
  const list = (req: EmuRequest): EmuResponse => {
    const all = [...table.values()];
    const limit = Number(req.query.get('limit') ?? 20);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      return anthropicError(400, 'invalid_request_error', 'limit: Input should be greater than or equal to 1 and less than or equal to 1000');
    }
    const after = req.query.get('after_id');
    const start = after ? all.findIndex((m) => m.id === after) + 1 : 0;
    const page = all.slice(start, start + limit);
    return {
      status: 200,
      body: { data: page.map(modelInfo), has_more: start + limit < all.length, first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null },
    };
  };
  const one = (req: EmuRequest): EmuResponse => {
    const m = table.get(req.params.id!);
    return m ? { status: 200, body: modelInfo(m) } : anthropicError(404, 'not_found_error', `model: ${req.params.id}`);
  };
  return { list, one };
}

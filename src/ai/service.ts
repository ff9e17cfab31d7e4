// The AI service the graph calls: picks the configured provider (AI_PROVIDER) among those side by
// side, applies the default and fallback models, and records each completion's usage on the
// operation's scope for the audit trail and the cost metrics. The providers only talk to their APIs.
import type { AiProvider, CompletionRecord, CompletionRequest } from '../connectors/domain/ai.ts';
import { currentScope } from '../pipeline/scope.ts';

export interface AiChoice {
  /** The instance that answers; unset: the first configured. */
  provider?: string | undefined;
  /** Asked when a request names no model; unset: the provider's own default. */
  defaultModel?: string | undefined;
  /** Asked on the same provider when the requested model is unavailable. */
  fallbackModel?: string | undefined;
}

export class AiService {
  private readonly primary: AiProvider;

  constructor(
    providers: readonly AiProvider[],
    private readonly choice: AiChoice = {},
  ) {
    const primary = choice.provider ? providers.find((p) => p.name === choice.provider) : providers[0];
    if (!primary) throw new Error(`No AI provider ${choice.provider ?? ''} is configured`);
    this.primary = primary;
  }

  get provider(): AiProvider {
    return this.primary;
  }

  get defaultModel(): string {
    return this.choice.defaultModel ?? this.primary.defaultModel;
  }

  async complete(request: Omit<CompletionRequest, 'model' | 'fallbackModel'> & { model: string | null }): Promise<CompletionRecord> {
    const record = await this.primary.complete({ ...request, model: request.model ?? this.defaultModel, fallbackModel: this.choice.fallbackModel ?? null });
    currentScope()?.ai.push({ provider: record.provider, model: record.model, ...record.usage });
    return record;
  }
}

// The AI router the graph calls: a request names a capability, and the capability's chain of
// provider and model links is tried in order. Each link is its own connector instance's call, so
// its breaker and quota are that instance's: an open circuit or a 429 on the first provider does
// not stop the second. What the next link may answer is the kinds table's `fallback` trait.
import type { AiProvider, ChatMessage, CompletionRecord } from '../connectors/domain/ai.ts';
import { traitsOf } from '../errors/kinds.ts';
import { UpstreamError } from '../errors/upstream.ts';
import { AiChainError, type AiAttempt } from '../errors/ai.ts';
import { currentScope } from '../pipeline/scope.ts';
import type { PriceTable } from '../ops/prices.ts';
import { DEFAULT_CAPABILITY, defaultCapabilities, type AiLink, type Capabilities } from './config.ts';
import { actual, estimate, type AiBudgets } from './budgets/index.ts';

export interface AiRouting {
  capabilities: Capabilities;
}

export interface AiRequest {
  /** Unset: `chat`. The caller checks it names a capability (hasCapability). */
  capability: string | null;
  messages: ChatMessage[];
  /** An override: asked of the capability's first provider only, with no fallback. */
  model: string | null;
  temperature: number | null;
  maxTokens: number | null;
  /** Who asks: charged to the capability's per-principal budget (unset: that budget does not apply). */
  principalId?: string | null;
}

export interface AiServiceOptions {
  /** Prices of the estimate and the settlement (the observability's table, with AI_PRICES). */
  prices?: PriceTable | undefined;
  /** Needed when a capability has a budget or per-principal limits. */
  budgets?: AiBudgets | undefined;
}

/** A completion, with the capability it served and every link tried to get it. */
export interface AiAnswer extends CompletionRecord {
  capability: string;
  attempts: AiAttempt[];
}

export class AiService {
  private readonly providers: ReadonlyMap<string, AiProvider>;
  private readonly capabilities: Capabilities;

  constructor(
    providers: readonly AiProvider[],
    routing?: AiRouting,
    private readonly options: AiServiceOptions = {},
  ) {
    if (!providers.length) throw new Error('No AI provider is configured');
    this.providers = new Map(providers.map((p) => [p.name, p]));
    const names = providers.map((p) => p.name);
    this.capabilities =
      routing?.capabilities ?? defaultCapabilities({ provider: names[0]!, instances: names, defaultModel: undefined, fallbackModel: undefined });
    for (const [name, c] of Object.entries(this.capabilities)) {
      for (const link of c.chain)
        if (!this.providers.has(link.provider)) throw new Error(`Capability ${name} names AI provider ${link.provider}, which is not configured`);
      if ((c.budget || c.perPrincipal) && !options.budgets) throw new Error(`Capability ${name} has a budget, but no budget ledger was given`);
    }
  }

  get capabilityNames(): string[] {
    return Object.keys(this.capabilities);
  }

  hasCapability(name: string): boolean {
    return Object.hasOwn(this.capabilities, name);
  }

  async complete(request: AiRequest): Promise<AiAnswer> {
    const capability = request.capability ?? DEFAULT_CAPABILITY;
    const config = this.capabilities[capability];
    if (!config) throw new Error(`No capability ${capability}`);
    // An explicit model is a choice of model, not of capability: only where the chain starts.
    const chain: AiLink[] = request.model ? [{ ...config.chain[0]!, model: request.model }] : config.chain;
    const temperature = request.temperature ?? config.temperature ?? null;
    const { budgets, prices } = this.options;
    const links = chain.map((link) => ({
      model: link.model ?? this.providers.get(link.provider)!.defaultModel,
      maxTokens: capped(request.maxTokens, link.maxTokens),
    }));
    // Reserved before any link is asked: a refusal makes no upstream call.
    const reservation = budgets
      ? await budgets.reserve(
          { capability, budget: config.budget, perPrincipal: config.perPrincipal, principalId: request.principalId ?? null },
          estimate(request.messages, links, prices),
        )
      : null;
    let answer: AiAnswer;
    try {
      answer = await this.run(capability, chain, request, temperature);
    } catch (err) {
      if (reservation) await budgets!.release(reservation);
      throw err;
    }
    if (reservation) await budgets!.settle(reservation, actual(answer.model, answer.usage, prices));
    return answer;
  }

  private async run(capability: string, chain: readonly AiLink[], request: AiRequest, temperature: number | null): Promise<AiAnswer> {
    const attempts: AiAttempt[] = [];
    let last: UpstreamError | undefined;
    for (const link of chain) {
      const provider = this.providers.get(link.provider)!;
      const model = link.model ?? provider.defaultModel;
      const started = performance.now();
      try {
        const record = await provider.complete({
          messages: request.messages,
          model,
          temperature,
          maxTokens: capped(request.maxTokens, link.maxTokens),
          timeoutMs: link.timeoutMs ?? null,
        });
        attempts.push({ provider: link.provider, model: record.model, outcome: 'ok', latencyMs: record.latencyMs });
        // One usage entry per answering call: the audit record and the cost metrics count these.
        currentScope()?.ai.push({ provider: record.provider, model: record.model, ...record.usage });
        return { ...record, capability, attempts };
      } catch (err) {
        // Refused input, bad credentials, a changed contract, our own caller gone: another
        // provider would not fix it (or would hide it), so the chain ends with the error itself.
        if (!(err instanceof UpstreamError) || !traitsOf(err.kind).fallback) throw err;
        attempts.push({
          provider: link.provider,
          model,
          outcome: err.kind,
          latencyMs: Math.round(performance.now() - started),
          retryAfterMs: err.retryAfterMs,
        });
        last = err;
      }
    }
    // A chain of one link fails as that provider's call did (UPSTREAM_TIMEOUT, RATE_LIMITED, ...);
    // a longer one with every link's outcome.
    if (attempts.length === 1 && last) throw last;
    throw new AiChainError(capability, attempts);
  }
}

/** The link's cap on the request's maxTokens: the caller may ask for fewer, never more. */
function capped(asked: number | null, cap: number | undefined): number | null {
  if (cap === undefined) return asked;
  return asked === null ? cap : Math.min(asked, cap);
}

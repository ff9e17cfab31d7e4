// The AI router the graph calls: a request names a capability, and the capability's chain of
// provider and model links is tried in order. Each link is its own connector instance's call, so
// its breaker and quota are that instance's: an open circuit or a 429 on the first provider does
// not stop the second. What the next link may answer is the kinds table's `fallback` trait.
// Every call is reserved against the capability's budgets first, settled after, and its usage
// recorded (src/ai/usage.ts); streams are src/ai/stream.ts.
import type { AiProvider, ChatMessage, CompletionRecord, EmbeddingRecord, TokenUsage } from '../connectors/domain/ai.ts';
import type { CacheStore } from '../pipeline/cache/index.ts';
import { traitsOf } from '../errors/kinds.ts';
import { UpstreamError } from '../errors/upstream.ts';
import { AiChainError, type AiAttempt } from '../errors/ai.ts';
import { PriceTable } from '../ops/prices.ts';
import {
  DEFAULT_CAPABILITY,
  DEFAULT_EMBED_CAPABILITY,
  defaultCapabilities,
  type AiLink,
  type Capabilities,
  type CapabilityConfig,
  type CapabilityKind,
} from './config.ts';
import { actual, estimate, type AiBudgets, type Charge, type Reservation } from './budgets/index.ts';
import { embeddingEstimate } from './budgets/estimate.ts';
import { AiUsageLog } from './usage.ts';
import { AiResponseCache } from './cache.ts';
import { streamCompletion, type StreamEvent } from './stream.ts';

export type { StreamEvent } from './stream.ts';

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

export interface EmbedRequest {
  /** Unset: `embed`. */
  capability: string | null;
  texts: string[];
  principalId?: string | null;
}

export interface AiServiceOptions {
  /** Prices of the estimates, the settlements and the recorded costs (the observability's table, with AI_PRICES). */
  prices?: PriceTable | undefined;
  /** Needed when a capability has a budget or per-principal limits. */
  budgets?: AiBudgets | undefined;
  /** Where usage goes (the ai_usage table, the metrics); unset: the operation's audit record only. */
  usage?: AiUsageLog | undefined;
  /** Needed when a capability has a response cache. */
  cache?: CacheStore | undefined;
}

/** A completion, with the capability it served and every link tried to get it. */
export interface AiAnswer extends CompletionRecord {
  capability: string;
  attempts: AiAttempt[];
  costUsd: number | null;
  /** Given from the AI response cache: no upstream call was made. */
  cached: boolean;
  /** The tokens were estimated (a stream that ended without the provider's usage). */
  estimated: boolean;
}

export interface EmbedAnswer extends EmbeddingRecord {
  capability: string;
  attempts: AiAttempt[];
  costUsd: number | null;
}

/** One call's plan: its capability, the links to try, and what to reserve for it. */
export interface Plan {
  capability: string;
  config: CapabilityConfig;
  chain: AiLink[];
  temperature: number | null;
  principalId: string | null;
}

export class AiService {
  private readonly providers: ReadonlyMap<string, AiProvider>;
  private readonly capabilities: Capabilities;
  readonly prices: PriceTable;
  readonly usage: AiUsageLog;
  private readonly cache: AiResponseCache | undefined;

  constructor(
    providers: readonly AiProvider[],
    routing?: AiRouting,
    private readonly options: AiServiceOptions = {},
  ) {
    if (!providers.length) throw new Error('No AI provider is configured');
    this.providers = new Map(providers.map((p) => [p.name, p]));
    const names = providers.map((p) => p.name);
    this.prices = options.prices ?? new PriceTable(Object.assign({}, ...providers.map((p) => p.prices)));
    this.usage = options.usage ?? new AiUsageLog();
    this.cache = options.cache ? new AiResponseCache(options.cache) : undefined;
    const given = routing?.capabilities ?? defaultCapabilities({ provider: names[0]!, instances: names, defaultModel: undefined, fallbackModel: undefined });
    this.capabilities = {};
    for (const [name, c] of Object.entries(given)) {
      const kind = c.kind ?? 'chat';
      // The built-in embed chain names every instance without a model: those with no embeddings API drop out.
      const chain = kind === 'embed' ? c.chain.filter((l) => l.model !== undefined || this.providers.get(l.provider)?.embed) : c.chain;
      if (!chain.length) continue;
      for (const link of chain) {
        const provider = this.providers.get(link.provider);
        if (!provider) throw new Error(`Capability ${name} names AI provider ${link.provider}, which is not configured`);
        if (kind === 'embed' && !provider.embed) throw new Error(`Capability ${name} embeds with ${link.provider}, which has no embeddings API`);
      }
      if ((c.budget || c.perPrincipal) && !options.budgets) throw new Error(`Capability ${name} has a budget, but no budget ledger was given`);
      if (c.cache && !options.cache) throw new Error(`Capability ${name} has a response cache, but no cache store was given`);
      this.capabilities[name] = { ...c, kind, chain };
    }
  }

  get capabilityNames(): string[] {
    return Object.keys(this.capabilities);
  }

  /** Each capability and its configuration (aiBudgets reads their budgets). */
  get configured(): Readonly<Capabilities> {
    return this.capabilities;
  }

  get budgets(): AiBudgets | undefined {
    return this.options.budgets;
  }

  hasCapability(name: string, kind: CapabilityKind = 'chat'): boolean {
    return Object.hasOwn(this.capabilities, name) && this.capabilities[name]!.kind === kind;
  }

  /** The names of the capabilities of one kind (for an error that lists them). */
  capabilitiesOf(kind: CapabilityKind): string[] {
    return Object.entries(this.capabilities)
      .filter(([, c]) => c.kind === kind)
      .map(([n]) => n);
  }

  plan(request: { capability: string | null; model?: string | null; temperature?: number | null; principalId?: string | null }, kind: CapabilityKind): Plan {
    const capability = request.capability ?? (kind === 'chat' ? DEFAULT_CAPABILITY : DEFAULT_EMBED_CAPABILITY);
    const config = this.capabilities[capability];
    if (!config || config.kind !== kind) throw new Error(`No ${kind} capability ${capability}`);
    // An explicit model is a choice of model, not of capability: only where the chain starts.
    const chain: AiLink[] = request.model ? [{ ...config.chain[0]!, model: request.model }] : config.chain;
    return { capability, config, chain, temperature: request.temperature ?? config.temperature ?? null, principalId: request.principalId ?? null };
  }

  provider(name: string): AiProvider {
    return this.providers.get(name)!;
  }

  modelOf(link: AiLink, kind: CapabilityKind = 'chat'): string {
    const p = this.providers.get(link.provider)!;
    return link.model ?? (kind === 'embed' ? p.defaultEmbeddingModel! : p.defaultModel);
  }

  /** Reserved before any link is asked: a refusal makes no upstream call. */
  async reserve(plan: Plan, charge: Charge): Promise<Reservation | null> {
    const { budgets } = this.options;
    if (!budgets) return null;
    const { capability, config, principalId } = plan;
    return budgets.reserve({ capability, budget: config.budget, perPrincipal: config.perPrincipal, principalId }, charge);
  }

  async settle(reservation: Reservation | null, model: string, usage: TokenUsage): Promise<void> {
    if (reservation) await this.options.budgets!.settle(reservation, actual(model, usage, this.prices));
  }

  async release(reservation: Reservation | null): Promise<void> {
    if (reservation) await this.options.budgets!.release(reservation);
  }

  async complete(request: AiRequest): Promise<AiAnswer> {
    const plan = this.plan(request, 'chat');
    const maxTokens = (link: AiLink) => capped(request.maxTokens, link.maxTokens);
    const cacheKey =
      plan.config.cache && plan.temperature === 0 && this.cache
        ? AiResponseCache.key({ capability: plan.capability, model: request.model, messages: request.messages, temperature: 0, maxTokens: request.maxTokens })
        : undefined;
    if (cacheKey) {
      const hit = await this.cache!.get(cacheKey).catch(() => undefined);
      if (hit) {
        this.usage.record({ ...zero(plan.capability, hit.provider, hit.model), via: 'cache', text: hit.text }, plan.principalId);
        return { ...hit, capability: plan.capability, attempts: [], costUsd: 0, cached: true, estimated: false };
      }
    }
    const links = plan.chain.map((link) => ({ model: this.modelOf(link), maxTokens: maxTokens(link) }));
    const reservation = await this.reserve(plan, estimate(request.messages, links, this.prices));
    let answer: AiAnswer;
    try {
      const { value, attempts } = await this.tryLinks(plan, 'chat', (provider, link, model) =>
        provider.complete({ messages: request.messages, model, temperature: plan.temperature, maxTokens: maxTokens(link), timeoutMs: link.timeoutMs ?? null }),
      );
      const costUsd = this.prices.cost(value.model, value.usage);
      answer = { ...value, capability: plan.capability, attempts, costUsd, cached: false, estimated: false };
    } catch (err) {
      await this.release(reservation);
      throw err;
    }
    this.usage.record(usageRecord(plan.capability, answer, 'call', false, answer.text), plan.principalId);
    await this.settle(reservation, answer.model, answer.usage);
    if (cacheKey) await this.cache!.set(cacheKey, strip(answer), plan.config.cache!.ttlSeconds).catch(() => undefined);
    return answer;
  }

  /** The completion as it is written: text deltas, then the whole answer (src/ai/stream.ts). */
  stream(request: AiRequest, signal: AbortSignal): AsyncGenerator<StreamEvent> {
    const plan = this.plan(request, 'chat');
    return streamCompletion(this, plan, request, signal);
  }

  async embed(request: EmbedRequest): Promise<EmbedAnswer> {
    const plan = this.plan(request, 'embed');
    const models = plan.chain.map((link) => this.modelOf(link, 'embed'));
    const reservation = await this.reserve(plan, embeddingEstimate(request.texts, models, this.prices));
    let answer: EmbedAnswer;
    try {
      const { value, attempts } = await this.tryLinks(plan, 'embed', (provider, link, model) =>
        provider.embed!({ texts: request.texts, model, timeoutMs: link.timeoutMs ?? null }),
      );
      answer = { ...value, capability: plan.capability, attempts, costUsd: this.prices.cost(value.model, value.usage) };
    } catch (err) {
      await this.release(reservation);
      throw err;
    }
    this.usage.record(usageRecord(plan.capability, answer, 'call', false), plan.principalId);
    await this.settle(reservation, answer.model, answer.usage);
    return answer;
  }

  /** Asks each link in turn until one answers; what ends the chain early is the error kinds' `fallback` trait. */
  private async tryLinks<T extends { model: string; latencyMs: number }>(
    plan: Plan,
    kind: CapabilityKind,
    ask: (provider: AiProvider, link: AiLink, model: string) => Promise<T>,
  ): Promise<{ value: T; attempts: AiAttempt[] }> {
    const attempts: AiAttempt[] = [];
    let last: UpstreamError | undefined;
    let window: number | undefined;
    for (const link of plan.chain) {
      if (!fits(link, window)) continue;
      const model = this.modelOf(link, kind);
      const started = performance.now();
      try {
        const value = await ask(this.providers.get(link.provider)!, link, model);
        attempts.push({ provider: link.provider, model: value.model, outcome: 'ok', latencyMs: value.latencyMs });
        return { value, attempts };
      } catch (err) {
        last = failedLink(err, link, model, started, attempts);
        if (last.contextLength) window = link.contextWindow;
      }
    }
    throw chainFailure(plan.capability, attempts, last);
  }
}

/**
 * A link's failure: recorded and returned when the next link may answer. Refused input, bad
 * credentials, a changed contract, our own caller gone: another provider would not fix it (or
 * would hide it), so the chain ends with the error itself.
 */
export function failedLink(err: unknown, link: AiLink, model: string, started: number, attempts: AiAttempt[]): UpstreamError {
  if (!(err instanceof UpstreamError)) throw err;
  // A prompt too long for this model is refused input, yet a model with a larger window may take it, where one is declared.
  const tooLong = err.contextLength && link.contextWindow !== undefined;
  if (!traitsOf(err.kind).fallback && !tooLong) throw err;
  attempts.push({
    provider: link.provider,
    model,
    outcome: tooLong ? 'context_length' : err.kind,
    latencyMs: Math.round(performance.now() - started),
    retryAfterMs: err.retryAfterMs,
  });
  return err;
}

/** After a context-length refusal at a window, only links that declare a larger one are asked. */
export function fits(link: AiLink, window: number | undefined): boolean {
  return window === undefined || (link.contextWindow ?? 0) > window;
}

/** A chain of one link fails as that provider's call did (UPSTREAM_TIMEOUT, RATE_LIMITED, ...); a longer one with every link's outcome. */
export function chainFailure(capability: string, attempts: AiAttempt[], last: UpstreamError | undefined): Error {
  return attempts.length === 1 && last ? last : new AiChainError(capability, attempts);
}

/** The link's cap on the request's maxTokens: the caller may ask for fewer, never more. */
export function capped(asked: number | null, cap: number | undefined): number | null {
  if (cap === undefined) return asked;
  return asked === null ? cap : Math.min(asked, cap);
}

export function usageRecord(
  capability: string,
  a: { provider: string; model: string; usage: TokenUsage; costUsd: number | null },
  via: 'call' | 'stream',
  estimated: boolean,
  text?: string,
) {
  return { capability, provider: a.provider, model: a.model, ...a.usage, costUsd: a.costUsd, via, estimated, ...(text !== undefined ? { text } : {}) };
}

function zero(capability: string, provider: string, model: string) {
  return {
    capability,
    provider,
    model,
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
    cachedTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costUsd: 0,
    estimated: false,
  };
}

/** What the response cache keeps of an answer: the record, not this call's attempts. */
function strip(a: AiAnswer): CompletionRecord {
  return { id: a.id, text: a.text, model: a.model, provider: a.provider, finishReason: a.finishReason, usage: a.usage, latencyMs: a.latencyMs };
}

// A completion streamed to its caller (Subscription.completeStream). The chain falls back only
// before the first text: once a provider has begun to answer, its words are the caller's, and a
// failure after that ends the stream. However it ends (finished, failed, or the caller gone and
// the upstream request aborted), what was used is recorded and settled against the budgets:
// the provider's own usage when it sent it, else an estimate from the prompt and the text so
// far, flagged `estimated`.
import type { StreamChunk, TokenUsage } from '../connectors/domain/ai.ts';
import type { UpstreamError } from '../errors/upstream.ts';
import type { AiAttempt } from '../errors/ai.ts';
import { currentScope, runInScope, type OperationScope } from '../pipeline/scope.ts';
import { estimate } from './budgets/index.ts';
import { promptTokens, textTokens } from './budgets/estimate.ts';
import { capped, chainFailure, failedLink, fits, usageRecord, type AiAnswer, type AiRequest, type AiService, type Plan } from './service.ts';

export type StreamEvent = { type: 'delta'; text: string } | { type: 'done'; answer: AiAnswer };

/** What one answering link has said so far. */
interface Progress {
  provider: string;
  model: string;
  id: string;
  text: string;
  finishReason: string | null;
  /** The provider's latest usage: partial until the stream ends. */
  usage: TokenUsage | undefined;
  started: number;
}

export async function* streamCompletion(ai: AiService, plan: Plan, request: AiRequest, signal: AbortSignal): AsyncGenerator<StreamEvent> {
  // The caller's operation, held here: the generator is resumed by whoever reads it next.
  const scope = currentScope();
  const inScope = <T>(fn: () => Promise<T>): Promise<T> => (scope ? runInScope(scope, fn) : fn());
  const maxTokens = (cap: number | undefined) => capped(request.maxTokens, cap);
  const links = plan.chain.map((link) => ({ model: ai.modelOf(link), maxTokens: maxTokens(link.maxTokens) }));
  const reservation = await ai.reserve(plan, estimate(request.messages, links, ai.prices));
  const attempts: AiAttempt[] = [];
  let last: UpstreamError | undefined;
  let answering: Progress | undefined;
  let it: AsyncIterator<StreamChunk> | undefined;
  let ended = false;
  let window: number | undefined;
  try {
    for (const link of plan.chain) {
      if (!fits(link, window)) continue;
      const model = ai.modelOf(link);
      const p: Progress = { provider: link.provider, model, id: '', text: '', finishReason: null, usage: undefined, started: performance.now() };
      const source = ai
        .provider(link.provider)
        .stream(
          { messages: request.messages, model, temperature: plan.temperature, maxTokens: maxTokens(link.maxTokens), timeoutMs: link.timeoutMs ?? null },
          signal,
        );
      it = source[Symbol.asyncIterator]();
      // Up to the first text, the link may still fail over to the next one.
      let done = false;
      try {
        for (;;) {
          const r = await inScope(() => it!.next());
          if (r.done) {
            done = true;
            break;
          }
          absorb(p, r.value);
          if (r.value.text) break;
        }
      } catch (err) {
        if (signal.aborted) return;
        last = failedLink(err, link, model, p.started, attempts);
        if (last.contextLength) window = link.contextWindow;
        continue;
      }
      answering = p;
      attempts.push({ provider: link.provider, model: p.model, outcome: 'ok', latencyMs: Math.round(performance.now() - p.started) });
      if (p.text) yield { type: 'delta', text: p.text };
      while (!done) {
        let r: IteratorResult<StreamChunk>;
        try {
          r = await inScope(() => it!.next());
        } catch (err) {
          if (signal.aborted) return;
          throw err;
        }
        if (r.done) break;
        absorb(p, r.value);
        if (r.value.text) yield { type: 'delta', text: r.value.text };
      }
      ended = true;
      const answer = await finish(ai, plan, request, p, attempts, reservation, scope, !p.usage);
      yield { type: 'done', answer };
      return;
    }
    throw chainFailure(plan.capability, attempts, last);
  } finally {
    // Stopped early by the reader: the provider's stream ends its upstream request.
    await it?.return?.().catch(() => undefined);
    if (!ended) {
      // A link answered, then the stream was cut: what it wrote is charged, estimated where the provider did not count it.
      if (answering) await finish(ai, plan, request, answering, attempts, reservation, scope, true);
      else await ai.release(reservation);
    }
  }
}

function absorb(p: Progress, c: StreamChunk): void {
  if (c.id) p.id = c.id;
  if (c.model) p.model = c.model;
  if (c.text) p.text += c.text;
  if (c.finishReason !== undefined) p.finishReason = c.finishReason;
  if (c.usage) p.usage = c.usage;
}

async function finish(
  ai: AiService,
  plan: Plan,
  request: AiRequest,
  p: Progress,
  attempts: AiAttempt[],
  reservation: Awaited<ReturnType<AiService['reserve']>>,
  scope: OperationScope | undefined,
  estimated: boolean,
): Promise<AiAnswer> {
  const usage = estimated ? estimatedUsage(p, request) : p.usage!;
  const costUsd = ai.prices.cost(p.model, usage);
  const answer: AiAnswer = {
    id: p.id,
    text: p.text,
    model: p.model,
    provider: p.provider,
    finishReason: p.finishReason,
    usage,
    latencyMs: Math.round(performance.now() - p.started),
    capability: plan.capability,
    attempts,
    costUsd,
    cached: false,
    estimated,
  };
  ai.usage.record(usageRecord(plan.capability, answer, 'stream', estimated, p.text), plan.principalId, scope);
  await ai.settle(reservation, p.model, usage);
  return answer;
}

/** A cut stream's usage: the provider's prompt count when it sent one, the text so far, whichever is larger of its count and ours. */
function estimatedUsage(p: Progress, request: AiRequest): TokenUsage {
  const prompt = p.usage?.promptTokens || promptTokens(request.messages);
  const completion = Math.max(p.usage?.completionTokens ?? 0, textTokens(p.text));
  return {
    promptTokens: prompt,
    completionTokens: completion,
    totalTokens: prompt + completion,
    cachedTokens: p.usage?.cachedTokens ?? 0,
    cacheWriteTokens: p.usage?.cacheWriteTokens ?? 0,
    reasoningTokens: p.usage?.reasoningTokens ?? 0,
  };
}

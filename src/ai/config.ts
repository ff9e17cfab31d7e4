// What the AI router routes by: capability names, each an ordered chain of provider and model
// links (the file AI_CONFIG names; src/config/ai.ts reads it and builds the default without one).
import { z } from 'zod';

/** The capability `complete` asks for when its input names none. */
export const DEFAULT_CAPABILITY = 'chat';

const Link = z
  .object({
    /** An AI connector instance: a module's own, or one from CONNECTOR_INSTANCES. */
    provider: z.string().min(1),
    model: z.string().min(1).max(200),
    /** Deadline of this link's request, given to the SDK (its `timeout`); unset: the provider's policy timeout. */
    timeoutMs: z.number().int().min(100).max(600_000).optional(),
    /** Caps the request's maxTokens on this link (a caller may ask for fewer, never more). */
    maxTokens: z.number().int().min(1).max(1_000_000).optional(),
    /**
     * The model's context window in tokens. A prompt this link refuses as too long goes on to the
     * next link with a larger declared window (links without one are not asked); unset here, such
     * a refusal ends the chain like any refused input.
     */
    contextWindow: z.number().int().min(1).max(100_000_000).optional(),
  })
  .strict();

/** A daily limit (UTC day) in USD, in tokens, or both; a call that would pass either is refused. */
const Limit = z
  .object({
    dailyUsd: z.number().positive().max(1e9).optional(),
    dailyTokens: z.number().int().positive().max(1e15).optional(),
  })
  .strict()
  .refine((l) => l.dailyUsd !== undefined || l.dailyTokens !== undefined, { message: 'give dailyUsd, dailyTokens or both' });

const Capability = z
  .object({
    /** chat: `complete` and `completeStream` answer it; embed: `embed` does. */
    kind: z.enum(['chat', 'embed']).default('chat'),
    chain: z.array(Link).min(1).max(10),
    /** Asked when the request gives no temperature; unset: the provider's own. */
    temperature: z.number().min(0).max(2).optional(),
    /** What the capability may spend per day, whoever asks (src/ai/budgets/). */
    budget: Limit.optional(),
    /** What each principal may spend per day on this capability. */
    perPrincipal: Limit.optional(),
    /** An exact response cache (keyed on the whole request): only for temperature 0, where an answer may be given twice. */
    cache: z
      .object({
        ttlSeconds: z
          .number()
          .int()
          .min(1)
          .max(30 * 86_400),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((c) => !c.cache || (c.kind === 'chat' && c.temperature === 0), {
    message: 'cache needs a chat capability with temperature 0 (only a deterministic request may be answered twice)',
    path: ['cache'],
  });

const NAME = /^[a-z][a-z0-9_-]{0,63}$/;

export const AiConfigSchema = z
  .object({
    // Names checked here rather than as the record's key schema, so the message names the key.
    capabilities: z.record(z.string(), Capability).superRefine((caps, ctx) => {
      for (const name of Object.keys(caps)) {
        if (!NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'a capability name is 1 to 64 lower-case letters, digits, _ and -' });
      }
    }),
  })
  .strict();

export type AiConfigFile = z.infer<typeof AiConfigSchema>;

/** One link as the router runs it; `model` unset (the built-in default only): the provider's own default model. */
export interface AiLink {
  provider: string;
  model: string | undefined;
  timeoutMs?: number | undefined;
  maxTokens?: number | undefined;
  contextWindow?: number | undefined;
}

export interface DailyLimit {
  dailyUsd?: number | undefined;
  dailyTokens?: number | undefined;
}

export type CapabilityKind = 'chat' | 'embed';

export interface CapabilityConfig {
  /** Unset: chat. */
  kind?: CapabilityKind | undefined;
  chain: AiLink[];
  temperature?: number | undefined;
  budget?: DailyLimit | undefined;
  perPrincipal?: DailyLimit | undefined;
  cache?: { ttlSeconds: number } | undefined;
}

/** The capability `embed` asks for when its input names none. */
export const DEFAULT_EMBED_CAPABILITY = 'embed';

export type Capabilities = Record<string, CapabilityConfig>;

export interface DefaultChainInput {
  /** AI_PROVIDER's instance: the chain starts there. */
  provider: string;
  /** Every configured AI instance, in configuration order. */
  instances: readonly string[];
  defaultModel: string | undefined;
  fallbackModel: string | undefined;
}

/**
 * The built-in `chat` when AI_CONFIG is unset: AI_PROVIDER with AI_DEFAULT_MODEL, then with
 * AI_FALLBACK_MODEL, then every other configured AI instance with its own default model, so the
 * demo (both AI emulators) falls back from one provider to the other with nothing configured.
 * `embed` chains every instance with its default embedding model; the router drops the links of
 * providers that have no embeddings API (src/ai/service.ts).
 */
export function defaultCapabilities(d: DefaultChainInput): Capabilities {
  const chain: AiLink[] = [{ provider: d.provider, model: d.defaultModel }];
  if (d.fallbackModel && d.fallbackModel !== d.defaultModel) chain.push({ provider: d.provider, model: d.fallbackModel });
  for (const name of d.instances) if (name !== d.provider) chain.push({ provider: name, model: undefined });
  const embed: AiLink[] = [d.provider, ...d.instances.filter((n) => n !== d.provider)].map((provider) => ({ provider, model: undefined }));
  return { [DEFAULT_CAPABILITY]: { chain }, [DEFAULT_EMBED_CAPABILITY]: { kind: 'embed', chain: embed } };
}

// The AI router's part of the configuration (README: "AI"): which instance answers first, its
// models, and the capabilities file AI_CONFIG names. src/config.ts calls these.
import { z } from 'zod';
import type { Config } from '../config.ts';
import type { InstanceConfig } from '../connectors/module.ts';
import { AiConfigSchema, defaultCapabilities, type Capabilities } from '../ai/config.ts';
import { ConfigError, invalid, readJsonFile } from './env.ts';

export const AiEnv = {
  AI_PROVIDER: z.string().min(1).optional(),
  AI_DEFAULT_MODEL: z.string().min(1).optional(),
  AI_FALLBACK_MODEL: z.string().min(1).optional(),
  AI_CONFIG: z.string().min(1).optional(),
};

type AiEnvValues = z.infer<z.ZodObject<typeof AiEnv>>;

export interface AiConfig {
  /** AI_PROVIDER's instance (default the first configured): the built-in chain starts there. */
  provider: string;
  /** Capability name -> its chain of links (AI_CONFIG, or the built-in `chat`). */
  capabilities: Capabilities;
}

/** AI_PROVIDER names a configured AI instance; AI_CONFIG's links may name only those too. */
export function aiConfig(e: AiEnvValues, connectors: readonly InstanceConfig[]): Pick<Config, 'ai'> {
  // An optional provider left off (no key while something is live) is no instance to call.
  const names = connectors.filter((c) => c.kind === 'ai' && c.mode !== 'off').map((c) => c.name);
  const provider = e.AI_PROVIDER ?? names[0]!;
  if (!names.includes(provider)) throw invalid('AI_PROVIDER', `no AI provider named ${provider} (configured: ${names.join(', ')})`);
  const capabilities = e.AI_CONFIG
    ? loadAiConfig(e.AI_CONFIG, names)
    : defaultCapabilities({ provider, instances: names, defaultModel: e.AI_DEFAULT_MODEL, fallbackModel: e.AI_FALLBACK_MODEL });
  return { ai: { provider, capabilities } };
}

/** Reads and validates AI_CONFIG; a bad file throws naming the path in it. */
function loadAiConfig(file: string, instances: readonly string[]): Capabilities {
  const config = readJsonFile('AI_CONFIG', file, AiConfigSchema);
  for (const [name, capability] of Object.entries(config.capabilities)) {
    capability.chain.forEach((link, i) => {
      if (!instances.includes(link.provider)) {
        throw new ConfigError(
          `AI_CONFIG ${file}: capabilities.${name}.chain.${i}.provider: no AI provider named ${link.provider} (configured: ${instances.join(', ')})`,
        );
      }
    });
  }
  return config.capabilities;
}

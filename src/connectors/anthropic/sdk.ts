// `@anthropic-ai/sdk` (about 270 modules) loads at this connector's first call, not at start: a
// process that never asks this provider never pays for it. The error classifier asks for the
// module once loaded: an SDK error can only come from a call, and a call has loaded it.
import type Anthropic from '@anthropic-ai/sdk';

type Sdk = typeof Anthropic;
let sdk: Sdk | undefined;
let loading: Promise<Sdk> | undefined;

export function loadAnthropicSdk(): Promise<Sdk> {
  return (loading ??= import('@anthropic-ai/sdk').then((m) => (sdk = m.default)));
}

/** The SDK when a call has loaded it; undefined before any. */
export function loadedAnthropicSdk(): Sdk | undefined {
  return sdk;
}

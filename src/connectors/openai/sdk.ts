// The `openai` SDK (about 240 modules) loads at this connector's first call, not at start: a
// process that never asks this provider never pays for it. The error classifier asks for the
// module once loaded: an SDK error can only come from a call, and a call has loaded it.
import type OpenAI from 'openai';

type Sdk = typeof OpenAI;
let sdk: Sdk | undefined;
let loading: Promise<Sdk> | undefined;

export function loadOpenAiSdk(): Promise<Sdk> {
  return (loading ??= import('openai').then((m) => (sdk = m.default)));
}

/** The SDK when a call has loaded it; undefined before any. */
export function loadedOpenAiSdk(): Sdk | undefined {
  return sdk;
}

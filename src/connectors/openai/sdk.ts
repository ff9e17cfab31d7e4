// The `openai` SDK (about 240 modules) loads at this connector's first call, not at start: a
// process that never asks this provider never pays for it. The error classifier asks for the
// module once loaded: an SDK error can only come from a call, and a call has loaded it.
import type OpenAI from 'openai';
import { lazyModule } from '../lazy.ts';

const sdk = lazyModule<typeof OpenAI>(() => import('openai').then((m) => m.default));

export const loadOpenAiSdk = sdk.load;
/** The SDK when a call has loaded it; undefined before any. */
export const loadedOpenAiSdk = sdk.loaded;

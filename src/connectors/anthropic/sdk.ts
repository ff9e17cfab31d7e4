// `@anthropic-ai/sdk` (about 270 modules) loads at this connector's first call, not at start: a
// process that never asks this provider never pays for it. The error classifier asks for the
// module once loaded: an SDK error can only come from a call, and a call has loaded it.
import type Anthropic from '@anthropic-ai/sdk';
import { lazyModule } from '../lazy.ts';

const sdk = lazyModule<typeof Anthropic>(() => import('@anthropic-ai/sdk').then((m) => m.default));

export const loadAnthropicSdk = sdk.load;
/** The SDK when a call has loaded it; undefined before any. */
export const loadedAnthropicSdk = sdk.loaded;

export { persistedOperationsPlugin, resolvePersisted } from './plugin.ts';
export { loadManifest, parseManifest, sha256, type Manifest } from './manifest.ts';
export type { SafelistOptions } from './options.ts';

export { tracingPlugin } from './plugin.ts';
export type { TracingPluginOptions } from './options.ts';

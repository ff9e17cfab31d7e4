export { tracingPlugin, type TracingPlugin } from './plugin.ts';
export type { TracingPluginOptions } from './options.ts';

export { metricsPlugin, countAiUsage } from './plugin.ts';
export { Metrics, LabelCap } from './registry.ts';
export { METRICS_DEFAULTS, type MetricsOptions } from './options.ts';

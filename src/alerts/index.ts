export { AlertMonitor, type Alert, type AlertMonitorOptions } from './monitor.ts';
export { WebhookNotifier, slackPayload, type NotifierOptions } from './notifier.ts';

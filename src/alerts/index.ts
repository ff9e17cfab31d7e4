export { AlertMonitor, type Alert, type AlertMonitorOptions } from './monitor.ts';
export { AlertNotifier, alertMessage } from './notifier.ts';

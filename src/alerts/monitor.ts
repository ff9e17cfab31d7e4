// Turns pipeline signals into alerts, once per condition: a condition fires when it starts and
// resolves when it clears, and nothing in between, however many calls fail meanwhile. So one
// outage is one "firing" and one "resolved", never a storm.
//   circuit       a connector's breaker opened (resolved when it closes; half-open is neither)
//   upstream_auth a provider refused our credentials (resolved by its next successful call)
//   contract      a payload no longer matched its schema (resolved by that operation's next success)
//   error_rate    the 5-minute error rate reached the threshold with enough calls (resolved under
//                 half the threshold, so a rate hovering at the line does not flap)
//   workflow_attention  a workflow run needs a person (a compensation failed, or an upstream stayed
//                 down past its attempts); keyed by workflow and run, resolved when the run finishes
//   ai_budget     an AI capability's daily budget passed 80% (ai_budget_spent: reached 100% or
//                 refused a call); reported by the AI budgets (src/alerts/budgets.ts), once per day
//   reconciliation_drift  a reconciliation left drift unrepaired (resolved by one that leaves none)
// Each alert is logged, counted, written to the audit trail and sent through the notification
// connector (src/alerts/notifier.ts).
import type { Logger } from 'pino';
import { hasTrait, type KindsWith } from '../errors/kinds.ts';
import type { CallEvent, Pipeline } from '../pipeline/index.ts';
import type { ConnectorStats } from '../ops/connectorStats.ts';
import { alertRecord } from './record.ts';
import type { AuditSink } from '../plugins/audit/index.ts';

export interface Alert {
  condition:
    'circuit' | 'upstream_auth' | 'contract' | 'error_rate' | 'webhook_dead' | 'workflow_attention' | 'ai_budget' | 'ai_budget_spent' | 'reconciliation_drift';
  connector: string;
  operation: string | null;
  state: 'firing' | 'resolved';
  message: string;
  at: string;
}

export interface AlertMonitorOptions {
  pipeline: Pipeline;
  stats: ConnectorStats;
  audit: AuditSink;
  logger: Logger;
  /** Fire at this share of failed calls over the window (0-1, default 0.5)... */
  errorRateThreshold: number;
  /** ...with at least this many calls in it (default 20). */
  errorRateMinCalls: number;
  /** Every alert, after it is recorded (the notifier, the metrics). */
  onAlert?: (alert: Alert) => void;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

// What each alerting kind's alert says. Which kinds alert is the kinds table's call
// (errors/kinds.ts); this does not compile while one of them has no words here.
const KIND_ALERTS: Record<KindsWith<'alert'>, (e: CallEvent) => { condition: Alert['condition']; operation: string | null; message: string }> = {
  auth: (e) => ({
    condition: 'upstream_auth',
    operation: null,
    message: `${e.connector} refused Switchyard's credentials (UPSTREAM_AUTH_FAILED): an operator must fix them`,
  }),
  contract: (e) => ({
    condition: 'contract',
    operation: e.operation,
    message: `${e.connector} answered ${e.operation} in a shape Switchyard does not expect (UPSTREAM_CONTRACT_CHANGED)`,
  }),
};

export class AlertMonitor {
  private readonly active = new Map<string, Alert>();
  private readonly unsubscribe: (() => void)[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly o: AlertMonitorOptions) {
    this.unsubscribe.push(o.pipeline.onCircuitChange((connector, state) => this.circuit(connector, state)));
    this.unsubscribe.push(o.pipeline.onEvent((e) => this.call(e)));
    // The window slides without calls too: an error rate can clear while nothing is called.
    this.timer = setInterval(() => [...this.active.values()].filter((a) => a.condition === 'error_rate').forEach((a) => this.rate(a.connector)), 15_000);
    this.timer.unref();
  }

  /** Conditions firing now. */
  firing(): Alert[] {
    return [...this.active.values()];
  }

  /** A condition found outside the pipeline (an event dead-lettered, a workflow run needing a person): fires once until resolved. */
  report(condition: Alert['condition'], connector: string, message: string, operation: string | null = null): void {
    this.raise(condition, connector, operation, message);
  }

  resolve(condition: Alert['condition'], connector: string, message: string, operation: string | null = null): void {
    this.clear(condition, connector, operation, message);
  }

  close(): void {
    clearInterval(this.timer);
    this.unsubscribe.forEach((u) => u());
  }

  private circuit(connector: string, state: string): void {
    if (state === 'open')
      this.raise('circuit', connector, null, `circuit OPEN for ${connector}: its calls fail fast with UPSTREAM_UNAVAILABLE until a trial call succeeds`);
    if (state === 'closed') this.clear('circuit', connector, null, `circuit CLOSED for ${connector}: calls flow again`);
  }

  private call(e: CallEvent): void {
    if (hasTrait(e.outcome, 'alert')) {
      const a = KIND_ALERTS[e.outcome](e);
      this.raise(a.condition, e.connector, a.operation, a.message);
    }
    if (e.outcome === 'ok' && e.attempts > 0) {
      this.clear('upstream_auth', e.connector, null, `${e.connector} accepts Switchyard's credentials again`);
      this.clear('contract', e.connector, e.operation, `${e.connector} answers ${e.operation} in the expected shape again`);
    }
    if (!e.cacheHit) this.rate(e.connector);
  }

  private rate(connector: string): void {
    const r = this.o.stats.rate(connector);
    const detail = () => `${pct(r.errorRate)} of ${r.calls} calls failed in the last 5 minutes (threshold ${pct(this.o.errorRateThreshold)})`;
    const key = 'error_rate';
    if (r.calls >= this.o.errorRateMinCalls && r.errorRate >= this.o.errorRateThreshold) {
      if (!this.active.has(`${key}:${connector}:`)) this.raise(key, connector, null, `${connector} error rate high: ${detail()}`);
    } else if (this.active.has(`${key}:${connector}:`) && (r.calls < this.o.errorRateMinCalls || r.errorRate < this.o.errorRateThreshold / 2)) {
      this.clear(key, connector, null, `${connector} error rate back to normal: ${detail()}`);
    }
  }

  private raise(condition: Alert['condition'], connector: string, operation: string | null, message: string): void {
    const key = `${condition}:${connector}:${operation ?? ''}`;
    if (this.active.has(key)) return;
    const alert: Alert = { condition, connector, operation, state: 'firing', message, at: new Date().toISOString() };
    this.active.set(key, alert);
    this.emit(alert);
  }

  private clear(condition: Alert['condition'], connector: string, operation: string | null, message: string): void {
    const key = `${condition}:${connector}:${operation ?? ''}`;
    if (!this.active.delete(key)) return;
    this.emit({ condition, connector, operation, state: 'resolved', message, at: new Date().toISOString() });
  }

  private emit(alert: Alert): void {
    const log = alert.state === 'firing' ? this.o.logger.warn.bind(this.o.logger) : this.o.logger.info.bind(this.o.logger);
    log({ alert }, `alert ${alert.state}: ${alert.message}`);
    this.o.audit.write(alertRecord(alert));
    this.o.onAlert?.(alert);
  }
}

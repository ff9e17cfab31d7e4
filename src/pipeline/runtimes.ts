// The per-connector runtimes (breaker, bulkhead, quota, health: connector.ts), one per connector
// instance for the life of the process, made on first use. Several instances of one kind (two
// notification transports) share their kind's policy defaults, each with its own runtime.
import type { Redis } from 'ioredis';
import { ConnectorRuntime, type ConnectorHealth } from './connector.ts';
import type { CircuitListener } from './events.ts';
import type { CallPolicy, ConnectorName, PolicyTable } from './policies.ts';

export class ConnectorRuntimes {
  private readonly runtimes = new Map<string, ConnectorRuntime>();
  private readonly policyOf = new Map<string, ConnectorName>();

  constructor(
    private readonly policies: PolicyTable,
    private readonly redis: Redis | undefined,
    private readonly onCircuitChange: CircuitListener,
    private readonly principalShare: number,
  ) {}

  /** Files an instance under another name's policy (one transport's instance under its module's). */
  setPolicy(connector: string, policy: ConnectorName): void {
    this.policyOf.set(connector, policy);
  }

  /** The policy of one operation of a connector instance. */
  policy(connector: string, operation: string): CallPolicy {
    return this.policies.forOperation(this.policyName(connector), operation);
  }

  get(connector: string): ConnectorRuntime {
    let rt = this.runtimes.get(connector);
    if (!rt) {
      rt = new ConnectorRuntime(connector, this.policies.connector(this.policyName(connector)), this.redis, this.onCircuitChange, this.principalShare);
      this.runtimes.set(connector, rt);
    }
    return rt;
  }

  health(connector: string): ConnectorHealth {
    return this.get(connector).health();
  }

  private policyName(connector: string): ConnectorName {
    return this.policyOf.get(connector) ?? (connector as ConnectorName);
  }
}

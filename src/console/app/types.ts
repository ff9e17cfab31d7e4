// The shapes the console reads from the graph (schema/*.graphql), as far as its queries select them.
export interface ConnectorPoint {
  at: string;
  calls: number;
  errors: number;
  latencyP50Ms?: number | null;
  latencyP95Ms?: number | null;
}

export interface ConnectorErrorInfo {
  kind: string;
  code: string;
  message: string;
  at: string;
}

export interface ConnectorPolicy {
  timeoutMs: number;
  maxAttempts: number;
  backoffMs: number;
  retryBudgetMs: number;
  breakerConsecutiveFailures: number;
  breakerHalfOpenAfterMs: number;
  quotaLimit: number | null;
  quotaWindowMs: number | null;
  cacheTtlSeconds: number | null;
}

export interface ConnectorStatus {
  name: string;
  mode: string;
  state: string;
  circuit: string;
  calls: number;
  errorRate: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  windowSeconds: number;
  lastCallAt?: string | null;
  quota: { remaining: number; limit: number } | null;
  series: ConnectorPoint[];
  policy?: ConnectorPolicy | null;
  recentErrors?: ConnectorErrorInfo[];
  lastError?: ConnectorErrorInfo | null;
}

export interface BacklogCount {
  status: string;
  count: number;
}

export interface WorkflowRunSummary {
  id: string;
  workflow: string;
  status?: string;
  subject: string | null;
  errorCode: string | null;
  updatedAt: string;
}

export interface AiBudget {
  name: string;
  capability: string;
  principalId: string | null;
  limitUsd: number | null;
  spentUsd: number;
  remainingUsd?: number | null;
  limitTokens: number | null;
  spentTokens: number;
  remainingTokens?: number | null;
  resetsAt?: string;
}

export interface Alert {
  condition: string;
  connector: string;
  operation: string | null;
  message: string;
  since: string;
}

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface Connection<T> {
  totalCount: number;
  pageInfo: PageInfo;
  edges: { cursor: string; node: T }[];
}

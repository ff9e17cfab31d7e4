// GraphQL fragments more than one page selects.
import { gql } from '@apollo/client';

/** What a pager needs of a connection. */
export const PAGE_INFO = gql`
  fragment ConsolePageInfo on PageInfo {
    hasNextPage
    endCursor
  }
`;

/** A connector's health, as the overview's cards and the connectors page show it. */
export const CONNECTOR_HEALTH = gql`
  fragment ConsoleConnectorHealth on ConnectorStatus {
    name
    mode
    state
    circuit
    calls
    errorRate
    latencyP50Ms
    latencyP95Ms
    windowSeconds
    quota {
      remaining
      limit
    }
  }
`;

/** A budget's limits and what is spent of them. */
export const AI_BUDGET = gql`
  fragment ConsoleAiBudget on AiBudget {
    name
    capability
    principalId
    limitUsd
    spentUsd
    limitTokens
    spentTokens
  }
`;

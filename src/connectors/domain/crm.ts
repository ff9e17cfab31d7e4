// The CRM domain as the graph sees it; connectors/crm/hubspot implements it.
import type { ConnectorInfo } from './info.ts';

export interface CrmContactRecord {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  lifecycleStage: string | null;
  updatedAt: Date | null;
}

export interface CrmConnector extends ConnectorInfo {
  /** Batched read, results in id order, null for a missing contact. */
  getContacts(ids: readonly string[]): Promise<(CrmContactRecord | null)[]>;
  findByEmail(email: string): Promise<CrmContactRecord | null>;
  createContact(input: { email: string; firstName: string | null; lastName: string | null }): Promise<CrmContactRecord>;
}

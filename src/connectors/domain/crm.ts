// The CRM domain as the graph sees it: what a CRM module implements.
import type { ConnectorInfo, IdFormat } from './info.ts';

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
  /** What the CRM's contact ids look like. */
  readonly contactIds: IdFormat;
  /** Batched read, results in id order, null for a missing contact. */
  getContacts(ids: readonly string[]): Promise<(CrmContactRecord | null)[]>;
  findByEmail(email: string): Promise<CrmContactRecord | null>;
  createContact(input: { email: string; firstName: string | null; lastName: string | null }): Promise<CrmContactRecord>;
}

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
  /**
   * The contact with this email, created when the CRM has none: never a second one for the same
   * email, also when a search index lags or two callers race (the CRM's duplicate answer names
   * the contact it already has). `created` says whether this call made it.
   */
  findOrCreateContact(input: { email: string; firstName: string | null; lastName: string | null }): Promise<{ contact: CrmContactRecord; created: boolean }>;
  /** Removes a contact (a compensation); a contact that is gone already is not an error. */
  deleteContact(id: string): Promise<void>;
}

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
  /** The contact as the CRM has it now, past any cached read (before a write that depends on it); null when it is gone. */
  readContact(id: string): Promise<CrmContactRecord | null>;
  /**
   * Every contact the CRM has, a page at a time (at most `limit`), in id order; `after` is the
   * previous page's `next` (null: done). Never cached: it is what is there now.
   */
  listContacts(after: string | null, limit: number): Promise<{ items: CrmContactRecord[]; next: string | null }>;
  createContact(input: { email: string; firstName: string | null; lastName: string | null }): Promise<CrmContactRecord>;
  /**
   * The contact with this email, created when the CRM has none: never a second one for the same
   * email, also when a search index lags or two callers race (the CRM's duplicate answer names
   * the contact it already has). `created` says whether this call made it.
   */
  findOrCreateContact(input: { email: string; firstName: string | null; lastName: string | null }): Promise<{ contact: CrmContactRecord; created: boolean }>;
  /**
   * The CRM's lifecycle stages, earliest first: a contact's stage only moves forward along it
   * (a later stage is never set back to an earlier one by Switchyard).
   */
  readonly lifecycleStages: readonly string[];
  /**
   * Sets the given values (absolute, so a repeated call has the same effect once): the email and
   * names (null clears one), the lifecycle stage, and any other contact properties by the CRM's own
   * names (a property the CRM does not define is refused). The contact as it is afterwards.
   */
  updateContact(
    id: string,
    changes: { email?: string; firstName?: string | null; lastName?: string | null; lifecycleStage?: string; properties?: Record<string, string> },
  ): Promise<CrmContactRecord>;
  /** Removes a contact (a compensation); a contact that is gone already is not an error. */
  deleteContact(id: string): Promise<void>;
}

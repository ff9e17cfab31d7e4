// What Switchyard reads from HubSpot's contact objects, and how it becomes the CRM domain.
import { z } from 'zod';
import type { CrmContactRecord } from '../domain/crm.ts';

export const CONTACT_PROPERTIES = ['email', 'firstname', 'lastname', 'company', 'lifecyclestage'];

const prop = z.string().nullable().optional();

export const ContactSchema = z.object({
  id: z.string(),
  properties: z.object({ email: prop, firstname: prop, lastname: prop, company: prop, lifecyclestage: prop }),
  updatedAt: z.string().nullable().optional(),
});

export const BatchReadSchema = z.object({ results: z.array(ContactSchema) });
export const ListSchema = z.object({
  results: z.array(ContactSchema),
  paging: z
    .object({ next: z.object({ after: z.string() }).optional() })
    .nullable()
    .optional(),
});
export const SearchSchema = z.object({ total: z.number(), results: z.array(ContactSchema) });

export function toContact(c: z.output<typeof ContactSchema>): CrmContactRecord {
  return {
    id: c.id,
    email: c.properties.email ?? null,
    firstName: c.properties.firstname ?? null,
    lastName: c.properties.lastname ?? null,
    company: c.properties.company ?? null,
    lifecycleStage: c.properties.lifecyclestage ?? null,
    updatedAt: c.updatedAt ? new Date(c.updatedAt) : null,
  };
}

/** DELETE answers 204 with no body. */
export const ArchivedSchema = z.unknown();

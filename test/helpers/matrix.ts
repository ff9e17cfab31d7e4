// Reading docs/permissions.md back, and walking the schema, for the permission matrix tests.
import { readFileSync } from 'node:fs';
import type { GraphQLSchema } from 'graphql';
import { ROLES, type Principal, type Role } from '../../src/auth/principal.ts';
import { DOC_PATH } from '../../src/permissions/docs.ts';

export type Cells = Record<Role, string>;

/** `Type.field` -> the cell of each role, from the field-by-role table of docs/permissions.md. */
export function readDocMatrix(): Map<string, Cells> {
  const lines = readFileSync(DOC_PATH, 'utf8').split('\n');
  const header = lines.findIndex((l) => l.startsWith('| Field |'));
  const roles = lines[header]!.split('|')
    .slice(2, -1)
    .map((s) => s.trim());
  if (roles.join() !== ROLES.join()) throw new Error(`unexpected role columns: ${roles.join()}`);
  const out = new Map<string, Cells>();
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('| `')) break;
    const [field, ...cells] = line
      .split('|')
      .slice(1, -1)
      .map((s) => s.trim());
    out.set(field!.replaceAll('`', ''), Object.fromEntries(roles.map((r, i) => [r, cells[i]!])) as Cells);
  }
  return out;
}

/** What a cell promises a principal: allowed (on its own data, for the customer role) or not. */
export function allows(cell: string, p: Principal): boolean {
  if (p.role === 'anonymous' || cell === 'no') return false;
  if (cell === 'yes' || cell === 'own' || cell === 'own (via parent)') return true;
  const scopes = cell.replace(/^with /, '').split(' ');
  return scopes.every((s) => p.scopes.has(s as never));
}

// Structural checks: the schema may come from another copy of graphql-js than this file's.
const tag = (t: unknown) => Object.prototype.toString.call(t);

interface FieldLike {
  type: unknown;
}

export function namedTypeName(t: unknown): string {
  let cur = t as { ofType?: unknown; name?: string };
  while (cur.ofType) cur = cur.ofType as typeof cur;
  return cur.name!;
}

/** Every object type's fields, introspection types left out. */
export function schemaFields(schema: GraphQLSchema): Map<string, Record<string, FieldLike>> {
  const out = new Map<string, Record<string, FieldLike>>();
  for (const [name, type] of Object.entries(schema.getTypeMap())) {
    if (name.startsWith('__') || tag(type) !== '[object GraphQLObjectType]') continue;
    out.set(name, (type as unknown as { getFields(): Record<string, FieldLike> }).getFields());
  }
  return out;
}

export function isObjectField(schema: GraphQLSchema, field: FieldLike): boolean {
  const t = schema.getType(namedTypeName(field.type));
  return tag(t) === '[object GraphQLObjectType]';
}

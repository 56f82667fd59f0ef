import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';

/**
 * Embedded-data mapping: each personal link carries named values taken from the recipient's
 * contact or account (CRM ids, region, tier …), like the seed's "embedded data from CRM fields".
 * Sources: contact.externalRef | contact.email | contact.firstName | contact.lastName |
 * contact.language | contact.phone | contact.attributes.<name> | account.externalRef |
 * account.name | account.attributes.<name> | role | const:<text>.
 */
const FIELDS: Record<string, string> = {
  'contact.externalRef': 'external_ref',
  'contact.email': 'email',
  'contact.firstName': 'first_name',
  'contact.lastName': 'last_name',
  'contact.language': 'language',
  'contact.phone': 'phone',
  'account.externalRef': 'account_external_ref',
  'account.name': 'account_name',
  role: 'role',
};

export const ZEmbeddedSource = z
  .string()
  .max(300)
  .refine(
    (s) => s in FIELDS || /^(contact|account)\.attributes\.[^\s]{1,200}$/.test(s) || s.startsWith('const:'),
    { error: 'expected contact.<field>, account.<field>, contact.attributes.<name>, role or const:<text>' },
  );

export const ZEmbeddedMapping = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,199}$/, { error: 'letters, digits and _' }),
    ZEmbeddedSource,
  )
  .refine((m) => Object.keys(m).length <= 50, { error: 'at most 50 embedded fields' });

/** The mapping as one jsonb expression over a row of the directory's audience (alias `row`). */
export function embeddedSql(mapping: Record<string, string>, row: string): SQL {
  const entries = Object.entries(mapping);
  if (entries.length === 0) return sql`'{}'::jsonb`;
  const r = sql.raw(row);
  const value = (source: string): SQL => {
    if (source.startsWith('const:')) return sql`to_jsonb(${source.slice(6)}::text)`;
    const column = FIELDS[source];
    if (column) return sql`to_jsonb(${r}.${sql.raw(column)})`;
    const [entity, , ...rest] = source.split('.');
    const name = rest.join('.').toLowerCase();
    const attributes = sql.raw(entity === 'account' ? 'account_attributes' : 'attributes');
    // Attribute names match case-insensitively, as everywhere in the directory.
    return sql`(SELECT v.value FROM jsonb_each(coalesce(${r}.${attributes}, '{}'::jsonb)) v WHERE lower(v.key) = ${name} LIMIT 1)`;
  };
  // jsonb_strip_nulls: a value the contact does not have is absent, not null.
  return sql`jsonb_strip_nulls(jsonb_build_object(${sql.join(
    entries.map(([name, source]) => sql`${name}::text, ${value(source)}`),
    sql`, `,
  )}))`;
}

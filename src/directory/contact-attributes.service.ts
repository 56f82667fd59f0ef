import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../platform/db/database.ts';
import { queryRows } from '../platform/db/database.ts';
import { pgTextArray } from '../platform/db/sql-text.ts';
import { badRequest, notFound, validationFailed } from '../platform/errors.ts';
import { recordAudit } from '../system/audit.service.ts';
import { type Actor, authorize } from '../users/roles.ts';
import { declareAttributes } from './directories.service.ts';
import type { AttributeType } from './roles.ts';

/**
 * Changes to a contact's attributes that come from outside an import: an automation saving
 * response data into the directory. Each change is kept in the attribute history with its source,
 * like an import's, and typed by the directory's attribute definitions (a new attribute is declared
 * from its first value). The history is what other domains read changes from
 * (`readAttributeChanges`).
 */

export type AttributeValue = string | number | boolean | null;

export interface AttributeChange {
  field: string;
  oldValue: unknown;
  newValue: unknown;
}

function typeOfValue(value: Exclude<AttributeValue, null>): AttributeType {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'decimal';
  return 'string';
}

/** The value as the declared type holds it, or why it cannot be. */
function coerce(value: Exclude<AttributeValue, null>, type: AttributeType, enumValues: string[] | null) {
  switch (type) {
    case 'integer':
    case 'decimal': {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && value.trim() !== ''
            ? Number(value)
            : Number.NaN;
      if (!Number.isFinite(n)) return { error: `expected a number, got ${JSON.stringify(value)}` };
      if (type === 'integer' && !Number.isInteger(n)) return { error: `expected a whole number, got ${n}` };
      return { value: n };
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { value };
      if (/^(true|yes|1)$/i.test(String(value))) return { value: true };
      if (/^(false|no|0)$/i.test(String(value))) return { value: false };
      return { error: `expected yes or no, got ${JSON.stringify(value)}` };
    }
    case 'datetime': {
      const text = String(value);
      if (Number.isNaN(Date.parse(text)))
        return { error: `expected a date and time, got ${JSON.stringify(value)}` };
      return { value: new Date(text).toISOString() };
    }
    case 'enum': {
      const text = String(value);
      if (enumValues && !enumValues.includes(text)) return { value: text, newEnumValue: true };
      return { value: text };
    }
    default:
      return { value: String(value) };
  }
}

/**
 * Sets some attributes of a contact (null removes one). Values are checked against the
 * directory's declared types; only real changes are written, each with a history row.
 */
export async function setContactAttributes(
  db: Database,
  actor: Actor,
  contactId: number,
  values: Record<string, AttributeValue>,
  source: string,
  options: { directoryId?: number } = {},
): Promise<{ contactId: number; directoryId: number; changed: AttributeChange[] }> {
  authorize(actor, 'data:write');
  const names = Object.keys(values);
  if (names.length === 0) throw badRequest('Give at least one attribute to set');
  if (names.length > 100) throw badRequest('At most 100 attributes at once');
  return db.orm.transaction(async (tx) => {
    const [contact] = await queryRows<{
      id: number;
      directory_id: number;
      attributes: Record<string, unknown>;
      deleted_at: unknown;
    }>(
      tx,
      sql`SELECT id, directory_id, attributes, deleted_at FROM contacts WHERE id = ${contactId} AND merged_into_id IS NULL FOR UPDATE`,
    );
    if (
      !contact ||
      (options.directoryId !== undefined && Number(contact.directory_id) !== options.directoryId)
    )
      throw notFound(
        `No contact ${contactId}${options.directoryId !== undefined ? ' in this directory' : ''}`,
      );
    if (contact.deleted_at) throw badRequest(`Contact ${contactId} is deleted`);
    const directoryId = Number(contact.directory_id);
    const definitions = await queryRows<{ name: string; type: AttributeType; enum_values: string[] | null }>(
      tx,
      sql`SELECT name, type::text AS type, enum_values FROM attribute_definitions WHERE directory_id = ${directoryId} AND entity = 'contact'`,
    );
    const declared = new Map(definitions.map((d) => [d.name.toLowerCase(), d]));
    const current = contact.attributes ?? {};
    const keyOf = (name: string) =>
      Object.keys(current).find((k) => k.toLowerCase() === name.toLowerCase()) ??
      declared.get(name.toLowerCase())?.name ??
      name;
    const problems: { path: string; message: string }[] = [];
    const toDeclare: { name: string; type: AttributeType; values: string[] | null }[] = [];
    const next: Record<string, unknown> = {};
    const removed: string[] = [];
    for (const [name, raw] of Object.entries(values)) {
      if (!/^[^\s].{0,199}$/.test(name)) {
        problems.push({
          path: name,
          message: 'an attribute name has 1 to 200 characters and does not start with a space',
        });
        continue;
      }
      const key = keyOf(name);
      if (raw === null) {
        if (key in current) removed.push(key);
        continue;
      }
      const definition = declared.get(name.toLowerCase());
      if (!definition) {
        const type = typeOfValue(raw);
        toDeclare.push({ name: key, type, values: null });
        next[key] = raw;
        continue;
      }
      const result = coerce(raw, definition.type, definition.enum_values);
      if ('error' in result)
        problems.push({ path: name, message: `${definition.name} (${definition.type}): ${result.error}` });
      else {
        if (result.newEnumValue)
          toDeclare.push({ name: definition.name, type: 'enum', values: [String(result.value)] });
        next[key] = result.value;
      }
    }
    if (problems.length)
      throw validationFailed('Some attribute values do not fit their declared type', problems);
    const changed: AttributeChange[] = [];
    for (const [key, value] of Object.entries(next))
      if (JSON.stringify(current[key] ?? null) !== JSON.stringify(value))
        changed.push({ field: key, oldValue: current[key] ?? null, newValue: value });
    for (const key of removed) changed.push({ field: key, oldValue: current[key] ?? null, newValue: null });
    if (changed.length === 0) return { contactId, directoryId, changed };
    if (toDeclare.length) await declareAttributes(tx, directoryId, 'contact', toDeclare);
    const patch = Object.fromEntries(
      changed.filter((c) => c.newValue !== null).map((c) => [c.field, c.newValue]),
    );
    await tx.execute(sql`UPDATE contacts SET attributes = (attributes - ${pgTextArray(removed)}::text[]) || ${JSON.stringify(patch)}::jsonb,
      updated_at = now() WHERE id = ${contactId}`);
    for (const c of changed)
      await tx.execute(sql`INSERT INTO attribute_history (directory_id, entity, entity_id, field, old_value, new_value, source)
        VALUES (${directoryId}, 'contact', ${contactId}, ${c.field}, ${JSON.stringify(c.oldValue)}::jsonb, ${JSON.stringify(c.newValue)}::jsonb, ${source})`);
    await recordAudit(tx, actor, {
      action: 'contact.attributes_set',
      targetType: 'contact',
      targetId: contactId,
      details: { fields: changed.map((c) => c.field), source },
    });
    return { contactId, directoryId, changed };
  });
}

export interface AttributeChangeRow {
  id: number;
  directoryId: number;
  entity: 'contact' | 'account';
  entityId: number;
  field: string;
  oldValue: unknown;
  newValue: unknown;
  source: string;
  importRunId: number | null;
  changedAt: string;
}

/**
 * Attribute changes in the order they were written, after a reader's cursor (the last id it saw)
 * and up to `to` when given: automations read the history as a stream of changes.
 */
export async function readAttributeChanges(
  db: Executor,
  query: { after: number; to?: number; limit: number; entity?: 'contact' | 'account' },
): Promise<AttributeChangeRow[]> {
  const rows = await queryRows<{
    id: number;
    directory_id: number;
    entity: 'contact' | 'account';
    entity_id: number;
    field: string;
    old_value: unknown;
    new_value: unknown;
    source: string;
    run_id: number | null;
    changed_at: Date | string;
  }>(
    db,
    sql`SELECT id, directory_id, entity::text AS entity, entity_id, field, old_value, new_value, source, run_id, changed_at
        FROM attribute_history WHERE id > ${query.after}
        ${query.to === undefined ? sql`` : sql`AND id <= ${query.to}`}
        ${query.entity ? sql`AND entity = ${query.entity}` : sql``}
        ORDER BY id LIMIT ${query.limit}`,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    directoryId: Number(r.directory_id),
    entity: r.entity,
    entityId: Number(r.entity_id),
    field: r.field,
    oldValue: r.old_value,
    newValue: r.new_value,
    source: r.source,
    importRunId: r.run_id === null ? null : Number(r.run_id),
    changedAt: new Date(r.changed_at).toISOString(),
  }));
}

/** The id of the latest attribute change (0 when none): where a new reader starts. */
export async function latestAttributeChangeId(db: Executor): Promise<number> {
  const [row] = await queryRows<{ id: number | null }>(db, sql`SELECT max(id) AS id FROM attribute_history`);
  return Number(row?.id ?? 0);
}

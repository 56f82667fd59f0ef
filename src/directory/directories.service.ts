import { and, asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database, Executor } from '../platform/db/database.ts';
import { pgTextArray } from '../platform/db/sql-text.ts';
import { conflict, notFound } from '../platform/errors.ts';
import { recordAudit } from '../system/audit.service.ts';
import { type Actor, authorize } from '../users/roles.ts';
import { attributeDefinitions, directories } from './directory.schema.ts';
import { ATTRIBUTE_TYPES, type AttributeType, type DirectoryEntity } from './roles.ts';

export const DEDUP_KEYS = ['external_ref', 'email', 'phone'] as const;

export const ZDirectoryCreate = z.object({
  name: z.string().trim().min(1).max(200),
  dedupKeys: z
    .array(z.enum(DEDUP_KEYS))
    .min(1)
    .max(3, { error: 'At most 3 deduplication rules' })
    .refine((keys) => new Set(keys).size === keys.length, { error: 'Each rule once' })
    .default(['external_ref', 'email']),
  defaultCountry: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .nullable()
    .default(null),
});

export type DirectoryRow = typeof directories.$inferSelect;

export function toPublicDirectory(row: DirectoryRow) {
  return {
    id: row.id,
    name: row.name,
    dedupKeys: row.dedupKeys,
    defaultCountry: row.defaultCountry,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function createDirectory(db: Database, actor: Actor, input: z.input<typeof ZDirectoryCreate>) {
  authorize(actor, 'data:write');
  const data = ZDirectoryCreate.parse(input);
  return db.orm.transaction(async (tx) => {
    const [existing] = await tx
      .select()
      .from(directories)
      .where(eq(sql`lower(${directories.name})`, data.name.toLowerCase()));
    if (existing) throw conflict(`A directory named "${existing.name}" already exists`);
    const [row] = await tx.insert(directories).values(data).returning();
    await recordAudit(tx, actor, {
      action: 'directory.created',
      targetType: 'directory',
      targetId: row!.id,
      details: data,
    });
    return toPublicDirectory(row!);
  });
}

export async function listDirectories(db: Executor, actor: Actor) {
  authorize(actor, 'data:read');
  const rows = await db.select().from(directories).orderBy(asc(directories.name));
  return rows.map(toPublicDirectory);
}

/** A directory by id or by name (case-insensitive), as the CLI and the API name them. */
export async function findDirectory(db: Executor, ref: string | number): Promise<DirectoryRow> {
  const asId = typeof ref === 'number' ? ref : /^\d+$/.test(ref) ? Number(ref) : null;
  const [row] = await db
    .select()
    .from(directories)
    .where(
      asId !== null
        ? eq(directories.id, asId)
        : eq(sql`lower(${directories.name})`, String(ref).trim().toLowerCase()),
    );
  if (!row) throw notFound(`No directory ${typeof ref === 'number' ? `with id ${ref}` : `"${ref}"`}`);
  return row;
}

/** The directory named `name`, created with defaults when there is none (imports into a new directory). */
export async function ensureDirectory(db: Database, actor: Actor, name: string): Promise<DirectoryRow> {
  try {
    return await findDirectory(db.orm, name);
  } catch {
    const created = await createDirectory(db, actor, { name });
    return findDirectory(db.orm, created.id);
  }
}

export interface DeclaredAttribute {
  name: string;
  type: AttributeType;
  values: string[] | null;
}

/** Mapped attributes whose type differs from the one the directory declared: refused, never cast. */
export async function attributeTypeConflicts(
  db: Executor,
  directoryId: number,
  entity: DirectoryEntity,
  attributes: DeclaredAttribute[],
): Promise<string[]> {
  if (attributes.length === 0) return [];
  const existing = await db
    .select()
    .from(attributeDefinitions)
    .where(and(eq(attributeDefinitions.directoryId, directoryId), eq(attributeDefinitions.entity, entity)));
  const byName = new Map(existing.map((d) => [d.name.toLowerCase(), d]));
  const problems: string[] = [];
  for (const a of attributes) {
    const declared = byName.get(a.name.toLowerCase());
    if (declared && declared.type !== a.type) {
      problems.push(
        `the ${entity} attribute "${declared.name}" is declared as ${declared.type} in this directory, the mapping says ${a.type}`,
      );
    }
  }
  return problems;
}

/** Declares attributes the directory does not know yet; adds new enum values to known ones. */
export async function declareAttributes(
  tx: Executor,
  directoryId: number,
  entity: DirectoryEntity,
  attributes: DeclaredAttribute[],
): Promise<void> {
  for (const a of attributes) {
    const values = a.values ? sql`${pgTextArray(a.values)}::text[]` : sql`NULL::text[]`;
    await tx.execute(sql`
      INSERT INTO attribute_definitions (directory_id, entity, name, type, enum_values)
      VALUES (${directoryId}, ${entity}, ${a.name}, ${a.type}, ${values})
      ON CONFLICT (directory_id, entity, lower(name)) DO UPDATE SET enum_values =
        CASE WHEN attribute_definitions.enum_values IS NULL THEN excluded.enum_values
             ELSE ARRAY(SELECT DISTINCT v FROM unnest(attribute_definitions.enum_values || coalesce(excluded.enum_values, '{}')) v ORDER BY v)
        END`);
  }
}

export async function listAttributeDefinitions(db: Executor, actor: Actor, directoryId: number) {
  authorize(actor, 'data:read');
  const rows = await db
    .select()
    .from(attributeDefinitions)
    .where(eq(attributeDefinitions.directoryId, directoryId))
    .orderBy(asc(attributeDefinitions.entity), asc(attributeDefinitions.name));
  return rows.map((r) => ({
    id: r.id,
    entity: r.entity,
    name: r.name,
    type: r.type,
    enumValues: r.enumValues,
  }));
}

export { ATTRIBUTE_TYPES };

/** The import mapping saved for a directory (null: imports use the default mapping). */
export async function getSavedImportMapping(db: Executor, directoryId: number): Promise<unknown> {
  const [row] = await db
    .select({ mapping: directories.importMapping })
    .from(directories)
    .where(eq(directories.id, directoryId));
  return row?.mapping ?? null;
}

/** Saves a directory's import mapping; the caller validated it (the imports domain owns its shape). */
export async function saveImportMapping(
  db: Database,
  actor: Actor,
  directoryId: number,
  mapping: unknown,
): Promise<void> {
  authorize(actor, 'data:write');
  await db.orm.transaction(async (tx) => {
    await tx
      .update(directories)
      .set({ importMapping: mapping, updatedAt: new Date() })
      .where(eq(directories.id, directoryId));
    await recordAudit(tx, actor, {
      action: 'directory.mapping_saved',
      targetType: 'directory',
      targetId: directoryId,
    });
  });
}

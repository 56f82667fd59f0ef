import { and, asc, eq, isNull, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { CLIENT_ROLES } from '../directory/roles.ts';
import { accountVisible, contactVisible } from '../directory/scope.ts';
import { type Database, type Executor, isUniqueViolation, queryRows } from '../platform/db/database.ts';
import { pgTextArray } from '../platform/db/sql-text.ts';
import { badRequest, conflict, notFound, validationFailed } from '../platform/errors.ts';
import { decodeCursor, encodeCursor } from '../platform/http/paging.ts';
import { recordAudit } from '../system/audit.service.ts';
import { type Actor, authorize } from '../users/roles.ts';
import {
  COMPILER_VERSION,
  type CompiledSegment,
  compileSegment,
  type Problem,
  segmentMembersSql,
  storedQuery,
} from './compile.ts';
import { pathText, SEGMENT_ENTITIES, type SegmentDefinition, ZSegmentDefinition } from './rules.ts';
import { segments } from './segments.schema.ts';

/** Segments per directory: no product limit (Qualtrics: 20), a bound against runaway scripts. */
export const MAX_SEGMENTS = 500;
export const SAMPLE_SIZE = 10;

export const ZSegmentInput = z.object({
  name: z.string().trim().min(1).max(200),
  entity: z.enum(SEGMENT_ENTITIES),
  /** The rule tree (src/segments/rules.ts), checked by the service. */
  rules: z.unknown(),
});
export const ZSegmentPreviewInput = ZSegmentInput.omit({ name: true });

export const ZMembersQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});

type SegmentRow = typeof segments.$inferSelect;

const actorName = (actor: Actor) => (actor.kind === 'user' ? actor.email : actor.label);

/** The definition parsed (ZodError → 400 naming each path) and compiled against the directory. */
async function compileOrThrow(db: Executor, directoryId: number, raw: unknown) {
  const definition = ZSegmentDefinition.parse(raw);
  const result = await compileSegment(db, directoryId, definition);
  if (!result.compiled)
    throw validationFailed('The segment rules do not fit this directory', result.problems);
  return { definition, compiled: result.compiled };
}

/** Only the members this actor may see (account managers: their accounts and those accounts' contacts). */
function visibleTo(actor: Actor, compiled: CompiledSegment): SQL {
  return compiled.entity === 'contact' ? contactVisible(actor, sql`x.id`) : accountVisible(actor, sql`x.id`);
}

/** How many members the segment has now (as this actor sees them). */
export async function countSegment(
  db: Executor,
  actor: Actor,
  directoryId: number,
  compiled: CompiledSegment,
): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`SELECT count(*)::int AS n FROM (${segmentMembersSql(directoryId, compiled, visibleTo(actor, compiled))}) m`,
  );
  return Number(row?.n ?? 0);
}

export interface MemberView {
  id: number;
  name: string | null;
  externalRef: string | null;
  /** Contacts: their email and the account of their most senior client role. */
  email?: string | null;
  accountId?: number | null;
  accountName?: string | null;
  /** Accounts: their parent. */
  parentId?: number | null;
  parentName?: string | null;
}

const roleRank = sql`array_position(${pgTextArray([...CLIENT_ROLES])}::text[], acr.role::text)`;

/** Members in id order after `afterId`, with their names: the sample and the members pages. */
async function memberPage(
  db: Executor,
  actor: Actor,
  directoryId: number,
  compiled: CompiledSegment,
  afterId: number,
  limit: number,
): Promise<MemberView[]> {
  const members = segmentMembersSql(
    directoryId,
    compiled,
    sql`${visibleTo(actor, compiled)} AND x.id > ${afterId}`,
  );
  if (compiled.entity === 'contact') {
    const rows = await queryRows<{
      id: number;
      first_name: string | null;
      last_name: string | null;
      email: string | null;
      external_ref: string | null;
      account_id: number | null;
      account_name: string | null;
    }>(
      db,
      sql`SELECT c.id, c.first_name, c.last_name, c.email, c.external_ref, pa.id AS account_id, pa.display_name AS account_name
          FROM (${members} ORDER BY x.id LIMIT ${limit}) m
          JOIN contacts c ON c.id = m.id
          LEFT JOIN LATERAL (SELECT a.id, a.display_name FROM account_contact_roles acr
            JOIN accounts a ON a.id = acr.account_id AND a.deleted_at IS NULL
            WHERE acr.contact_id = c.id ORDER BY ${roleRank}, acr.account_id LIMIT 1) pa ON true
          ORDER BY c.id`,
    );
    return rows.map((r) => ({
      id: Number(r.id),
      name: [r.first_name, r.last_name].filter(Boolean).join(' ') || null,
      email: r.email,
      externalRef: r.external_ref,
      accountId: r.account_id === null ? null : Number(r.account_id),
      accountName: r.account_name,
    }));
  }
  const rows = await queryRows<{
    id: number;
    display_name: string;
    external_ref: string;
    parent_id: number | null;
    parent_name: string | null;
  }>(
    db,
    sql`SELECT a.id, a.display_name, a.external_ref, a.parent_id, p.display_name AS parent_name
        FROM (${members} ORDER BY x.id LIMIT ${limit}) m
        JOIN accounts a ON a.id = m.id
        LEFT JOIN accounts p ON p.id = a.parent_id
        ORDER BY a.id`,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    name: r.display_name,
    externalRef: r.external_ref,
    parentId: r.parent_id === null ? null : Number(r.parent_id),
    parentName: r.parent_name,
  }));
}

/**
 * The count and the first members of rules being edited: what the editor shows on every change.
 * Nothing is stored.
 */
export async function previewSegment(db: Executor, actor: Actor, directoryId: number, raw: unknown) {
  authorize(actor, 'data:read');
  const { compiled } = await compileOrThrow(db, directoryId, raw);
  const count = await countSegment(db, actor, directoryId, compiled);
  const sample = count ? await memberPage(db, actor, directoryId, compiled, 0, SAMPLE_SIZE) : [];
  return { entity: compiled.entity, count, sample };
}

function toPublicSegment(row: SegmentRow, count: number | null, problems: Problem[]) {
  return {
    id: row.id,
    directoryId: row.directoryId,
    name: row.name,
    entity: row.entity,
    rules: row.rules,
    /** Members now, as the caller sees them; null when the rules no longer fit the directory. */
    count,
    problems,
    createdBy: row.createdBy,
    updatedBy: row.updatedBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
export type PublicSegment = ReturnType<typeof toPublicSegment>;

/**
 * Compiles a stored segment (and refreshes its stored query when an older compiler wrote it).
 * A segment whose rules no longer fit (a survey deleted since) answers its problems.
 */
async function evaluate(db: Executor, row: SegmentRow) {
  const definition = ZSegmentDefinition.safeParse({ entity: row.entity, rules: row.rules });
  if (!definition.success)
    return {
      compiled: null,
      problems: definition.error.issues.map((i) => ({ path: pathText(i.path), message: i.message })),
    };
  const result = await compileSegment(db, row.directoryId, definition.data);
  if (result.compiled && row.compiledVersion !== COMPILER_VERSION) {
    const stored = storedQuery(segmentMembersSql(row.directoryId, result.compiled));
    await db
      .update(segments)
      .set({ compiledSql: stored.sql, compiledParams: stored.params, compiledVersion: COMPILER_VERSION })
      .where(eq(segments.id, row.id));
  }
  return result;
}

async function withCount(db: Executor, actor: Actor, row: SegmentRow, counts = true) {
  const { compiled, problems } = await evaluate(db, row);
  const count = compiled && counts ? await countSegment(db, actor, row.directoryId, compiled) : null;
  return toPublicSegment(row, count, problems);
}

export async function listSegments(db: Executor, actor: Actor, directoryId: number, counts = true) {
  authorize(actor, 'data:read');
  const rows = await db
    .select()
    .from(segments)
    .where(and(eq(segments.directoryId, directoryId), isNull(segments.deletedAt)))
    .orderBy(asc(sql`lower(${segments.name})`));
  const items = [];
  for (const row of rows) items.push(await withCount(db, actor, row, counts));
  return { items };
}

async function segmentRow(db: Executor, id: number): Promise<SegmentRow> {
  const [row] = await db
    .select()
    .from(segments)
    .where(and(eq(segments.id, id), isNull(segments.deletedAt)));
  if (!row) throw notFound(`No segment ${id}`);
  return row;
}

export async function getSegment(db: Executor, actor: Actor, id: number) {
  authorize(actor, 'data:read');
  return withCount(db, actor, await segmentRow(db, id));
}

/** Creates (id null) or replaces a segment; the rules are checked whole, every problem listed. */
export async function saveSegment(
  db: Database,
  actor: Actor,
  directoryId: number,
  id: number | null,
  raw: unknown,
): Promise<PublicSegment> {
  authorize(actor, 'data:write');
  const input = ZSegmentInput.parse(raw);
  const { definition, compiled } = await compileOrThrow(db.orm, directoryId, input);
  const stored = storedQuery(segmentMembersSql(directoryId, compiled));
  const by = actorName(actor);
  const values = {
    name: input.name,
    entity: definition.entity,
    rules: definition.rules as unknown,
    compiledSql: stored.sql,
    compiledParams: stored.params,
    compiledVersion: COMPILER_VERSION,
    updatedBy: by,
  };
  try {
    const row = await db.orm.transaction(async (tx) => {
      let saved: SegmentRow | undefined;
      if (id === null) {
        const [existing] = await queryRows<{ n: number }>(
          tx,
          sql`SELECT count(*)::int AS n FROM segments WHERE directory_id = ${directoryId} AND deleted_at IS NULL`,
        );
        if (Number(existing?.n) >= MAX_SEGMENTS)
          throw conflict(`A directory has at most ${MAX_SEGMENTS} segments: delete one first`);
        [saved] = await tx
          .insert(segments)
          .values({ ...values, directoryId, createdBy: by })
          .returning();
      } else {
        [saved] = await tx
          .update(segments)
          .set({ ...values, updatedAt: new Date() })
          .where(and(eq(segments.id, id), eq(segments.directoryId, directoryId), isNull(segments.deletedAt)))
          .returning();
        if (!saved) throw notFound(`No segment ${id}`);
      }
      await recordAudit(tx, actor, {
        action: id === null ? 'segment.created' : 'segment.updated',
        targetType: 'segment',
        targetId: saved!.id,
        details: { name: saved!.name, entity: saved!.entity, rules: definition.rules },
      });
      return saved!;
    });
    return toPublicSegment(row, await countSegment(db.orm, actor, directoryId, compiled), []);
  } catch (error) {
    if (isUniqueViolation(error))
      throw conflict(`A segment is already named "${input.name}" in this directory`);
    throw error;
  }
}

/**
 * Deletes a segment: it leaves every list. Its row stays (deleted_at) so that a distribution
 * already scheduled to it still sends to the segment as it was defined.
 */
export async function deleteSegment(db: Database, actor: Actor, id: number) {
  authorize(actor, 'data:write');
  await db.orm.transaction(async (tx) => {
    const [row] = await tx
      .update(segments)
      .set({ deletedAt: new Date(), updatedBy: actorName(actor), updatedAt: new Date() })
      .where(and(eq(segments.id, id), isNull(segments.deletedAt)))
      .returning();
    if (!row) throw notFound(`No segment ${id}`);
    await recordAudit(tx, actor, {
      action: 'segment.deleted',
      targetType: 'segment',
      targetId: id,
      details: { name: row.name, entity: row.entity },
    });
  });
}

/** The directory a segment belongs to (routes by segment id). */
export async function segmentDirectory(db: Executor, id: number): Promise<number> {
  return (await segmentRow(db, id)).directoryId;
}

/** One page of a segment's members now, in id order, with their names (keyset cursor). */
export async function listSegmentMembers(
  db: Executor,
  actor: Actor,
  id: number,
  query: z.output<typeof ZMembersQuery>,
) {
  authorize(actor, 'data:read');
  const row = await segmentRow(db, id);
  const { compiled, problems } = await evaluate(db, row);
  if (!compiled) throw validationFailed('The segment rules no longer fit this directory', problems);
  const cursor = decodeCursor(query.cursor, 1);
  if (query.cursor && (!cursor || !Number.isSafeInteger(cursor[0])))
    throw badRequest('The cursor is not valid: start again from the first page');
  const afterId = cursor ? Number(cursor[0]) : 0;
  const page = await memberPage(db, actor, row.directoryId, compiled, afterId, query.limit + 1);
  const items = page.slice(0, query.limit);
  return {
    entity: row.entity,
    items,
    nextCursor: page.length > query.limit ? encodeCursor([items.at(-1)!.id]) : null,
  };
}

export type { SegmentDefinition };

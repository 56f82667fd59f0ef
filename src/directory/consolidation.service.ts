import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { type Database, type Executor, queryRows, type Tx } from '../platform/db/database.ts';
import { conflict, notFound } from '../platform/errors.ts';
import { recordAudit } from '../system/audit.service.ts';
import { type Actor, actorLabel, authorize } from '../users/roles.ts';
import { findDirectory } from './directories.service.ts';
import { contactMerges, contacts } from './directory.schema.ts';
import { addToMemberCounts } from './kept-lists.service.ts';

/** Keys a consolidation can match duplicates on (external references are unique already). */
const MATCH_KEYS: Record<string, string> = {
  email: 'lower(c.email)',
  phone: 'coalesce(c.mobile_phone, c.phone)',
};

/** Contact columns a merge may fill on the survivor, and their history names. */
const FILLED = {
  external_ref: 'externalRef',
  first_name: 'firstName',
  last_name: 'lastName',
  email: 'email',
  phone: 'phone',
  mobile_phone: 'mobilePhone',
  language: 'language',
  title: 'title',
} as const;
const FLAGS = {
  email_opt_out: 'emailOptOut',
  sms_opt_out: 'smsOptOut',
  do_not_call: 'doNotCall',
  fax_opt_out: 'faxOptOut',
  email_bounced: 'emailBounced',
} as const;

export interface ConsolidationResult {
  dryRun: boolean;
  merged: number;
  groups: { matchedOn: string; key: string; survivorId: number; mergedIds: number[] }[];
}

/**
 * Finds contacts that are the same person by the directory's deduplication rules (after the
 * external reference: email, then phone) and merges each group into one survivor — the contact
 * linked to the CRM, with the most account roles, oldest first. Nothing is lost: the survivor
 * keeps its values and takes the others' where it has none; opt-outs add up (one "no" is a no);
 * roles, list memberships and history follow; every merge is logged with both contacts as they
 * were, so it can be reviewed and reverted.
 */
export async function consolidateDuplicates(
  db: Database,
  actor: Actor,
  directoryRef: string | number,
  options: { dryRun?: boolean } = {},
): Promise<ConsolidationResult> {
  authorize(actor, 'data:write');
  const directory = await findDirectory(db.orm, directoryRef);
  const keys = directory.dedupKeys.filter((k) => MATCH_KEYS[k]);
  const result: ConsolidationResult = { dryRun: options.dryRun === true, merged: 0, groups: [] };
  await db.orm.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(7261, ${directory.id}::int)`);
    for (const key of keys) {
      const pairs = await findPairs(tx, directory.id, key);
      if (pairs.length === 0) continue;
      const bySurvivor = Map.groupBy(pairs, (p) => p.survivor_id);
      for (const [survivorId, group] of bySurvivor) {
        result.groups.push({
          matchedOn: key,
          key: group[0]!.match_key,
          survivorId: Number(survivorId),
          mergedIds: group.map((p) => Number(p.merged_id)),
        });
      }
      result.merged += pairs.length;
      if (!options.dryRun) await applyMerges(tx, actor, directory.id, key);
    }
    if (!options.dryRun && result.merged > 0) {
      await recordAudit(tx, actor, {
        action: 'directory.consolidated',
        targetType: 'directory',
        targetId: directory.id,
        details: { merged: result.merged, keys },
      });
    }
  });
  return result;
}

async function findPairs(tx: Executor, directoryId: number, key: string) {
  const expr = MATCH_KEYS[key]!;
  await tx.execute(sql.raw(`DROP TABLE IF EXISTS merge_pairs`));
  await tx.execute(
    sql.raw(`CREATE TEMP TABLE merge_pairs ON COMMIT DROP AS
      WITH candidates AS (
        SELECT c.id, ${expr} AS match_key, (c.external_ref IS NULL) AS no_ref,
               (SELECT count(*) FROM account_contact_roles r WHERE r.contact_id = c.id) AS roles
        FROM contacts c
        WHERE c.directory_id = ${Number(directoryId)} AND c.deleted_at IS NULL AND c.merged_into_id IS NULL AND ${expr} IS NOT NULL),
      ranked AS (
        SELECT id, match_key, count(*) OVER (PARTITION BY match_key) AS n,
               first_value(id) OVER (PARTITION BY match_key ORDER BY no_ref, roles DESC, id) AS survivor_id
        FROM candidates)
      SELECT id AS merged_id, survivor_id, match_key FROM ranked WHERE n > 1 AND id <> survivor_id`),
  );
  return queryRows<{ merged_id: number; survivor_id: number; match_key: string }>(
    tx,
    sql`SELECT merged_id, survivor_id, match_key FROM merge_pairs ORDER BY survivor_id, merged_id`,
  );
}

async function applyMerges(tx: Tx, actor: Actor, directoryId: number, key: string) {
  const by = actorLabel(actor);
  // 1. The log first, with everything as it was.
  await tx.execute(sql`
    INSERT INTO contact_merges (directory_id, survivor_id, merged_id, matched_on, snapshot, merged_by)
    SELECT ${directoryId}, p.survivor_id, p.merged_id, ${key}, jsonb_build_object(
      'survivor', to_jsonb(s.*) - 'row_hash',
      'merged', to_jsonb(d.*) - 'row_hash',
      'roles', coalesce((SELECT jsonb_agg(jsonb_build_object('accountId', r.account_id, 'role', r.role,
                  'survivorHad', EXISTS (SELECT 1 FROM account_contact_roles x WHERE x.contact_id = s.id AND x.account_id = r.account_id AND x.role = r.role)))
                FROM account_contact_roles r WHERE r.contact_id = d.id), '[]'::jsonb),
      'lists', coalesce((SELECT jsonb_agg(jsonb_build_object('listId', m.mailing_list_id,
                  'survivorHad', EXISTS (SELECT 1 FROM mailing_list_members x WHERE x.contact_id = s.id AND x.mailing_list_id = m.mailing_list_id)))
                FROM mailing_list_members m WHERE m.contact_id = d.id), '[]'::jsonb)
    ), ${by}
    FROM merge_pairs p JOIN contacts s ON s.id = p.survivor_id JOIN contacts d ON d.id = p.merged_id`);

  // 2. The survivor keeps its values and takes the duplicates' where it has none.
  const firstOf = (column: string) =>
    sql.raw(`(array_agg(d.${column} ORDER BY d.id) FILTER (WHERE d.${column} IS NOT NULL))[1] AS ${column}`);
  await tx.execute(sql`
    UPDATE contacts s SET
      ${sql.raw(
        Object.keys(FILLED)
          .map((c) => `${c} = coalesce(s.${c}, g.${c})`)
          .join(', '),
      )},
      ${sql.raw(
        Object.keys(FLAGS)
          .map((c) => `${c} = s.${c} OR g.${c}`)
          .join(', '),
      )},
      consent = CASE WHEN s.consent = false OR g.any_refused THEN false ELSE coalesce(s.consent, g.any_consent) END,
      email_bounced_reason = coalesce(s.email_bounced_reason, g.email_bounced_reason),
      attributes = g.attributes || s.attributes,
      updated_at = now()
    FROM (
      SELECT p.survivor_id,
        ${sql.join(Object.keys(FILLED).map(firstOf), sql`, `)},
        ${sql.raw(
          Object.keys(FLAGS)
            .map((c) => `bool_or(d.${c}) AS ${c}`)
            .join(', '),
        )},
        bool_or(d.consent = false) AS any_refused, bool_or(d.consent) AS any_consent,
        (array_agg(d.email_bounced_reason ORDER BY d.id) FILTER (WHERE d.email_bounced_reason IS NOT NULL))[1] AS email_bounced_reason,
        coalesce((SELECT jsonb_object_agg(e.key, e.value) FROM (
            SELECT DISTINCT ON (e.key) e.key, e.value FROM merge_pairs p2 JOIN contacts d2 ON d2.id = p2.merged_id,
              jsonb_each(d2.attributes) e WHERE p2.survivor_id = p.survivor_id ORDER BY e.key, d2.id) e), '{}'::jsonb) AS attributes
      FROM merge_pairs p JOIN contacts d ON d.id = p.merged_id
      GROUP BY p.survivor_id
    ) g
    WHERE s.id = g.survivor_id`);

  // 3. What changed on the survivor goes to its history, as any change does.
  const fields = { ...FILLED, ...FLAGS, consent: 'consent' } as Record<string, string>;
  await tx.execute(sql`
    INSERT INTO attribute_history (directory_id, entity, entity_id, field, old_value, new_value, source)
    SELECT ${directoryId}, 'contact', s.id, f.field, f.old_value, f.new_value, 'merge'
    FROM (SELECT DISTINCT survivor_id FROM merge_pairs) p
    JOIN contacts s ON s.id = p.survivor_id
    JOIN LATERAL (SELECT snapshot -> 'survivor' AS before FROM contact_merges m
                  WHERE m.survivor_id = s.id AND m.reverted_at IS NULL ORDER BY m.id DESC LIMIT 1) m ON true
    CROSS JOIN LATERAL (
      ${sql.raw(
        Object.entries(fields)
          .map(
            ([c, name]) =>
              `SELECT '${name}' AS field, nullif(m.before -> '${c}', 'null'::jsonb) AS old_value, to_jsonb(s.${c}) AS new_value`,
          )
          .join(' UNION ALL '),
      )}
      UNION ALL SELECT k, m.before -> 'attributes' -> k, s.attributes -> k FROM jsonb_object_keys(s.attributes) k
    ) f
    WHERE f.old_value IS DISTINCT FROM f.new_value`);

  // 4. Roles and list memberships follow; the duplicates step aside, pointing at the survivor.
  await tx.execute(sql`
    INSERT INTO account_contact_roles (account_id, contact_id, role, directory_id)
    SELECT r.account_id, p.survivor_id, r.role, r.directory_id FROM account_contact_roles r JOIN merge_pairs p ON p.merged_id = r.contact_id
    ON CONFLICT DO NOTHING`);
  await tx.execute(
    sql`DELETE FROM account_contact_roles r USING merge_pairs p WHERE r.contact_id = p.merged_id`,
  );
  // Each list's member count follows: one fewer where the survivor was already a member.
  await tx.execute(sql`
    WITH moved AS (
      INSERT INTO mailing_list_members (mailing_list_id, contact_id, added_at)
      SELECT m.mailing_list_id, p.survivor_id, m.added_at FROM mailing_list_members m JOIN merge_pairs p ON p.merged_id = m.contact_id
      ON CONFLICT DO NOTHING RETURNING mailing_list_id)
    ${addToMemberCounts(sql`moved`, 1)}`);
  await tx.execute(sql`
    WITH gone AS (
      DELETE FROM mailing_list_members m USING merge_pairs p WHERE m.contact_id = p.merged_id RETURNING m.mailing_list_id)
    ${addToMemberCounts(sql`gone`, -1)}`);
  await tx.execute(sql`
    UPDATE contacts d SET merged_into_id = p.survivor_id, deleted_at = now(), updated_at = now()
    FROM merge_pairs p WHERE d.id = p.merged_id`);
  // A contact merged earlier into one that is merged now follows it.
  await tx.execute(
    sql`UPDATE contacts c SET merged_into_id = p.survivor_id FROM merge_pairs p WHERE c.merged_into_id = p.merged_id`,
  );
}

export async function listMerges(
  db: Executor,
  actor: Actor,
  directoryRef: string | number,
  before: number | undefined,
  limit: number,
) {
  authorize(actor, 'data:read');
  const directory = await findDirectory(db, directoryRef);
  const rows = await db
    .select()
    .from(contactMerges)
    .where(
      and(eq(contactMerges.directoryId, directory.id), before ? lt(contactMerges.id, before) : undefined),
    )
    .orderBy(desc(contactMerges.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit).map((m) => ({
    id: m.id,
    survivorId: m.survivorId,
    mergedId: m.mergedId,
    matchedOn: m.matchedOn,
    mergedAt: m.mergedAt.toISOString(),
    mergedBy: m.mergedBy,
    revertedAt: m.revertedAt?.toISOString() ?? null,
    revertedBy: m.revertedBy,
    snapshot: m.snapshot,
  }));
  return { items, nextCursor: rows.length > limit ? String(items.at(-1)!.id) : null };
}

type Snapshot = {
  survivor: Record<string, unknown>;
  merged: Record<string, unknown>;
  roles: { accountId: number; role: string; survivorHad: boolean }[];
  lists: { listId: number; survivorHad: boolean }[];
};

/**
 * Undoes one merge: the merged contact comes back with its roles and lists, and the survivor
 * gets back the values it had, for every field the merge filled and nobody changed since.
 */
export async function revertMerge(db: Database, actor: Actor, mergeId: number) {
  authorize(actor, 'data:write');
  return db.orm.transaction(async (tx) => {
    const [merge] = await tx.select().from(contactMerges).where(eq(contactMerges.id, mergeId)).for('update');
    if (!merge) throw notFound(`No merge ${mergeId}`);
    if (merge.revertedAt)
      throw conflict(`Merge ${mergeId} was already reverted on ${merge.revertedAt.toISOString()}`);
    const snap = merge.snapshot as Snapshot;
    const [survivor] = await tx.select().from(contacts).where(eq(contacts.id, merge.survivorId));
    const restore: Record<string, unknown> = {};
    const history: { field: string; from: unknown; to: unknown }[] = [];
    for (const [column, name] of Object.entries({ ...FILLED, ...FLAGS, consent: 'consent' } as Record<
      string,
      string
    >)) {
      const before = snap.survivor[column] ?? null;
      const merged = snap.merged[column] ?? null;
      const now = (survivor as Record<string, unknown>)[camel(column)] ?? null;
      // Only what this merge brought: the value came from the merged contact and is still there.
      if (before !== now && now === merged) {
        restore[camel(column)] = before;
        history.push({ field: name, from: now, to: before });
      }
    }
    const attributes = { ...(survivor!.attributes as Record<string, unknown>) };
    const beforeAttributes = (snap.survivor.attributes ?? {}) as Record<string, unknown>;
    const mergedAttributes = (snap.merged.attributes ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(mergedAttributes)) {
      if (!(k in beforeAttributes) && JSON.stringify(attributes[k]) === JSON.stringify(v)) {
        delete attributes[k];
        history.push({ field: k, from: v, to: null });
      }
    }
    await tx
      .update(contacts)
      .set({ ...restore, attributes, updatedAt: new Date() })
      .where(eq(contacts.id, merge.survivorId));
    await tx
      .update(contacts)
      .set({
        mergedIntoId: null,
        deletedAt: snap.merged.deleted_at ? new Date(String(snap.merged.deleted_at)) : null,
        updatedAt: new Date(),
      })
      .where(eq(contacts.id, merge.mergedId));
    for (const role of snap.roles) {
      await tx.execute(sql`INSERT INTO account_contact_roles (account_id, contact_id, role, directory_id)
        VALUES (${role.accountId}, ${merge.mergedId}, ${role.role}, ${merge.directoryId}) ON CONFLICT DO NOTHING`);
      if (!role.survivorHad) {
        await tx.execute(
          sql`DELETE FROM account_contact_roles WHERE account_id = ${role.accountId} AND contact_id = ${merge.survivorId} AND role = ${role.role}`,
        );
      }
    }
    for (const list of snap.lists) {
      await tx.execute(sql`
        WITH back AS (
          INSERT INTO mailing_list_members (mailing_list_id, contact_id) VALUES (${list.listId}, ${merge.mergedId})
          ON CONFLICT DO NOTHING RETURNING mailing_list_id)
        ${addToMemberCounts(sql`back`, 1)}`);
      if (!list.survivorHad) {
        await tx.execute(sql`
          WITH gone AS (
            DELETE FROM mailing_list_members WHERE mailing_list_id = ${list.listId} AND contact_id = ${merge.survivorId}
            RETURNING mailing_list_id)
          ${addToMemberCounts(sql`gone`, -1)}`);
      }
    }
    for (const h of history) {
      await tx.execute(sql`INSERT INTO attribute_history (directory_id, entity, entity_id, field, old_value, new_value, source)
        VALUES (${merge.directoryId}, 'contact', ${merge.survivorId}, ${h.field}, ${JSON.stringify(h.from)}::jsonb, ${JSON.stringify(h.to)}::jsonb, 'unmerge')`);
    }
    await tx
      .update(contactMerges)
      .set({ revertedAt: new Date(), revertedBy: actorLabel(actor) })
      .where(eq(contactMerges.id, mergeId));
    await recordAudit(tx, actor, {
      action: 'contact.unmerged',
      targetType: 'contact_merge',
      targetId: mergeId,
    });
    return {
      mergeId,
      survivorId: merge.survivorId,
      restoredId: merge.mergedId,
      restoredFields: history.map((h) => h.field),
    };
  });
}

const camel = (column: string) => column.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());

import { lit } from '../../platform/db/sql-text.ts';
import type { Mapping } from '../mapping.ts';
import type { ColumnPlan } from './column-plan.ts';
import { emptyCounts, type ObjectCounts } from './counts.ts';
import type { MergeContext } from './merge-accounts.ts';
import { count, run } from './sql-run.ts';
import { skippedTable, stageColumnOf, stageTable } from './stage-sql.ts';
import { lookupRole } from './value-tables.ts';

/** Contact fields an import can set, by staging column → contacts column. */
const CONTACT_COLUMNS: Record<string, string> = {
  external_ref: 'external_ref',
  first_name: 'first_name',
  last_name: 'last_name',
  email: 'email',
  phone: 'phone',
  mobile_phone: 'mobile_phone',
  language: 'language',
  title: 'title',
  email_opt_out: 'email_opt_out',
  sms_opt_out: 'sms_opt_out',
  do_not_call: 'do_not_call',
  fax_opt_out: 'fax_opt_out',
  email_bounced_reason: 'email_bounced_reason',
  consent: 'consent',
};
const NOT_NULL_FLAGS = new Set(['email_opt_out', 'sms_opt_out', 'do_not_call', 'fax_opt_out']);
const HISTORY_NAMES: Record<string, string> = {
  first_name: 'firstName',
  last_name: 'lastName',
  email: 'email',
  phone: 'phone',
  mobile_phone: 'mobilePhone',
  language: 'language',
  title: 'title',
  email_opt_out: 'emailOptOut',
  sms_opt_out: 'smsOptOut',
  do_not_call: 'doNotCall',
  fax_opt_out: 'faxOptOut',
  email_bounced_reason: 'emailBouncedReason',
  consent: 'consent',
};

export interface ContactMergeResult {
  counts: ObjectCounts;
  mailingListId: number | null;
}

/**
 * Contacts: match each row to an existing contact by the directory's deduplication rules (external
 * reference first; then email, only against a contact with no conflicting reference), resolve its
 * client role, insert or update, soft-delete IsDeleted ones, and optionally put the file's contacts
 * in a new mailing list.
 */
export async function mergeContacts(
  ctx: MergeContext,
  plan: ColumnPlan,
  mapping: Mapping,
  options: { dedupKeys: string[]; mailingListName: string | null },
): Promise<ContactMergeResult> {
  const { tx, runId, directoryId, file } = ctx;
  const stage = stageTable(runId, 'contacts');
  const D = lit(directoryId);
  const R = lit(runId);
  const has = (field: string) => plan.fields[field] !== undefined;
  const provided = Object.keys(plan.fields)
    .filter((f) => f !== 'isDeleted' && f !== 'accountExternalRef')
    .map(stageColumnOf)
    .filter((c) => CONTACT_COLUMNS[c]);
  // The external reference is the match key itself: changed only by a row that found the contact
  // by email and brings the reference it lacked (see below).
  const updatable = provided.filter((c) => c !== 'external_ref');
  const mappedKeys = `ARRAY[${plan.attributes.map((a) => lit(a.name)).join(', ')}]::text[]`;
  const byEmail = options.dedupKeys.includes('email') && has('email');
  const counts = emptyCounts();
  const [sequence] = await run<{ name: string }>(
    tx,
    `SELECT pg_get_serial_sequence('contacts', 'id') AS name`,
  );

  // 1. Match, and give new contacts their ids now, so roles and list members can refer to them.
  const extRef = has('externalRef') ? 's.external_ref' : 'NULL::text';
  const email = has('email') ? 's.email' : 'NULL::text';
  await run(
    tx,
    `CREATE TEMP TABLE con_match ON COMMIT DROP AS
     SELECT s.*,
       coalesce(x.target, e.target, CASE WHEN NOT s.is_deleted THEN nextval(${lit(sequence!.name)}) END) AS contact_id,
       (x.target IS NULL AND e.target IS NULL AND NOT s.is_deleted) AS is_new,
       CASE WHEN x.target IS NOT NULL AND x.redirected THEN 'merged' WHEN x.target IS NOT NULL THEN 'external_ref'
            WHEN e.target IS NOT NULL THEN 'email' END AS matched_on,
       cardinality(s.problems) = 0 AS clean
     FROM ${stage} s
     LEFT JOIN (
       SELECT external_ref, coalesce(merged_into_id, id) AS target, merged_into_id IS NOT NULL AS redirected FROM contacts
       WHERE directory_id = ${D} AND external_ref IS NOT NULL
     ) x ON x.external_ref = ${extRef}
     LEFT JOIN (
       ${
         byEmail
           ? `SELECT DISTINCT ON (lower(email)) lower(email) AS em, id AS target, external_ref FROM contacts
              WHERE directory_id = ${D} AND email IS NOT NULL AND merged_into_id IS NULL
                AND lower(email) IN (SELECT email FROM ${stage} WHERE email IS NOT NULL)
              ORDER BY lower(email), (deleted_at IS NOT NULL), id`
           : 'SELECT NULL::text AS em, NULL::bigint AS target, NULL::text AS external_ref WHERE false'
       }
     ) e ON x.target IS NULL AND e.em = ${email} AND (e.external_ref IS NULL OR ${extRef} IS NULL OR e.external_ref = ${extRef})`,
  );

  // Two rows of the file landing on one contact (same email under another reference): keep the first.
  const sameContact = `SELECT line, min(line) OVER (PARTITION BY contact_id) AS first_line FROM con_match WHERE NOT is_new AND contact_id IS NOT NULL`;
  await run(
    tx,
    `INSERT INTO import_issues (run_id, severity, object, file, line, field, value, reason)
     SELECT ${R}, 'error', 'contacts', ${lit(file)}, d.line, 'Email', ${has('email') ? 'm.email' : 'NULL'},
       'matches the same contact as line ' || d.first_line || ' (same email, or a merged duplicate): row ignored'
     FROM (${sameContact}) d JOIN con_match m ON m.line = d.line WHERE d.line <> d.first_line`,
  );
  await run(
    tx,
    `DELETE FROM con_match m USING (${sameContact}) d WHERE m.line = d.line AND d.line <> d.first_line`,
  );

  // 2. A row matched by email, or through a contact merged into another, is not the contact's own
  // record: it adds what it knows and never blanks what the contact already has.
  if (provided.length || plan.attributes.length) {
    await run(
      tx,
      `UPDATE con_match m SET
         ${[
           ...provided.map((c) => `${c} = coalesce(m.${c}, c.${CONTACT_COLUMNS[c]})`),
           `attributes = coalesce((SELECT jsonb_object_agg(k, c.attributes -> k) FROM unnest(${mappedKeys}) AS k WHERE c.attributes ? k), '{}'::jsonb) || m.attributes`,
         ].join(',\n')}
       FROM contacts c WHERE c.id = m.contact_id AND m.matched_on IN ('email', 'merged')`,
    );
  }

  // 3. Roles before writing: a row with a role problem is not "clean" (checked again next time).
  if (has('accountExternalRef')) await resolveClientRoles(ctx, mapping, has('title'));

  // 4. Write.
  const insertColumns = provided.map((c) => CONTACT_COLUMNS[c]!);
  const keepHash = 'CASE WHEN m.clean THEN m.source_hash END';
  counts.created = await count(
    tx,
    `WITH ins AS (
       INSERT INTO contacts (id, directory_id, ${insertColumns.join(', ')}${has('emailBouncedReason') ? ', email_bounced' : ''},
                             attributes, row_hash, source_hash, created_run_id, updated_run_id)
       OVERRIDING SYSTEM VALUE
       SELECT m.contact_id, ${D}, ${provided.map((c) => (NOT_NULL_FLAGS.has(c) ? `coalesce(m.${c}, false)` : `m.${c}`)).join(', ')}
              ${has('emailBouncedReason') ? ', m.email_bounced_reason IS NOT NULL' : ''},
              m.attributes, m.row_hash, ${keepHash}, ${R}, ${R}
       FROM con_match m WHERE m.is_new
       RETURNING 1)
     SELECT count(*) AS n FROM ins`,
  );

  const historyFields = updatable
    .map(
      (c) =>
        `SELECT ${lit(HISTORY_NAMES[c]!)} AS field, to_jsonb(c.${CONTACT_COLUMNS[c]}) AS old_value, to_jsonb(m.${c}) AS new_value`,
    )
    .join(' UNION ALL ');
  await run(
    tx,
    `INSERT INTO attribute_history (directory_id, entity, entity_id, field, old_value, new_value, source, run_id)
     SELECT ${D}, 'contact', c.id, f.field, f.old_value, f.new_value, 'import', ${R}
     FROM con_match m JOIN contacts c ON c.id = m.contact_id
     CROSS JOIN LATERAL (
       ${historyFields ? `${historyFields} UNION ALL ` : ''}
       SELECT k, c.attributes -> k, m.attributes -> k FROM unnest(${mappedKeys}) AS k
     ) f
     WHERE NOT m.is_new AND NOT m.is_deleted AND c.row_hash IS DISTINCT FROM m.row_hash
       AND f.old_value IS DISTINCT FROM f.new_value`,
  );

  counts.updated = await count(
    tx,
    `WITH upd AS (
       UPDATE contacts c SET
         ${updatable.map((col) => `${CONTACT_COLUMNS[col]} = ${NOT_NULL_FLAGS.has(col) ? `coalesce(m.${col}, false)` : `m.${col}`},`).join('\n')}
         ${has('emailBouncedReason') ? 'email_bounced = m.email_bounced_reason IS NOT NULL,' : ''}
         attributes = (c.attributes - ${mappedKeys}) || m.attributes,
         row_hash = m.row_hash, source_hash = ${keepHash}, deleted_at = NULL, updated_at = now(), updated_run_id = ${R}
       FROM con_match m
       WHERE c.id = m.contact_id AND NOT m.is_new AND NOT m.is_deleted
         AND (c.row_hash IS DISTINCT FROM m.row_hash OR c.deleted_at IS NOT NULL)
       RETURNING 1)
     SELECT count(*) AS n FROM upd`,
  );

  if (has('externalRef') && byEmail) {
    await run(
      tx,
      `WITH linked AS (
         UPDATE contacts c SET external_ref = m.external_ref
         FROM con_match m
         WHERE c.id = m.contact_id AND m.matched_on = 'email' AND c.external_ref IS NULL AND m.external_ref IS NOT NULL
         RETURNING c.id, m.external_ref)
       INSERT INTO attribute_history (directory_id, entity, entity_id, field, old_value, new_value, source, run_id)
       SELECT ${D}, 'contact', id, 'externalRef', NULL, to_jsonb(external_ref), 'import', ${R} FROM linked`,
    );
  }

  counts.deleted = await count(
    tx,
    `WITH del AS (
       UPDATE contacts c SET deleted_at = now(), source_hash = ${keepHash}, updated_at = now(), updated_run_id = ${R}
       FROM con_match m
       WHERE c.id = m.contact_id AND m.is_deleted AND c.deleted_at IS NULL
       RETURNING 1)
     SELECT count(*) AS n FROM del`,
  );
  // Unchanged rows read another way (a new mapping, say): only their source hash moves.
  await run(
    tx,
    `UPDATE contacts c SET source_hash = ${keepHash} FROM con_match m
     WHERE c.id = m.contact_id AND m.matched_on = 'external_ref' AND c.row_hash = m.row_hash
       AND (c.deleted_at IS NULL) = (NOT m.is_deleted) AND c.source_hash IS DISTINCT FROM ${keepHash}`,
  );
  const staged = await count(tx, 'SELECT count(*) AS n FROM con_match');
  counts.unchanged = staged - counts.created - counts.updated - counts.deleted;

  if (has('accountExternalRef')) await writeClientRoles(ctx);

  let mailingListId: number | null = null;
  if (options.mailingListName) {
    const [list] = await run<{ id: number }>(
      tx,
      `INSERT INTO mailing_lists (directory_id, name, import_run_id) VALUES (${D}, ${lit(options.mailingListName)}, ${R}) RETURNING id`,
    );
    mailingListId = Number(list!.id);
    // Every contact of the file, those set aside as unchanged included.
    await run(
      tx,
      `INSERT INTO mailing_list_members (mailing_list_id, contact_id)
       SELECT ${lit(mailingListId)}, id FROM (
         SELECT contact_id AS id FROM con_match WHERE NOT is_deleted AND contact_id IS NOT NULL
         UNION SELECT id FROM ${skippedTable(runId, 'contacts')} WHERE NOT deleted
       ) ids`,
    );
  }
  return { counts, mailingListId };
}

/**
 * A contact's client role in its account comes from its Title through the value table. For a
 * contact found by its own external reference the file is the CRM's word: it gets exactly the roles
 * the file implies. A contact found by email or through a merged duplicate only gains roles.
 */
async function resolveClientRoles(ctx: MergeContext, mapping: Mapping, hasTitle: boolean): Promise<void> {
  const { tx, runId, directoryId, file } = ctx;
  const D = lit(directoryId);
  const R = lit(runId);
  const title = hasTitle ? 'title' : 'NULL::text';
  const role = hasTitle
    ? lookupRole('t.title', mapping.clientRoles.values, mapping.clientRoles.default)
    : lit(mapping.clientRoles.default);
  await run(
    tx,
    `CREATE TEMP TABLE con_title_roles ON COMMIT DROP AS
     SELECT t.title, (${role})::client_role AS role FROM (SELECT DISTINCT lower(${title}) AS title FROM con_match) t`,
  );
  await run(
    tx,
    `CREATE TEMP TABLE con_roles ON COMMIT DROP AS
     SELECT m.line, m.contact_id, m.account_ref, ${hasTitle ? 'm.title' : 'NULL::text AS title'}, a.id AS account_id, tr.role,
            (m.is_new OR m.matched_on = 'external_ref') AS authoritative
     FROM con_match m
     LEFT JOIN accounts a ON a.directory_id = ${D} AND a.external_ref = m.account_ref AND a.deleted_at IS NULL
     LEFT JOIN con_title_roles tr ON coalesce(tr.title, '') = coalesce(lower(${hasTitle ? 'm.title' : 'NULL::text'}), '')
     WHERE NOT m.is_deleted`,
  );
  await run(
    tx,
    `INSERT INTO import_issues (run_id, severity, object, file, line, field, value, reason)
     SELECT ${R}, 'warning', 'contacts', ${lit(file)}, line, 'AccountId', account_ref,
            'account not found in the file or the directory: contact imported without an account role'
     FROM con_roles WHERE account_ref IS NOT NULL AND account_id IS NULL`,
  );
  // One warning per unmapped Title (with how many rows have it), not one per row.
  await run(
    tx,
    `INSERT INTO import_issues (run_id, severity, object, file, line, field, value, reason)
     SELECT ${R}, 'warning', 'contacts', ${lit(file)}, min(line), 'Title', min(title),
            'no client role is mapped for this Title (' || count(*) || ' contact' || CASE WHEN count(*) > 1 THEN 's' ELSE '' END ||
            '): imported without a role; add it to the clientRoles value table'
     FROM con_roles WHERE account_id IS NOT NULL AND title IS NOT NULL AND role IS NULL
     GROUP BY lower(title)`,
  );
  await run(
    tx,
    `UPDATE con_match m SET clean = false FROM con_roles r
     WHERE r.line = m.line AND ((r.account_ref IS NOT NULL AND r.account_id IS NULL) OR (r.account_id IS NOT NULL AND r.title IS NOT NULL AND r.role IS NULL))`,
  );
}

async function writeClientRoles(ctx: MergeContext): Promise<void> {
  const { tx, runId, directoryId } = ctx;
  await run(
    tx,
    `DELETE FROM account_contact_roles r USING con_roles n0
     WHERE r.contact_id = n0.contact_id AND n0.authoritative
       AND NOT EXISTS (SELECT 1 FROM con_roles n WHERE n.contact_id = r.contact_id AND n.account_id = r.account_id AND n.role = r.role)`,
  );
  await run(
    tx,
    `INSERT INTO account_contact_roles (account_id, contact_id, role, directory_id, run_id)
     SELECT DISTINCT n.account_id, n.contact_id, n.role, ${lit(directoryId)}, ${lit(runId)} FROM con_roles n
     WHERE n.account_id IS NOT NULL AND n.role IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM account_contact_roles r WHERE r.account_id = n.account_id AND r.contact_id = n.contact_id AND r.role = n.role)`,
  );
}

import { type SQL, sql } from 'drizzle-orm';
import { type Audience, audienceRows, contactRows } from '../directory/audiences.ts';
import { applyBulkStatementSettings, type Executor } from '../platform/db/database.ts';
import { insertPersonalLinks, respondedCondition } from '../surveys/links.service.ts';
import type { distributions } from './distributions.schema.ts';
import { embeddedSql } from './embedded.ts';
import type { SmsMessage } from './message.ts';
import { type Exclusions, type FrequencyRule, IDENTICAL_MESSAGE_HOURS } from './rules.ts';

type Distribution = typeof distributions.$inferSelect;

/** Loose enough for any real address, strict enough that the SMTP server will not refuse it. */
const EMAIL_PATTERN = `^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$`;
const E164_PATTERN = `^\\+[1-9][0-9]{6,14}$`;

export interface BuildInput {
  distribution: Distribution;
  exclusions: Exclusions;
  /** The frequency rules that hold for this distribution (none for transactional ones). */
  frequencyRules: FrequencyRule[];
  /** Invitations: the directory audience; reminders and thank-yous: their parent's recipients. */
  audience: Audience | null;
  linkExpiresAt: Date | null;
}

const lit = (text: string) => sql.raw(`'${text.replace(/'/g, "''")}'`);

/** The address column for the channel (the seed: "choose which phone field"). */
function addressOf(distribution: Distribution): SQL {
  if (distribution.channel === 'email') return sql`nullif(btrim(au.email), '')`;
  const field = (distribution.message as SmsMessage).phoneField;
  if (field === 'phone') return sql`au.phone`;
  if (field === 'mobilePhone') return sql`au.mobile_phone`;
  return sql`coalesce(au.mobile_phone, au.phone)`;
}

/** Why a contact is excluded, or null: an opt-out of the channel always, the directory's rules after. */
function exclusionReason(distribution: Distribution, ex: Exclusions, alias = 's'): SQL {
  const a = sql.raw(alias);
  const cases: SQL[] = [
    distribution.channel === 'email'
      ? sql`WHEN ${a}.email_opt_out THEN 'email_opt_out'`
      : sql`WHEN ${a}.sms_opt_out THEN 'sms_opt_out'`,
  ];
  if (ex.emailBounced && distribution.channel === 'email')
    cases.push(sql`WHEN ${a}.email_bounced THEN 'email_bounced'`);
  if (ex.doNotCall) cases.push(sql`WHEN ${a}.do_not_call THEN 'do_not_call'`);
  if (ex.faxOptOut) cases.push(sql`WHEN ${a}.fax_opt_out THEN 'fax_opt_out'`);
  if (ex.noConsent) cases.push(sql`WHEN ${a}.consent = false THEN 'no_consent'`);
  if (ex.requireConsent) cases.push(sql`WHEN ${a}.consent IS NULL THEN 'consent_unknown'`);
  return sql`CASE ${sql.join(cases, sql` `)} END`;
}

/** A rule's condition on the contact (a segment), as SQL; true when the rule has none. */
function ruleApplies(rule: FrequencyRule): SQL {
  if (!rule.when) return sql`true`;
  if (rule.when.type === 'role')
    return sql`candidate.role IN (${sql.join(
      rule.when.roles.map((r) => sql`${r}`),
      sql`, `,
    )})`;
  const name = rule.when.attribute.toLowerCase();
  return sql`(SELECT v.value #>> '{}' FROM jsonb_each(candidate.attributes) v WHERE lower(v.key) = ${name} LIMIT 1)
    IN (${sql.join(
      rule.when.values.map((v) => sql`${v}`),
      sql`, `,
    )})`;
}

/**
 * The frequency check of every candidate at once: one lateral look at each contact's recent
 * invitations (an index range on (contact_id, sent_at)), every rule a FILTERed aggregate of it.
 * Returns the SQL of the lateral and the CASE arms naming the first rule a contact would break.
 */
function frequencyCheck(distribution: Distribution, allRules: FrequencyRule[]) {
  // A rule of one channel limits that channel's invitations only: an SMS rule holds back no email.
  const rules = allRules.filter((r) => r.channel === 'any' || r.channel === distribution.channel);
  const hours = Math.max(
    IDENTICAL_MESSAGE_HOURS,
    ...rules.map((r) => Math.max(r.withinHours ?? 0, r.minHoursBetween ?? 0)),
  );
  const channelIs = (rule: FrequencyRule) =>
    rule.channel === 'any' ? sql`true` : sql`h.channel = ${rule.channel}`;
  // The distributions that sent this very message, found once (an InitPlan), so that each contact's
  // look is an index range alone, not a hash join built per contact (recipients phase at 100,000:
  // 1.87 → 1.74 s).
  const sameMessage = sql`ARRAY(SELECT d.id FROM distributions d WHERE d.message_hash = ${distribution.messageHash})`;
  const columns: SQL[] = [
    sql`bool_or(h.address = candidate.address AND h.distribution_id = ANY(${sameMessage})
      AND h.sent_at > now() - make_interval(hours => ${IDENTICAL_MESSAGE_HOURS})) AS identical`,
  ];
  const arms: SQL[] = [sql`WHEN f.identical THEN 'identical_message'`];
  rules.forEach((rule, i) => {
    const name = lit(`rule:${rule.name}`);
    if (rule.maxMessages !== undefined && rule.withinHours !== undefined) {
      columns.push(sql`count(*) FILTER (WHERE h.counts_for_frequency AND ${channelIs(rule)}
        AND h.sent_at > now() - make_interval(hours => ${rule.withinHours}))::int AS n${sql.raw(String(i))}`);
      arms.push(
        sql`WHEN ${ruleApplies(rule)} AND f.n${sql.raw(String(i))} >= ${rule.maxMessages} THEN ${name}`,
      );
    }
    if (rule.minHoursBetween !== undefined) {
      columns.push(
        sql`max(h.sent_at) FILTER (WHERE h.counts_for_frequency AND ${channelIs(rule)}) AS last${sql.raw(String(i))}`,
      );
      arms.push(
        sql`WHEN ${ruleApplies(rule)} AND f.last${sql.raw(String(i))} > now() - make_interval(hours => ${rule.minHoursBetween}) THEN ${name}`,
      );
    }
  });
  const lateral = sql`LEFT JOIN LATERAL (
      SELECT ${sql.join(columns, sql`, `)}
      FROM distribution_recipients h
      WHERE h.contact_id = candidate.contact_id AND h.sent_at > now() - make_interval(hours => ${hours})) f ON true`;
  return { lateral, arms };
}

/**
 * Snapshots the recipient set of a distribution in one statement, deciding each contact's fate
 * the way the seed counts it: excluded by rules, missing email, missing phone, duplicate address,
 * held back by a frequency rule, or pending (to be sent). Then gives every pending recipient a
 * personal link (NEW_LINK_TOKEN). Runs inside the caller's transaction.
 */
export async function buildRecipients(tx: Executor, input: BuildInput) {
  const { distribution } = input;
  const address = addressOf(distribution);
  const validAddress =
    distribution.channel === 'email'
      ? sql`candidate.address ~* ${EMAIL_PATTERN}`
      : sql`candidate.address ~ ${E164_PATTERN}`;
  const missing = distribution.channel === 'email' ? 'missing_email' : 'missing_phone';
  const frequency =
    distribution.kind === 'invitation' ? frequencyCheck(distribution, input.frequencyRules) : null;
  const source = input.audience
    ? audienceRows(distribution.directoryId, input.audience)
    : parentRecipients(distribution);

  const started = performance.now();
  await applyBulkStatementSettings(tx);
  await tx.execute(sql`
    INSERT INTO distribution_recipients (distribution_id, contact_id, account_id, role, channel,
      counts_for_frequency, address, locale, status, reason, link_token, embedded)
    SELECT distribution_id, contact_id, account_id, role, channel, counts_for_frequency, address, locale, status,
      reason,
      -- An invitation's pending recipient gets its personal link's token here (NEW_LINK_TOKEN).
      ${input.audience ? sql`CASE WHEN status = 'pending' THEN ${NEW_LINK_TOKEN} END` : sql`link_token`}, embedded
    FROM (SELECT ${distribution.id}::bigint AS distribution_id, candidate.contact_id, candidate.account_id,
      candidate.role, ${distribution.channel}::message_channel AS channel,
      ${distribution.kind === 'invitation' && !distribution.transactional}::boolean AS counts_for_frequency,
      candidate.address, candidate.language AS locale,
      (CASE WHEN candidate.excluded IS NOT NULL THEN 'excluded'
            WHEN NOT coalesce(${validAddress}, false) THEN ${missing}
            WHEN candidate.copy > 1 THEN 'duplicate'
            ${frequency ? sql`WHEN (CASE ${sql.join(frequency.arms, sql` `)} END) IS NOT NULL THEN 'frequency_limited'` : sql``}
            ELSE 'pending' END)::recipient_status AS status,
      CASE WHEN candidate.excluded IS NOT NULL THEN candidate.excluded
           WHEN candidate.copy > 1 THEN 'same address as contact ' || candidate.first_contact
           ${frequency ? sql`ELSE (CASE ${sql.join(frequency.arms, sql` `)} END)` : sql``} END AS reason,
      ${input.audience ? sql`NULL::text` : sql`candidate.parent_link_token`} AS link_token,
      ${input.audience ? embeddedSql(distribution.embedded, 'candidate') : sql`candidate.parent_embedded`} AS embedded
    FROM (
      SELECT s.*, ${exclusionReason(distribution, input.exclusions)} AS excluded,
        -- The same address twice is one message: the first contact (by id) gets it.
        row_number() OVER (PARTITION BY lower(s.address),
          (${exclusionReason(distribution, input.exclusions)}) IS NULL ORDER BY s.contact_id) AS copy,
        first_value(s.contact_id) OVER (PARTITION BY lower(s.address),
          (${exclusionReason(distribution, input.exclusions)}) IS NULL ORDER BY s.contact_id) AS first_contact
      FROM (SELECT au.*, ${address} AS address FROM (${source}) au) s
    ) candidate
    ${frequency ? frequency.lateral : sql``}) decided
    ON CONFLICT (distribution_id, contact_id) DO NOTHING`);

  const decided = performance.now();
  // Reminders and thank-yous reuse their parent's links; invitations get new ones.
  if (distribution.kind === 'invitation') await issueLinks(tx, distribution, input.linkExpiresAt);
  // Seconds per phase, so a slow build says where its time goes (bench/distribution.ts prints them).
  const seconds = (from: number, to: number) => Math.round(to - from) / 1000;
  return { phases: { recipients: seconds(started, decided), links: seconds(decided, performance.now()) } };
}

/**
 * A reminder's or thank-you's candidates: the parent's recipients who were sent the invitation
 * and have (thank-you) or have not (reminder) completed, as the directory knows them now — an
 * opt-out since the invitation still holds. They keep the parent's personal link.
 */
function parentRecipients(distribution: Distribution): SQL {
  const parent = distribution.parentId!;
  const responded = respondedCondition(sql`${parent}`, sql`p.contact_id`);
  const wanted = distribution.kind === 'reminder' ? sql`NOT ${responded}` : responded;
  const members = sql`SELECT p.contact_id, p.account_id, p.role FROM distribution_recipients p
    WHERE p.distribution_id = ${parent} AND p.status IN ('sent', 'delivered') AND ${wanted}`;
  return sql`SELECT c.*, p.link_token AS parent_link_token, p.embedded AS parent_embedded
    FROM (${contactRows(distribution.directoryId, members)}) c
    JOIN distribution_recipients p ON p.distribution_id = ${parent} AND p.contact_id = c.contact_id`;
}

/**
 * A personal link's token, made by the database as the recipient row is written: two version-4
 * UUIDs from PostgreSQL's strong random source (244 random bits), base64url. Making tokens in Node
 * meant reading the pending rows back and rewriting each (half of a 100,000-recipient build).
 */
const NEW_LINK_TOKEN = sql`rtrim(translate(encode(decode(replace(gen_random_uuid()::text || gen_random_uuid()::text,
  '-', ''), 'hex'), 'base64'), '+/', '-_'), '=')`;

/** Personal links for every pending recipient, from the tokens their rows were given, in one insert. */
async function issueLinks(tx: Executor, distribution: Distribution, expiresAt: Date | null) {
  await insertPersonalLinks(
    tx,
    distribution.surveyId,
    sql`SELECT r.link_token AS token, r.contact_id, r.distribution_id, r.embedded,
          ${expiresAt?.toISOString() ?? null}::timestamptz AS expires_at
        FROM distribution_recipients r WHERE r.distribution_id = ${distribution.id} AND r.status = 'pending'`,
  );
}

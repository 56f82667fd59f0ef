import { and, desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { CLIENT_ROLES } from '../directory/roles.ts';
import type { Database, Executor } from '../platform/db/database.ts';
import { queryRows } from '../platform/db/database.ts';
import { conflict, gone, notFound, validationFailed } from '../platform/errors.ts';
import { type EventType, emitEvent } from '../platform/events/events.ts';
import { randomToken } from '../platform/tokens.ts';
import { checkAnswers } from './answers.ts';
import { definitionLocales } from './definition.ts';
import { responseMetrics } from './metrics.ts';
import { responses, surveyLinks, surveys } from './surveys.schema.ts';
import { surveyDefinition } from './versions.ts';

/**
 * The respondent's side of a survey link (public: the link's token is the only credential).
 * A personal link resolves its contact and account; answers are checked on every save against
 * the version the respondent saw; nothing invalid is stored.
 */

export const ZResponseSave = z.object({
  answers: z.record(z.string(), z.unknown()),
  complete: z.boolean().default(false),
  language: z.string().max(10).optional(),
  /** Returned by the first save: lets this browser resume its own response on an anonymous link. */
  resumeToken: z.string().max(100).optional(),
  /** Call-script links: the merge fields of the page's query string (other links ignore them). */
  embedded: z.record(z.string(), z.string().max(500)).optional(),
});

type LinkRow = typeof surveyLinks.$inferSelect;
type SurveyRow = typeof surveys.$inferSelect;
type ResponseRow = typeof responses.$inferSelect;

async function openLink(db: Executor, token: string): Promise<{ link: LinkRow; survey: SurveyRow }> {
  const [row] = await db
    .select({ link: surveyLinks, survey: surveys })
    .from(surveyLinks)
    .innerJoin(surveys, eq(surveys.id, surveyLinks.surveyId))
    .where(eq(surveyLinks.token, token));
  if (!row) throw notFound('This survey link does not exist');
  if (row.survey.status === 'closed') throw gone('This survey is closed');
  if (row.survey.status === 'draft') throw gone('This survey is not open yet');
  if (row.link.expiresAt && row.link.expiresAt < new Date()) throw gone('This survey link has expired');
  return row;
}

interface ContactContext {
  fields: Record<string, unknown>;
  accountId: number | null;
  language: string | null;
}

/**
 * What piped text and logic may use about the respondent: their contact and account. The account
 * is the one the link names (sfAccountId), else the contact's by its most senior role.
 */
async function contactContext(
  db: Executor,
  directoryId: number,
  contactId: number | null,
  embedded: Record<string, unknown>,
): Promise<ContactContext> {
  const sfAccountId = typeof embedded.sfAccountId === 'string' ? embedded.sfAccountId : null;
  if (!contactId && !sfAccountId) return { fields: {}, accountId: null, language: null };
  const [contact] = contactId
    ? await queryRows<{
        first_name: string | null;
        last_name: string | null;
        email: string | null;
        language: string | null;
        external_ref: string | null;
      }>(
        db,
        sql`SELECT first_name, last_name, email, language, external_ref FROM contacts WHERE id = ${contactId}`,
      )
    : [];
  const roleOrder = sql.raw(
    `array_position(ARRAY[${CLIENT_ROLES.map((r) => `'${r}'`).join(',')}]::text[], r.role::text)`,
  );
  const [account] = await queryRows<{
    id: number;
    display_name: string;
    external_ref: string | null;
    role: string | null;
  }>(
    db,
    sql`SELECT a.id, a.display_name, a.external_ref, r.role::text AS role
        FROM accounts a LEFT JOIN account_contact_roles r ON r.account_id = a.id AND r.contact_id = ${contactId ?? 0}
        WHERE a.deleted_at IS NULL AND (
          ${sfAccountId ? sql`(a.directory_id = ${directoryId} AND a.external_ref = ${sfAccountId})` : sql`false`}
          OR r.contact_id IS NOT NULL)
        ORDER BY ${sfAccountId ? sql`(a.external_ref = ${sfAccountId}) DESC,` : sql``} ${roleOrder} NULLS LAST, a.id
        LIMIT 1`,
  );
  return {
    fields: {
      ...(contact
        ? {
            firstName: contact.first_name ?? '',
            lastName: contact.last_name ?? '',
            email: contact.email ?? '',
            sfContactId: contact.external_ref ?? null,
          }
        : {}),
      accountName: account?.display_name ?? '',
      sfAccountId: account?.external_ref ?? null,
      role: account?.role ?? null,
    },
    accountId: account ? Number(account.id) : null,
    language: contact?.language ?? null,
  };
}

/** The link's declared embedded data over what the directory knows: the link wins. */
const embeddedOf = (link: LinkRow, context: ContactContext) => {
  const merged: Record<string, unknown> = { ...context.fields };
  for (const [k, v] of Object.entries(link.embedded)) if (v !== null && v !== '') merged[k] = v;
  return merged;
};

/**
 * A call-script visit: the survey's declared fields from the query string become the link's
 * embedded data for this response, and sfContactId names the contact when the directory has it.
 * Anything undeclared is ignored, so a URL cannot plant arbitrary data.
 */
async function withVisit(
  db: Executor,
  link: LinkRow,
  survey: SurveyRow,
  query: Record<string, unknown> | undefined,
): Promise<LinkRow> {
  if (link.kind !== 'call_script' || !query) return link;
  const embedded: Record<string, unknown> = { ...link.embedded };
  for (const field of survey.embeddedFields) {
    const value = query[field];
    if (typeof value === 'string' && value.trim()) embedded[field] = value.trim();
  }
  const ref = embedded.sfContactId;
  const [contact] =
    typeof ref === 'string'
      ? await queryRows<{ id: number }>(
          db,
          sql`SELECT id FROM contacts WHERE directory_id = ${survey.directoryId} AND external_ref = ${ref} AND deleted_at IS NULL LIMIT 1`,
        )
      : [];
  return { ...link, embedded, contactId: contact ? Number(contact.id) : null };
}

function pickLocale(definition: unknown, wanted: (string | null | undefined)[]): string {
  const available = definitionLocales(definition);
  for (const tag of wanted) {
    const base = tag?.toLowerCase().split(/[-_]/)[0];
    if (base && available.includes(base)) return base === 'en' ? '' : base;
  }
  return '';
}

const acceptedLanguages = (header: string | undefined) =>
  (header ?? '')
    .split(',')
    .map((part) => part.split(';')[0]!.trim())
    .filter(Boolean);

async function findResponse(
  db: Executor,
  link: LinkRow,
  resumeToken: string | undefined,
): Promise<ResponseRow | undefined> {
  // A personal link has one response; anonymous and call-script visits each resume their own.
  if (link.kind === 'personal') {
    const [latest] = await db
      .select()
      .from(responses)
      .where(eq(responses.linkId, link.id))
      .orderBy(desc(responses.id))
      .limit(1);
    return latest;
  }
  if (!resumeToken) return undefined;
  const [mine] = await db
    .select()
    .from(responses)
    .where(and(eq(responses.linkId, link.id), eq(responses.resumeToken, resumeToken)));
  return mine;
}

/** What the respondent's page needs: the definition they answer, their language, their answers so far. */
export async function openSurveyPage(
  db: Database,
  token: string,
  options: {
    resumeToken?: string | undefined;
    acceptLanguage?: string | undefined;
    embedded?: Record<string, unknown> | undefined;
  },
) {
  const opened = await openLink(db.orm, token);
  const survey = opened.survey;
  const link = await withVisit(db.orm, opened.link, survey, options.embedded);
  const context = await contactContext(db.orm, survey.directoryId, link.contactId, link.embedded);
  const existing = await findResponse(db.orm, link, options.resumeToken);
  const finished = existing?.status === 'complete' && !survey.allowMultipleResponses;
  const continuing = existing?.status === 'partial' ? existing : undefined;
  const version = continuing?.version ?? survey.currentVersion;
  const definition = await surveyDefinition(db.orm, survey.id, version);
  const locale = pickLocale(definition, [
    continuing?.language,
    context.language,
    ...acceptedLanguages(options.acceptLanguage),
  ]);
  return {
    survey: { name: survey.name, version, definition },
    locale: locale || 'en',
    embedded: embeddedOf(link, context),
    response: continuing
      ? { status: continuing.status, answers: continuing.answers, resumeToken: continuing.resumeToken }
      : null,
    alreadyCompleted: finished,
  };
}

/** Saves the answers so far (partial) or the finished response, checked first; nothing invalid is kept. */
/** How a response arrived when not from the web page: a two-way SMS conversation, on its version. */
export interface ResponseOrigin {
  channel?: 'web' | 'sms';
  /** The survey version the respondent was asked (an SMS conversation keeps the one it began on). */
  version?: number;
}

export async function saveSurveyResponse(
  db: Database,
  token: string,
  input: unknown,
  origin: ResponseOrigin = {},
) {
  const body = ZResponseSave.parse(input);
  // A new response on a link that is not personal shares no row with anyone: it is written by
  // one statement, without a transaction (the respondent path's hot case).
  if (!body.resumeToken) {
    const opened = await openLink(db.orm, token);
    if (opened.link.kind !== 'personal') return saveResponse(db.orm, opened, body, origin);
  }
  return db.orm.transaction(async (tx) => saveResponse(tx, await openLink(tx, token), body, origin));
}

async function saveResponse(
  executor: Executor,
  opened: { link: LinkRow; survey: SurveyRow },
  body: z.output<typeof ZResponseSave>,
  origin: ResponseOrigin = {},
) {
  const survey = opened.survey;
  // One writer per personal link at a time (this runs in a transaction then): "one response per
  // personal link" holds under concurrency.
  if (opened.link.kind === 'personal')
    await executor.execute(sql`SELECT 1 FROM survey_links WHERE id = ${opened.link.id} FOR UPDATE`);
  const existing = await findResponse(executor, opened.link, body.resumeToken);
  // A resumed call-script response keeps the record it was started for.
  const link = existing
    ? { ...opened.link, contactId: existing.contactId, embedded: existing.embedded }
    : await withVisit(executor, opened.link, survey, body.embedded);
  if (existing?.status === 'complete' && !survey.allowMultipleResponses)
    throw conflict('This survey has already been answered with this link');
  const current = existing?.status === 'partial' ? existing : undefined;
  const version = current?.version ?? origin.version ?? survey.currentVersion;
  const definition = await surveyDefinition(executor, survey.id, version);
  const context = await contactContext(executor, survey.directoryId, link.contactId, link.embedded);
  const embedded = current?.embedded ?? embeddedOf(link, context);
  const checked = checkAnswers(definition, body.answers, { embedded, complete: body.complete });
  if (checked.problems.length)
    throw validationFailed(
      body.complete ? 'The response cannot be submitted as it is' : 'Some answers do not fit their question',
      checked.problems.map((p) => ({ path: `answers.${p.question}`, message: p.message })),
    );
  const metrics = body.complete ? responseMetrics(definition, survey.metrics, checked.answers) : {};
  const now = new Date();
  const values = {
    answers: checked.answers,
    language: body.language ?? current?.language ?? context.language,
    status: body.complete ? ('complete' as const) : ('partial' as const),
    updatedAt: now,
    completedAt: body.complete ? now : null,
    npsScore: metrics.npsScore ?? null,
    npsCategory: metrics.npsCategory ?? null,
    csatScore: metrics.csatScore ?? null,
    csatSatisfied: metrics.csatSatisfied ?? null,
  };
  const row = {
    ...values,
    surveyId: survey.id,
    version,
    contactId: current ? current.contactId : link.contactId,
    accountId: current ? current.accountId : context.accountId,
    distributionId: current ? current.distributionId : link.distributionId,
    channel: current?.channel ?? origin.channel ?? 'web',
    embedded,
  };
  // What automations get: the response as stored (its id is added by the statement that stores it).
  const event = {
    surveyId: survey.id,
    version,
    contactId: row.contactId,
    accountId: row.accountId,
    distributionId: row.distributionId,
    channel: row.channel,
    language: row.language,
    answers: row.answers,
    embedded: row.embedded,
    npsScore: row.npsScore,
    npsCategory: row.npsCategory,
    csatScore: row.csatScore,
  };
  if (current) {
    await executor.update(responses).set(values).where(eq(responses.id, current.id));
    if (body.complete)
      await emitEvent(executor, 'response.completed', `response:${current.id}`, {
        responseId: current.id,
        ...event,
      });
    return { responseId: current.id, status: values.status, resumeToken: current.resumeToken };
  }
  const resumeToken = randomToken(24);
  const types: EventType[] = body.complete
    ? ['response.created', 'response.completed']
    : ['response.created'];
  // The response and its events in one statement: both exist, or neither.
  const [saved] = await queryRows<{ id: number }>(
    executor,
    sql`WITH saved AS (
          INSERT INTO responses (survey_id, version, link_id, resume_token, contact_id, account_id,
            distribution_id, channel, language, status, answers, embedded, nps_score, nps_category,
            csat_score, csat_satisfied, updated_at, completed_at)
          VALUES (${row.surveyId}, ${row.version}, ${link.id}, ${resumeToken}, ${row.contactId},
            ${row.accountId}, ${row.distributionId}, ${row.channel}, ${row.language}, ${row.status},
            ${JSON.stringify(row.answers)}::jsonb, ${JSON.stringify(row.embedded)}::jsonb, ${row.npsScore},
            ${row.npsCategory}, ${row.csatScore}, ${row.csatSatisfied}, ${now.toISOString()}::timestamptz,
            ${row.completedAt?.toISOString() ?? null}::timestamptz)
          RETURNING id),
        events AS (
          INSERT INTO domain_events (type, subject, payload)
          SELECT t.type, 'response:' || saved.id, jsonb_build_object('responseId', saved.id) || ${JSON.stringify(event)}::jsonb
          FROM saved, unnest(${`{${types.join(',')}}`}::text[]) WITH ORDINALITY AS t(type, n) ORDER BY t.n)
        SELECT id FROM saved`,
  );
  return { responseId: Number(saved!.id), status: values.status, resumeToken };
}

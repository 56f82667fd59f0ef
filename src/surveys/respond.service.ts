import { z } from 'zod';
import { CLIENT_ROLES } from '../directory/roles.ts';
import { type Database, type StatementRunner, statement } from '../platform/db/database.ts';
import { conflict, gone, notFound, validationFailed } from '../platform/errors.ts';
import type { EventType } from '../platform/events/events.ts';
import { randomToken } from '../platform/tokens.ts';
import { checkAnswers } from './answers.ts';
import { definitionLocales } from './definition.ts';
import { responseMetrics } from './metrics.ts';
import { versionDefinition } from './versions.ts';

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

// The respondent path is public and under load: its statements go straight to the driver
// (prepared once per connection on PostgreSQL), not through the ORM's query building.

/** What the respondent path uses of a link. */
interface LinkRow {
  id: number;
  kind: 'personal' | 'anonymous' | 'call_script';
  contactId: number | null;
  distributionId: number | null;
  embedded: Record<string, unknown>;
  expiresAt: Date | null;
}

/** What the respondent path uses of a survey. */
interface SurveyRow {
  id: number;
  directoryId: number;
  name: string;
  status: 'draft' | 'active' | 'closed';
  currentVersion: number;
  embeddedFields: string[];
  metrics: { npsQuestion?: string; csatQuestion?: string };
  allowMultipleResponses: boolean;
}

/** What the respondent path uses of a response. */
interface ResponseRow {
  id: number;
  status: 'partial' | 'complete';
  version: number;
  contactId: number | null;
  accountId: number | null;
  distributionId: number | null;
  channel: string;
  language: string | null;
  answers: Record<string, unknown>;
  embedded: Record<string, unknown>;
  resumeToken: string;
}

interface Opened {
  link: LinkRow;
  survey: SurveyRow;
}

const LINK_FROM = 'survey_links l JOIN surveys s ON s.id = l.survey_id';
/** The link's and its survey's rows as text: the same stamp means neither row has changed at all. */
const LINK_STAMP = '(l::text || s::text)';
const LINK_COLUMNS = `l.id, l.kind, l.contact_id AS "contactId", l.distribution_id AS "distributionId", l.embedded,
  l.expires_at AS "expiresAt", s.id AS "surveyId", s.directory_id AS "directoryId", s.name, s.status,
  s.current_version AS "currentVersion", s.embedded_fields AS "embeddedFields", s.metrics,
  s.allow_multiple_responses AS "allowMultipleResponses", ${LINK_STAMP} AS stamp
  FROM ${LINK_FROM}`;
const OPEN_LINK = statement('respond.open-link', `SELECT ${LINK_COLUMNS} WHERE l.token = $1`);
/** A personal link read and locked at once: one writer per personal link at a time. */
const OPEN_AND_LOCK_LINK = statement(
  'respond.open-and-lock-link',
  `SELECT ${LINK_COLUMNS} WHERE l.token = $1 FOR UPDATE OF l`,
);
const LOCK_LINK = statement('respond.lock-link', 'SELECT 1 FROM survey_links WHERE id = $1 FOR UPDATE');

type OpenedRow = LinkRow & Omit<SurveyRow, 'id'> & { surveyId: number; stamp: string };

/** A link as this process last opened it, and the stamp of its rows then. */
interface RememberedLink {
  opened: Opened;
  stamp: string;
}

// Links opened recently (an anonymous link takes many responses): a new response on one is then
// stored by one statement that also checks the link and survey are unchanged (see saveOnRemembered).
const rememberedLinks = new Map<string, RememberedLink>();
const REMEMBERED_LINKS = 2_000;

function opened(row: OpenedRow | undefined): Opened {
  if (!row) throw notFound('This survey link does not exist');
  const survey: SurveyRow = {
    id: row.surveyId,
    directoryId: row.directoryId,
    name: row.name,
    status: row.status,
    currentVersion: row.currentVersion,
    embeddedFields: row.embeddedFields,
    metrics: row.metrics,
    allowMultipleResponses: row.allowMultipleResponses,
  };
  if (survey.status === 'closed') throw gone('This survey is closed');
  if (survey.status === 'draft') throw gone('This survey is not open yet');
  if (row.expiresAt && row.expiresAt < new Date()) throw gone('This survey link has expired');
  const link: LinkRow = {
    id: row.id,
    kind: row.kind,
    contactId: row.contactId,
    distributionId: row.distributionId,
    embedded: row.embedded,
    expiresAt: row.expiresAt,
  };
  return { link, survey };
}

async function openLink(db: StatementRunner, token: string, lock = false): Promise<Opened> {
  const [row] = await db.run<OpenedRow>(lock ? OPEN_AND_LOCK_LINK : OPEN_LINK, [token]);
  let result: Opened;
  try {
    result = opened(row);
  } catch (error) {
    rememberedLinks.delete(token);
    throw error;
  }
  if (!rememberedLinks.has(token) && rememberedLinks.size >= REMEMBERED_LINKS)
    rememberedLinks.delete(rememberedLinks.keys().next().value!);
  rememberedLinks.set(token, { opened: result, stamp: row!.stamp });
  return result;
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
const ROLE_ORDER = `array_position(ARRAY[${CLIENT_ROLES.map((r) => `'${r}'`).join(',')}]::text[], r.role::text)`;
/**
 * The contact ($1, may be null) and, in the same statement, an account: the one the link names
 * (sfAccountId $3 in directory $4), else the contact's ($2: the contact or 0) by its most senior role.
 */
const contextStatement = (name: string, byRef: boolean) =>
  statement(
    name,
    `SELECT c.id AS contact_id, c.first_name, c.last_name, c.email, c.language, c.external_ref AS contact_ref,
       a.id AS account_id, a.display_name, a.external_ref AS account_ref, a.role
     FROM (SELECT 1) AS one
     LEFT JOIN contacts c ON c.id = $1
     LEFT JOIN LATERAL (
       SELECT a.id, a.display_name, a.external_ref, r.role::text AS role
       FROM accounts a LEFT JOIN account_contact_roles r ON r.account_id = a.id AND r.contact_id = $2
       WHERE a.deleted_at IS NULL AND (${byRef ? '(a.directory_id = $4 AND a.external_ref = $3) OR ' : ''}r.contact_id IS NOT NULL)
       ORDER BY ${byRef ? '(a.external_ref = $3) DESC, ' : ''}${ROLE_ORDER} NULLS LAST, a.id
       LIMIT 1) a ON true`,
  );
const CONTEXT_BY_ROLE = contextStatement('respond.context-by-role', false);
const CONTEXT_BY_REF = contextStatement('respond.context-by-ref', true);

async function contactContext(
  db: StatementRunner,
  directoryId: number,
  contactId: number | null,
  embedded: Record<string, unknown>,
): Promise<ContactContext> {
  const sfAccountId = typeof embedded.sfAccountId === 'string' ? embedded.sfAccountId : null;
  if (!contactId && !sfAccountId) return { fields: {}, accountId: null, language: null };
  const [found] = await db.run<{
    contact_id: number | null;
    first_name: string | null;
    last_name: string | null;
    email: string | null;
    language: string | null;
    contact_ref: string | null;
    account_id: number | null;
    display_name: string | null;
    account_ref: string | null;
    role: string | null;
  }>(
    sfAccountId ? CONTEXT_BY_REF : CONTEXT_BY_ROLE,
    sfAccountId ? [contactId, contactId ?? 0, sfAccountId, directoryId] : [contactId, contactId ?? 0],
  );
  const contact = found?.contact_id != null ? found : undefined;
  const account = found?.account_id != null ? found : undefined;
  return {
    fields: {
      ...(contact
        ? {
            firstName: contact.first_name ?? '',
            lastName: contact.last_name ?? '',
            email: contact.email ?? '',
            sfContactId: contact.contact_ref ?? null,
          }
        : {}),
      accountName: account?.display_name ?? '',
      sfAccountId: account?.account_ref ?? null,
      role: account?.role ?? null,
    },
    accountId: account ? Number(account.account_id) : null,
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
const CONTACT_BY_REF = statement(
  'respond.contact-by-ref',
  'SELECT id FROM contacts WHERE directory_id = $1 AND external_ref = $2 AND deleted_at IS NULL LIMIT 1',
);

async function withVisit(
  db: StatementRunner,
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
    typeof ref === 'string' ? await db.run<{ id: number }>(CONTACT_BY_REF, [survey.directoryId, ref]) : [];
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

const RESPONSE_COLUMNS = `id, status, version, contact_id AS "contactId", account_id AS "accountId",
  distribution_id AS "distributionId", channel, language, answers, embedded, resume_token AS "resumeToken"`;
const LATEST_RESPONSE = statement(
  'respond.latest-response',
  `SELECT ${RESPONSE_COLUMNS} FROM responses WHERE link_id = $1 ORDER BY id DESC LIMIT 1`,
);
const RESUMED_RESPONSE = statement(
  'respond.resumed-response',
  `SELECT ${RESPONSE_COLUMNS} FROM responses WHERE link_id = $1 AND resume_token = $2`,
);

async function findResponse(
  db: StatementRunner,
  link: LinkRow,
  resumeToken: string | undefined,
): Promise<ResponseRow | undefined> {
  // A personal link has one response; anonymous and call-script visits each resume their own.
  if (link.kind === 'personal') return (await db.run<ResponseRow>(LATEST_RESPONSE, [link.id]))[0];
  if (!resumeToken) return undefined;
  return (await db.run<ResponseRow>(RESUMED_RESPONSE, [link.id, resumeToken]))[0];
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
  const { link: linkRow, survey } = await openLink(db, token);
  const link = await withVisit(db, linkRow, survey, options.embedded);
  const context = await contactContext(db, survey.directoryId, link.contactId, link.embedded);
  const existing = await findResponse(db, link, options.resumeToken);
  const finished = existing?.status === 'complete' && !survey.allowMultipleResponses;
  const continuing = existing?.status === 'partial' ? existing : undefined;
  const version = continuing?.version ?? survey.currentVersion;
  const definition = await versionDefinition(db, survey.id, version);
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
): Promise<Saved> {
  const body = ZResponseSave.parse(input);
  // A link's kind never changes: a link this process remembers as personal needs no first read.
  const known = rememberedLinks.get(token);
  let personal = known?.opened.link.kind === 'personal';
  // A new response on a link that is not personal shares no row with anyone: it is written by one
  // statement, without a transaction (the respondent path's hot case); on a link this process
  // remembers, that one statement is all.
  if (!body.resumeToken && !personal) {
    if (known) {
      const saved = await saveOnRemembered(db, token, known, body, origin);
      if (saved) return saved;
    }
    const first = await openLink(db, token);
    if (first.link.kind !== 'personal') return saveResponse(db, first, body, origin);
    personal = true;
  }
  return db.transact(async (tx) => {
    // One writer per personal link at a time (this runs in a transaction): "one response per
    // personal link" holds under concurrency. A link known to be personal is read and locked at once.
    const current = await openLink(tx, token, personal);
    if (!personal && current.link.kind === 'personal') await tx.run(LOCK_LINK, [current.link.id]);
    return saveResponse(tx, current, body, origin);
  });
}

/**
 * A new response on a link as this process last read it (no read of the link): the statement that
 * stores it checks that neither the link nor its survey has changed since, and stores nothing if
 * either has. Null when this cannot decide (a change, a refusal, an error before the write): the
 * caller then reads the link afresh and decides as if nothing had been remembered.
 */
async function saveOnRemembered(
  db: Database,
  token: string,
  known: RememberedLink,
  body: z.output<typeof ZResponseSave>,
  origin: ResponseOrigin,
): Promise<Saved | null> {
  const { expiresAt } = known.opened.link;
  if (expiresAt && expiresAt < new Date()) return null;
  let draft: Draft;
  try {
    draft = await draftResponse(db, known.opened, body, origin);
  } catch {
    return null;
  }
  if (draft.problems.length) return null;
  const [saved] = await db.run<{ id: number }>(INSERT_RESPONSE_IF_UNCHANGED, [
    ...insertParams(draft),
    token,
    known.stamp,
  ]);
  if (!saved) {
    rememberedLinks.delete(token);
    return null;
  }
  return { responseId: Number(saved.id), status: draft.values.status, resumeToken: draft.resumeToken };
}

const UPDATE_RESPONSE = statement(
  'respond.update-response',
  `WITH saved AS (
     UPDATE responses SET answers = $2::jsonb, language = $3, status = $4, updated_at = $5::timestamptz,
       completed_at = $6::timestamptz, nps_score = $7, nps_category = $8, csat_score = $9, csat_satisfied = $10
     WHERE id = $1
     RETURNING id)
   INSERT INTO domain_events (type, subject, payload)
   SELECT 'response.completed', 'response:' || saved.id, jsonb_build_object('responseId', saved.id) || $11::jsonb
   FROM saved WHERE $12::boolean`,
);
const RESPONSE_INSERT_COLUMNS = `survey_id, version, link_id, resume_token, contact_id, account_id,
  distribution_id, channel, language, status, answers, embedded, nps_score, nps_category, csat_score,
  csat_satisfied, updated_at, completed_at`;
/** Its events ($19: the payload without the id, $20: the types) with the response stored in `saved`. */
const INSERT_EVENTS = `events AS (
     INSERT INTO domain_events (type, subject, payload)
     SELECT t.type, 'response:' || saved.id, jsonb_build_object('responseId', saved.id) || $19::jsonb
     FROM saved, unnest($20::text[]) WITH ORDINALITY AS t(type, n) ORDER BY t.n)`;
/** The response and its events in one statement: both exist, or neither. */
const INSERT_RESPONSE = statement(
  'respond.insert-response',
  `WITH saved AS (
     INSERT INTO responses (${RESPONSE_INSERT_COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12::jsonb, $13, $14, $15, $16,
       $17::timestamptz, $18::timestamptz)
     RETURNING id),
   ${INSERT_EVENTS}
   SELECT id FROM saved`,
);
/** The same, only if the link ($21, id $3) and its survey still read as remembered ($22). */
const INSERT_RESPONSE_IF_UNCHANGED = statement(
  'respond.insert-response-if-unchanged',
  `WITH unchanged AS (
     SELECT l.id FROM ${LINK_FROM} WHERE l.token = $21 AND l.id = $3 AND ${LINK_STAMP} = $22),
   saved AS (
     INSERT INTO responses (${RESPONSE_INSERT_COLUMNS})
     SELECT $1::bigint, $2::integer, unchanged.id, $4::text, $5::bigint, $6::bigint, $7::bigint, $8::text,
       $9::text, $10::response_status, $11::jsonb, $12::jsonb, $13::smallint, $14::text, $15::numeric,
       $16::boolean, $17::timestamptz, $18::timestamptz
     FROM unchanged
     RETURNING id),
   ${INSERT_EVENTS}
   SELECT id FROM saved`,
);

interface Saved {
  responseId: number;
  status: 'partial' | 'complete';
  resumeToken: string;
}

/** A response ready to be stored: checked, with its metrics, row and event. */
interface Draft {
  problems: { question: string; message: string }[];
  complete: boolean;
  /** The partial response this one continues. */
  current: ResponseRow | undefined;
  linkId: number;
  resumeToken: string;
  now: Date;
  values: {
    answers: Record<string, unknown>;
    language: string | null;
    status: 'partial' | 'complete';
    completedAt: Date | null;
    npsScore: number | null;
    npsCategory: string | null;
    csatScore: number | null;
    csatSatisfied: boolean | null;
  };
  row: {
    surveyId: number;
    version: number;
    contactId: number | null;
    accountId: number | null;
    distributionId: number | null;
    channel: string;
    embedded: Record<string, unknown>;
  };
  /** What automations get: the response as stored (its id is added by the statement that stores it). */
  event: Record<string, unknown>;
}

async function saveResponse(
  executor: StatementRunner,
  opened: Opened,
  body: z.output<typeof ZResponseSave>,
  origin: ResponseOrigin = {},
): Promise<Saved> {
  const draft = await draftResponse(executor, opened, body, origin);
  if (draft.problems.length)
    throw validationFailed(
      body.complete ? 'The response cannot be submitted as it is' : 'Some answers do not fit their question',
      draft.problems.map((p) => ({ path: `answers.${p.question}`, message: p.message })),
    );
  const { current, values } = draft;
  if (current) {
    // The update and, on completion, its event in one statement (inside the link's transaction).
    await executor.run(UPDATE_RESPONSE, [
      current.id,
      JSON.stringify(values.answers),
      values.language,
      values.status,
      draft.now.toISOString(),
      values.completedAt?.toISOString() ?? null,
      values.npsScore,
      values.npsCategory,
      values.csatScore,
      values.csatSatisfied,
      JSON.stringify(draft.event),
      draft.complete,
    ]);
    return { responseId: current.id, status: values.status, resumeToken: current.resumeToken };
  }
  const [saved] = await executor.run<{ id: number }>(INSERT_RESPONSE, insertParams(draft));
  return { responseId: Number(saved!.id), status: values.status, resumeToken: draft.resumeToken };
}

const insertParams = ({ row, values, linkId, resumeToken, now, event, complete }: Draft): unknown[] => [
  row.surveyId,
  row.version,
  linkId,
  resumeToken,
  row.contactId,
  row.accountId,
  row.distributionId,
  row.channel,
  values.language,
  values.status,
  JSON.stringify(values.answers),
  JSON.stringify(row.embedded),
  values.npsScore,
  values.npsCategory,
  values.csatScore,
  values.csatSatisfied,
  now.toISOString(),
  values.completedAt?.toISOString() ?? null,
  JSON.stringify(event),
  complete ? NEW_COMPLETE_EVENTS : NEW_PARTIAL_EVENTS,
];
const NEW_COMPLETE_EVENTS = `{${(['response.created', 'response.completed'] satisfies EventType[]).join(',')}}`;
const NEW_PARTIAL_EVENTS = `{${(['response.created'] satisfies EventType[]).join(',')}}`;

/** Everything but the write: the response found, the answers checked, the row and event to store. */
async function draftResponse(
  executor: StatementRunner,
  opened: Opened,
  body: z.output<typeof ZResponseSave>,
  origin: ResponseOrigin,
): Promise<Draft> {
  const survey = opened.survey;
  const existing = await findResponse(executor, opened.link, body.resumeToken);
  // A resumed call-script response keeps the record it was started for.
  const link = existing
    ? { ...opened.link, contactId: existing.contactId, embedded: existing.embedded }
    : await withVisit(executor, opened.link, survey, body.embedded);
  if (existing?.status === 'complete' && !survey.allowMultipleResponses)
    throw conflict('This survey has already been answered with this link');
  const current = existing?.status === 'partial' ? existing : undefined;
  const version = current?.version ?? origin.version ?? survey.currentVersion;
  const definition = await versionDefinition(executor, survey.id, version);
  const context = await contactContext(executor, survey.directoryId, link.contactId, link.embedded);
  const embedded = current?.embedded ?? embeddedOf(link, context);
  const checked = checkAnswers(definition, body.answers, { embedded, complete: body.complete });
  const metrics =
    body.complete && !checked.problems.length
      ? responseMetrics(definition, survey.metrics, checked.answers)
      : {};
  const now = new Date();
  const values = {
    answers: checked.answers,
    language: body.language ?? current?.language ?? context.language,
    status: body.complete ? ('complete' as const) : ('partial' as const),
    completedAt: body.complete ? now : null,
    npsScore: metrics.npsScore ?? null,
    npsCategory: metrics.npsCategory ?? null,
    csatScore: metrics.csatScore ?? null,
    csatSatisfied: metrics.csatSatisfied ?? null,
  };
  const row = {
    surveyId: survey.id,
    version,
    contactId: current ? current.contactId : link.contactId,
    accountId: current ? current.accountId : context.accountId,
    distributionId: current ? current.distributionId : link.distributionId,
    channel: current?.channel ?? origin.channel ?? 'web',
    embedded,
  };
  return {
    problems: checked.problems,
    complete: body.complete,
    current,
    linkId: link.id,
    resumeToken: current ? current.resumeToken : randomToken(24),
    now,
    values,
    row,
    event: {
      surveyId: survey.id,
      version,
      contactId: row.contactId,
      accountId: row.accountId,
      distributionId: row.distributionId,
      channel: row.channel,
      language: values.language,
      answers: values.answers,
      embedded: row.embedded,
      npsScore: values.npsScore,
      npsCategory: values.npsCategory,
      csatScore: values.csatScore,
    },
  };
}

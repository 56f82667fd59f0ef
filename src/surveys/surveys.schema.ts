import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { directories } from '../directory/directory.schema.ts';

export const surveyStatus = pgEnum('survey_status', ['draft', 'active', 'closed']);
export const surveyLinkKind = pgEnum('survey_link_kind', ['personal', 'anonymous', 'call_script']);
export const responseStatus = pgEnum('response_status', ['partial', 'complete']);

/** A survey of a directory: its name, state and the version respondents get now. */
export const surveys = pgTable(
  'surveys',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    directoryId: bigint('directory_id', { mode: 'number' })
      .notNull()
      .references(() => directories.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    status: surveyStatus('status').notNull().default('draft'),
    currentVersion: integer('current_version').notNull().default(1),
    /** Embedded data fields declared for this survey (sfAccountId, sfContactId …). */
    embeddedFields: jsonb('embedded_fields').$type<string[]>().notNull().default([]),
    /** Which questions feed the metrics: { npsQuestion?, csatQuestion? }. */
    metrics: jsonb('metrics').$type<{ npsQuestion?: string; csatQuestion?: string }>().notNull().default({}),
    allowMultipleResponses: boolean('allow_multiple_responses').notNull().default(false),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    activatedAt: timestamp('activated_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [index('surveys_directory_idx').on(t.directoryId, t.id)],
);

/** Every saved definition: a response is checked against, and kept with, the version it answered. */
export const surveyVersions = pgTable(
  'survey_versions',
  {
    surveyId: bigint('survey_id', { mode: 'number' })
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    definition: jsonb('definition').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.surveyId, t.version] })],
);

/**
 * A link to take the survey. The token is the capability (256 random bits): a personal link ties
 * the response to a contact and embedded data; an anonymous one to nobody; a call-script link
 * takes its embedded data (CRM merge fields) from the query string of each visit.
 */
export const surveyLinks = pgTable(
  'survey_links',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    token: text('token').notNull(),
    surveyId: bigint('survey_id', { mode: 'number' })
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    kind: surveyLinkKind('kind').notNull(),
    contactId: bigint('contact_id', { mode: 'number' }),
    distributionId: bigint('distribution_id', { mode: 'number' }),
    embedded: jsonb('embedded').$type<Record<string, unknown>>().notNull().default({}),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('survey_links_token_idx').on(t.token), index('survey_links_survey_idx').on(t.surveyId)],
);

/** A response, partial while the respondent goes, complete once submitted and checked. */
export const responses = pgTable(
  'responses',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    surveyId: bigint('survey_id', { mode: 'number' })
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    linkId: bigint('link_id', { mode: 'number' }).references(() => surveyLinks.id, { onDelete: 'set null' }),
    /** Lets an anonymous respondent resume their own partial response (kept by their browser). */
    resumeToken: text('resume_token').notNull(),
    contactId: bigint('contact_id', { mode: 'number' }),
    accountId: bigint('account_id', { mode: 'number' }),
    distributionId: bigint('distribution_id', { mode: 'number' }),
    channel: text('channel').notNull().default('web'),
    language: text('language'),
    status: responseStatus('status').notNull().default('partial'),
    answers: jsonb('answers').$type<Record<string, unknown>>().notNull().default({}),
    embedded: jsonb('embedded').$type<Record<string, unknown>>().notNull().default({}),
    npsScore: smallint('nps_score'),
    npsCategory: text('nps_category'),
    csatScore: numeric('csat_score', { precision: 5, scale: 1, mode: 'number' }),
    /** Top-two-box: the answer is one of the two highest points of the CSAT scale. */
    csatSatisfied: boolean('csat_satisfied'),
    /** Imported historical responses: the source's response id (or a hash of the row), once per survey. */
    externalRef: text('external_ref'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [
    index('responses_survey_idx').on(t.surveyId, t.id),
    index('responses_link_idx').on(t.linkId),
    index('responses_contact_idx').on(t.contactId),
    // An account's responses, each contact's together in time order: the health computation groups
    // them as they stream (and an account's lookups use the leading column).
    index('responses_account_contact_idx').on(t.accountId, t.contactId, t.completedAt),
    uniqueIndex('responses_resume_token_idx').on(t.resumeToken),
    uniqueIndex('responses_external_ref_idx')
      .on(t.surveyId, t.externalRef)
      .where(sql`${t.externalRef} IS NOT NULL`),
    // The CRM record widgets find a record's responses by the ids the survey link carried.
    index('responses_sf_contact_idx').on(sql`(${t.embedded} ->> 'sfContactId')`),
    index('responses_sf_account_idx').on(sql`(${t.embedded} ->> 'sfAccountId')`),
    index('responses_sf_lead_idx').on(sql`(${t.embedded} ->> 'sfLeadId')`),
  ],
);

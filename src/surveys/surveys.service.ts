import { and, desc, eq, max } from 'drizzle-orm';
import { z } from 'zod';
import { findDirectory } from '../directory/directories.service.ts';
import type { Database, Executor } from '../platform/db/database.ts';
import { badRequest, conflict, notFound, validationFailed } from '../platform/errors.ts';
import { randomToken } from '../platform/tokens.ts';
import { recordAudit } from '../system/audit.service.ts';
import { type Actor, actorLabel, authorize } from '../users/roles.ts';
import { checkDefinition, listQuestions } from './definition.ts';
import { surveyLinks, surveys, surveyVersions } from './surveys.schema.ts';
import { findTemplate } from './templates.ts';

const ZEmbeddedName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, {
  error: 'Embedded data names are letters, digits and _ (up to 64), not starting with a digit',
});
const ZMetrics = z
  .object({ npsQuestion: z.string().min(1).optional(), csatQuestion: z.string().min(1).optional() })
  .strict();

export const ZSurveyCreate = z.object({
  name: z.string().trim().min(1).max(200),
  /** A SurveyJS definition, or a template key to start from. */
  definition: z.record(z.string(), z.unknown()).optional(),
  template: z.string().optional(),
  embeddedFields: z.array(ZEmbeddedName).max(100).optional(),
  metrics: ZMetrics.optional(),
  allowMultipleResponses: z.boolean().default(false),
});

export const ZSurveyUpdate = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  definition: z.record(z.string(), z.unknown()).optional(),
  embeddedFields: z.array(ZEmbeddedName).max(100).optional(),
  metrics: ZMetrics.optional(),
  allowMultipleResponses: z.boolean().optional(),
});

type SurveyRow = typeof surveys.$inferSelect;

export function toPublicSurvey(row: SurveyRow) {
  return {
    id: row.id,
    directoryId: row.directoryId,
    name: row.name,
    status: row.status,
    currentVersion: row.currentVersion,
    embeddedFields: row.embeddedFields,
    metrics: row.metrics,
    allowMultipleResponses: row.allowMultipleResponses,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    activatedAt: row.activatedAt?.toISOString() ?? null,
    closedAt: row.closedAt?.toISOString() ?? null,
  };
}

/** A definition is usable, and the questions its metrics name exist with a fitting type. */
function assertDefinition(definition: unknown, metrics: { npsQuestion?: string; csatQuestion?: string }) {
  const problems = checkDefinition(definition);
  if (problems.length === 0) {
    const questions = new Map(listQuestions(definition).map((q) => [q.name, q.type]));
    for (const [metric, name] of Object.entries(metrics)) {
      if (name && questions.get(name) !== 'rating')
        problems.push({
          path: `metrics.${metric}`,
          message: `"${name}" is not a rating question of this survey`,
        });
    }
  }
  if (problems.length) throw validationFailed('The survey definition cannot be used', problems);
}

/** JSON with object keys sorted: jsonb does not keep key order, so compare this way. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

export async function getSurveyRow(db: Executor, id: number): Promise<SurveyRow> {
  const [row] = await db.select().from(surveys).where(eq(surveys.id, id));
  if (!row) throw notFound(`No survey ${id}`);
  return row;
}

export async function createSurvey(
  db: Database,
  actor: Actor,
  directoryRef: string | number,
  input: unknown,
) {
  authorize(actor, 'data:write');
  const data = ZSurveyCreate.parse(input);
  const directory = await findDirectory(db.orm, directoryRef);
  const template = data.template ? findTemplate(data.template) : undefined;
  if (data.template && !template) throw badRequest(`No survey template "${data.template}"`);
  const definition = data.definition ?? template?.definition;
  if (!definition) throw badRequest('Give a definition (SurveyJS JSON) or a template');
  const metrics = data.metrics ?? template?.metrics ?? {};
  assertDefinition(definition, metrics);
  return db.orm.transaction(async (tx) => {
    const [row] = await tx
      .insert(surveys)
      .values({
        directoryId: directory.id,
        name: data.name,
        embeddedFields: data.embeddedFields ?? template?.embeddedFields ?? [],
        metrics,
        allowMultipleResponses: data.allowMultipleResponses,
        createdBy: actorLabel(actor),
      })
      .returning();
    await tx
      .insert(surveyVersions)
      .values({ surveyId: row!.id, version: 1, definition, createdBy: actorLabel(actor) });
    await recordAudit(tx, actor, {
      action: 'survey.created',
      targetType: 'survey',
      targetId: row!.id,
      details: { name: data.name, template: data.template ?? null },
    });
    return toPublicSurvey(row!);
  });
}

/** Saving a changed definition makes a new version: responses keep the version they answered. */
export async function updateSurvey(db: Database, actor: Actor, id: number, input: unknown) {
  authorize(actor, 'data:write');
  const data = ZSurveyUpdate.parse(input);
  return db.orm.transaction(async (tx) => {
    const row = await getSurveyRow(tx, id);
    if (row.status === 'closed') throw conflict('A closed survey cannot be changed: reopen it first');
    const metrics = data.metrics ?? row.metrics;
    let version = row.currentVersion;
    const [current] = await tx
      .select()
      .from(surveyVersions)
      .where(and(eq(surveyVersions.surveyId, id), eq(surveyVersions.version, version)));
    const definition = data.definition ?? current!.definition;
    assertDefinition(definition, metrics);
    if (data.definition && canonicalJson(data.definition) !== canonicalJson(current!.definition)) {
      const [last] = await tx
        .select({ v: max(surveyVersions.version) })
        .from(surveyVersions)
        .where(eq(surveyVersions.surveyId, id));
      version = (last?.v ?? 0) + 1;
      await tx
        .insert(surveyVersions)
        .values({ surveyId: id, version, definition, createdBy: actorLabel(actor) });
    }
    const [updated] = await tx
      .update(surveys)
      .set({
        ...(data.name ? { name: data.name } : {}),
        ...(data.embeddedFields ? { embeddedFields: data.embeddedFields } : {}),
        ...(data.allowMultipleResponses !== undefined
          ? { allowMultipleResponses: data.allowMultipleResponses }
          : {}),
        metrics,
        currentVersion: version,
        updatedAt: new Date(),
      })
      .where(eq(surveys.id, id))
      .returning();
    await recordAudit(tx, actor, {
      action: 'survey.updated',
      targetType: 'survey',
      targetId: id,
      details: { version, fields: Object.keys(data) },
    });
    return toPublicSurvey(updated!);
  });
}

/** Activate (respondents can answer), close (links stop working), or reopen. */
export async function setSurveyStatus(db: Database, actor: Actor, id: number, status: 'active' | 'closed') {
  authorize(actor, 'data:write');
  return db.orm.transaction(async (tx) => {
    await getSurveyRow(tx, id);
    const [updated] = await tx
      .update(surveys)
      .set(
        status === 'active'
          ? { status, activatedAt: new Date(), closedAt: null, updatedAt: new Date() }
          : { status, closedAt: new Date(), updatedAt: new Date() },
      )
      .where(eq(surveys.id, id))
      .returning();
    await recordAudit(tx, actor, {
      action: `survey.${status === 'active' ? 'activated' : 'closed'}`,
      targetType: 'survey',
      targetId: id,
    });
    return toPublicSurvey(updated!);
  });
}

export async function listSurveys(db: Executor, actor: Actor, directoryId: number) {
  authorize(actor, 'data:read');
  const rows = await db
    .select()
    .from(surveys)
    .where(eq(surveys.directoryId, directoryId))
    .orderBy(desc(surveys.id));
  return rows.map(toPublicSurvey);
}

export async function getSurvey(db: Executor, actor: Actor, id: number) {
  authorize(actor, 'data:read');
  const row = await getSurveyRow(db, id);
  const versions = await db
    .select()
    .from(surveyVersions)
    .where(eq(surveyVersions.surveyId, id))
    .orderBy(desc(surveyVersions.version));
  const current = versions.find((v) => v.version === row.currentVersion)!;
  return {
    ...toPublicSurvey(row),
    definition: current.definition as Record<string, unknown>,
    versions: versions.map((v) => ({
      version: v.version,
      createdAt: v.createdAt.toISOString(),
      createdBy: v.createdBy,
    })),
  };
}

export const ZLinkCreate = z.object({
  /**
   * personal: names its contact (the default when contactId is given); anonymous: nobody;
   * callScript: an agent opens it from a CRM record, whose merge fields fill the query string.
   */
  kind: z.enum(['personal', 'anonymous', 'callScript']).optional(),
  contactId: z.number().int().positive().optional(),
  embedded: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});

export async function createSurveyLink(db: Database, actor: Actor, surveyId: number, input: unknown) {
  authorize(actor, 'data:write');
  const data = ZLinkCreate.parse(input);
  const survey = await getSurveyRow(db.orm, surveyId);
  const kind =
    data.kind === 'callScript' ? 'call_script' : (data.kind ?? (data.contactId ? 'personal' : 'anonymous'));
  if ((kind === 'personal') !== Boolean(data.contactId))
    throw badRequest(
      kind === 'personal' ? 'A personal link needs a contactId' : `A ${data.kind} link cannot name a contact`,
    );
  const undeclared = Object.keys(data.embedded).filter((k) => !survey.embeddedFields.includes(k));
  if (undeclared.length)
    throw validationFailed(
      'Embedded data must be declared on the survey first',
      undeclared.map((name) => ({
        path: `embedded.${name}`,
        message: `"${name}" is not an embedded data field of this survey`,
      })),
    );
  if (data.contactId) {
    const rows = await db.query<{ directory_id: number }>(
      'SELECT directory_id FROM contacts WHERE id = $1 AND deleted_at IS NULL',
      [data.contactId],
    );
    if (Number(rows[0]?.directory_id) !== survey.directoryId)
      throw badRequest(`Contact ${data.contactId} is not in this survey's directory`);
  }
  const [link] = await db.orm
    .insert(surveyLinks)
    .values({
      token: randomToken(32),
      surveyId,
      kind,
      contactId: data.contactId ?? null,
      embedded: data.embedded,
      expiresAt: data.expiresAt ? new Date(data.expiresAt) : null,
    })
    .returning();
  const path = `/s/${link!.token}`;
  return {
    id: link!.id,
    kind: link!.kind === 'call_script' ? ('callScript' as const) : link!.kind,
    token: link!.token,
    path,
    // What a CRM button or merge-field URL should open: the declared fields as placeholders.
    ...(kind === 'call_script'
      ? {
          template: `${path}?${survey.embeddedFields.map((f) => `${encodeURIComponent(f)}={!${f}}`).join('&')}`,
        }
      : {}),
    contactId: link!.contactId,
    expiresAt: link!.expiresAt?.toISOString() ?? null,
  };
}

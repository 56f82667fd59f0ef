import { getAccount } from '../directory/accounts.service.ts';
import type { AttributeChangeRow } from '../directory/contact-attributes.service.ts';
import { getContact } from '../directory/contacts.service.ts';
import { listAttributeDefinitions } from '../directory/directories.service.ts';
import { CLIENT_ROLES, TEAM_ROLES } from '../directory/roles.ts';
import { getDistribution } from '../distributions/stats.service.ts';
import { getImportRun } from '../imports/imports.service.ts';
import type { Executor } from '../platform/db/database.ts';
import { questionShapes } from '../surveys/question-shapes.ts';
import { getSurveyRow } from '../surveys/surveys.service.ts';
import { surveyDefinition } from '../surveys/versions.ts';
import { getTicket } from '../tickets/tickets.service.ts';
import { systemActor } from '../users/roles.ts';
import type { Trigger, TriggerEvent } from './model.ts';
import { T, type VType } from './types.ts';

/**
 * What `{{ event.… }}` holds for each trigger: built when an event arrives (the outbox payload,
 * with the contact, account and survey it names looked up through their domains' services), and
 * typed for the save-time checks and the editor's `{a}` menu (a response's answers typed from the
 * survey's questions, attributes from the directory's definitions).
 */

const reader = systemActor('workflows');

/** A domain event or an attribute change, as the dispatcher hands it over. */
export interface IncomingEvent {
  id: number;
  type: TriggerEvent;
  subject: string;
  payload: Record<string, unknown>;
  at: string;
}

export type EventData = Record<string, unknown> & { directoryId: number };

// ---------------------------------------------------------------------------------------------
// Types

type AttributeDefinition = { entity: string; name: string; type: string; enumValues: string[] | null };

function attributeType(d: AttributeDefinition): VType {
  switch (d.type) {
    case 'integer':
      return T.nullable(T.integer());
    case 'decimal':
      return T.nullable(T.number());
    case 'boolean':
      return T.nullable(T.boolean());
    case 'enum':
      return T.nullable(T.string(d.enumValues ?? undefined));
    default:
      return T.nullable(T.string());
  }
}

const attributesType = (defs: AttributeDefinition[], entity: string) =>
  T.object(
    Object.fromEntries(defs.filter((d) => d.entity === entity).map((d) => [d.name, attributeType(d)])),
  );

const str = () => T.nullable(T.string());

function contactType(defs: AttributeDefinition[]): VType {
  return T.object({
    id: T.integer(),
    email: str(),
    firstName: str(),
    lastName: str(),
    name: str(),
    externalRef: str(),
    language: str(),
    title: str(),
    /** The contact's client role in the event's account (else their most senior one). */
    role: T.nullable(T.string([...CLIENT_ROLES])),
    roles: T.array(T.string([...CLIENT_ROLES])),
    attributes: attributesType(defs, 'contact'),
  });
}

function accountType(defs: AttributeDefinition[]): VType {
  return T.object({
    id: T.integer(),
    name: T.string(),
    externalRef: T.string(),
    parentId: T.nullable(T.integer()),
    attributes: attributesType(defs, 'account'),
    /** The account team by role: the email of the (first) member holding each role. */
    team: T.object(Object.fromEntries(TEAM_ROLES.map((r) => [r, str()]))),
  });
}

function answerType(shape: ReturnType<typeof questionShapes>[number]): VType {
  const values = shape.options.map((o) => o.value);
  switch (shape.kind) {
    case 'rating':
      return T.nullable(T.number());
    case 'boolean':
      return T.nullable(values.every((v) => typeof v === 'boolean') ? T.boolean() : T.unknown());
    case 'single':
      if (values.length && values.every((v) => typeof v === 'number')) return T.nullable(T.number());
      return T.nullable(
        values.length && values.every((v) => typeof v === 'string')
          ? T.string(values as string[])
          : T.string(),
      );
    case 'multiple':
      return T.nullable(
        T.array(values.length && values.every((v) => typeof v === 'number') ? T.number() : T.string()),
      );
    case 'text':
      return T.nullable(T.string());
    case 'matrix':
      return T.nullable(T.record(T.string()));
    default:
      return T.unknown();
  }
}

async function surveyAnswersType(
  db: Executor,
  surveyId: number | undefined,
): Promise<{ answers: VType; embedded: VType }> {
  if (!surveyId) return { answers: T.record(T.unknown()), embedded: T.record(T.string()) };
  const survey = await getSurveyRow(db, surveyId);
  const definition = await surveyDefinition(db, survey.id, survey.currentVersion);
  const answers = T.object(
    Object.fromEntries(questionShapes(definition).map((q) => [q.name, answerType(q)])),
  );
  const embedded = T.object(
    Object.fromEntries(((survey.embeddedFields as string[] | null) ?? []).map((f) => [f, str()])),
    T.string(),
  );
  return { answers, embedded };
}

const COMMON = { type: T.string(), id: T.integer(), at: T.string(), directoryId: T.integer() };
const COUNTS = T.object({
  created: T.integer(),
  updated: T.integer(),
  unchanged: T.integer(),
  deleted: T.integer(),
  rejected: T.integer(),
});

/** The type of `event` for a trigger (null: the trigger has no event data to read). */
export async function triggerDataType(db: Executor, directoryId: number, trigger: Trigger): Promise<VType> {
  if (trigger.type === 'schedule') return T.object({ scheduledAt: T.string(), firedAt: T.string() });
  if (trigger.type === 'manual') return T.object({ startedBy: T.string(), data: T.record(T.unknown()) });
  const defs = (await listAttributeDefinitions(db, reader, directoryId)) as AttributeDefinition[];
  const event = trigger.event;
  if (event === 'response.created' || event === 'response.completed') {
    const { answers, embedded } = await surveyAnswersType(db, trigger.filter.surveyId);
    return T.object({
      ...COMMON,
      response: T.object({
        id: T.integer(),
        surveyId: T.integer(),
        version: T.integer(),
        contactId: T.nullable(T.integer()),
        accountId: T.nullable(T.integer()),
        distributionId: T.nullable(T.integer()),
        channel: T.string(),
        language: str(),
        answers,
        embedded,
        npsScore: T.nullable(T.integer()),
        npsCategory: T.nullable(T.string(['detractor', 'passive', 'promoter'])),
        csatScore: T.nullable(T.number()),
      }),
      survey: T.object({ id: T.integer(), name: T.string() }),
      contact: T.nullable(contactType(defs)),
      account: T.nullable(accountType(defs)),
    });
  }
  if (event === 'import.completed')
    return T.object({
      ...COMMON,
      importRun: T.object({
        id: T.integer(),
        status: T.string(),
        source: T.string(['import', 'salesforce']),
        mailingListId: T.nullable(T.integer()),
        counts: T.object({ accounts: COUNTS, contacts: COUNTS, teamMembers: COUNTS }),
        errorCount: T.integer(),
        warningCount: T.integer(),
      }),
    });
  if (event === 'salesforce.outbound_message')
    return T.object({
      ...COMMON,
      salesforce: T.object({
        triggerId: T.integer(),
        notificationId: T.string(),
        organizationId: T.string(),
        actionId: str(),
        object: T.string(),
        recordId: str(),
        fields: T.record(T.string()),
      }),
    });
  if (event === 'distribution.completed')
    return T.object({
      ...COMMON,
      distribution: T.object({
        id: T.integer(),
        name: T.string(),
        surveyId: T.integer(),
        channel: T.string(['email', 'sms']),
        stats: T.record(T.number()),
      }),
      survey: T.object({ id: T.integer(), name: T.string() }),
    });
  if (event === 'contact.attribute_changed')
    return T.object({
      ...COMMON,
      change: T.object({
        field: T.string(),
        oldValue: T.unknown(),
        newValue: T.unknown(),
        source: T.string(),
        importRunId: T.nullable(T.integer()),
      }),
      contact: contactType(defs),
    });
  // ticket.*
  return T.object({
    ...COMMON,
    ticket: T.object({
      id: T.integer(),
      key: T.string(),
      number: T.integer(),
      title: str(),
      status: str(),
      priority: str(),
      ownerEmail: str(),
      accountId: T.nullable(T.integer()),
      contactId: T.nullable(T.integer()),
      responseId: T.nullable(T.integer()),
      dueAt: str(),
    }),
    account: T.nullable(accountType(defs)),
    contact: T.nullable(contactType(defs)),
  });
}

// ---------------------------------------------------------------------------------------------
// Data

const num = (v: unknown): number | null => (v === null || v === undefined || v === '' ? null : Number(v));

export async function contactData(db: Executor, contactId: number | null, accountId: number | null) {
  if (!contactId) return null;
  try {
    const c = await getContact(db, reader, contactId);
    const inAccount = accountId ? c.roles.find((r) => r.accountId === accountId) : undefined;
    return {
      id: c.id,
      email: c.email,
      firstName: c.firstName,
      lastName: c.lastName,
      name: [c.firstName, c.lastName].filter(Boolean).join(' ') || null,
      externalRef: c.externalRef,
      language: c.language,
      title: c.title,
      role: inAccount?.role ?? c.roles[0]?.role ?? null,
      roles: [...new Set(c.roles.map((r) => r.role))],
      attributes: c.attributes,
    };
  } catch {
    return null;
  }
}

export async function accountData(db: Executor, accountId: number | null) {
  if (!accountId) return null;
  try {
    const a = await getAccount(db, reader, accountId);
    const team: Record<string, string | null> = Object.fromEntries(TEAM_ROLES.map((r) => [r, null]));
    for (const member of a.team) team[member.role] ??= member.email;
    return {
      id: a.id,
      name: a.displayName,
      externalRef: a.externalRef,
      parentId: a.parentId,
      attributes: a.attributes,
      team,
    };
  } catch {
    return null;
  }
}

/** The data of an event as `{{ event.… }}` reads it; null when what it names is gone. */
export async function triggerData(db: Executor, event: IncomingEvent): Promise<EventData | null> {
  const p = event.payload;
  const common = { type: event.type, id: event.id, at: event.at };
  switch (event.type) {
    case 'response.created':
    case 'response.completed': {
      const survey = await getSurveyRow(db, Number(p.surveyId)).catch(() => null);
      if (!survey) return null;
      const contactId = num(p.contactId);
      const accountId = num(p.accountId);
      const [contact, account] = await Promise.all([
        contactData(db, contactId, accountId),
        accountData(db, accountId),
      ]);
      return {
        ...common,
        directoryId: survey.directoryId,
        response: {
          id: Number(p.responseId),
          surveyId: survey.id,
          version: num(p.version),
          contactId,
          accountId,
          distributionId: num(p.distributionId),
          channel: p.channel ?? 'web',
          language: p.language ?? null,
          answers: p.answers ?? {},
          embedded: p.embedded ?? {},
          npsScore: num(p.npsScore),
          npsCategory: p.npsCategory ?? null,
          csatScore: num(p.csatScore),
        },
        survey: { id: survey.id, name: survey.name },
        contact,
        account,
      };
    }
    case 'import.completed': {
      // The imports job and the Salesforce sync each report a run; both shapes are read.
      const runId = Number(p.runId ?? p.importRunId);
      const run = await getImportRun(db, reader, runId).catch(() => null);
      if (!run) return null;
      const zero = { created: 0, updated: 0, unchanged: 0, deleted: 0, rejected: 0 };
      const counts = (run.objects ?? {}) as Record<string, typeof zero>;
      return {
        ...common,
        directoryId: run.directoryId,
        importRun: {
          id: run.runId,
          status: run.status,
          source: p.source === 'salesforce' ? 'salesforce' : 'import',
          mailingListId: run.mailingListId,
          counts: {
            accounts: { ...zero, ...counts.accounts },
            contacts: { ...zero, ...counts.contacts },
            teamMembers: { ...zero, ...counts.teamMembers },
          },
          errorCount: run.errorCount,
          warningCount: run.warningCount,
        },
      };
    }
    case 'salesforce.outbound_message':
      return {
        ...common,
        directoryId: Number(p.directoryId),
        salesforce: {
          triggerId: Number(p.triggerId),
          notificationId: String(p.notificationId ?? ''),
          organizationId: String(p.organizationId ?? ''),
          actionId: (p.actionId as string | undefined) ?? null,
          object: String(p.object ?? ''),
          recordId: (p.recordId as string | undefined) ?? null,
          fields: (p.fields as Record<string, string>) ?? {},
        },
      };
    case 'distribution.completed': {
      const d = await getDistribution(db, reader, Number(p.distributionId)).catch(() => null);
      if (!d) return null;
      const survey = await getSurveyRow(db, d.surveyId).catch(() => null);
      return {
        ...common,
        directoryId: d.directoryId,
        distribution: { id: d.id, name: d.name, surveyId: d.surveyId, channel: d.channel, stats: d.stats },
        survey: { id: d.surveyId, name: survey?.name ?? '' },
      };
    }
    case 'contact.attribute_changed': {
      const change = p as unknown as AttributeChangeRow;
      const contact = await contactData(db, change.entityId, null);
      if (!contact) return null;
      return {
        ...common,
        directoryId: change.directoryId,
        change: {
          field: change.field,
          oldValue: change.oldValue,
          newValue: change.newValue,
          source: change.source,
          importRunId: change.importRunId,
        },
        contact,
      };
    }
    default: {
      // ticket.*: a deleted ticket cannot be read any more; its payload says what it was.
      const ticketId = Number(p.ticketId);
      const view =
        event.type === 'ticket.deleted' ? null : await getTicket(db, reader, ticketId).catch(() => null);
      const accountId = num(view?.accountId ?? p.accountId);
      const contactId = num(view?.contactId ?? p.contactId);
      const [contact, account] = await Promise.all([
        contactData(db, contactId, accountId),
        accountData(db, accountId),
      ]);
      return {
        ...common,
        directoryId: Number(p.directoryId),
        ticket: {
          id: ticketId,
          key: String(p.key ?? view?.key ?? ''),
          number: Number(p.number ?? view?.number),
          title: view?.title ?? null,
          status: view?.status ?? (p.status as string | undefined) ?? null,
          priority: view?.priority ?? (p.priority as string | undefined) ?? null,
          ownerEmail: view?.ownerEmail ?? (p.ownerEmail as string | undefined) ?? null,
          accountId,
          contactId,
          responseId: num(view?.responseId ?? p.responseId),
          dueAt: view?.dueAt ?? (p.dueAt as string | undefined) ?? null,
        },
        account,
        contact,
      };
    }
  }
}

/** Whether an event's data passes the trigger's filter (the survey, the outbound trigger, the field). */
export function filterMatches(trigger: Extract<Trigger, { type: 'event' }>, data: EventData): boolean {
  const f = trigger.filter;
  if (f.surveyId !== undefined) {
    const surveyId =
      (data.response as { surveyId?: number } | undefined)?.surveyId ??
      (data.distribution as { surveyId?: number } | undefined)?.surveyId;
    if (surveyId !== f.surveyId) return false;
  }
  if (
    f.salesforceTriggerId !== undefined &&
    (data.salesforce as { triggerId?: number } | undefined)?.triggerId !== f.salesforceTriggerId
  )
    return false;
  if (f.field !== undefined) {
    const field = (data.change as { field?: string } | undefined)?.field;
    if (!field || field.toLowerCase() !== f.field.toLowerCase()) return false;
  }
  return true;
}

/**
 * How an event run is keyed: one run per workflow and event. An import run's completion may be
 * reported twice (the imports job, then the Salesforce sync that ran it): keyed by the run.
 */
export function eventTriggerKey(event: IncomingEvent): string {
  if (event.type === 'import.completed') return `event:import.completed:${event.subject}`;
  if (event.type === 'contact.attribute_changed') return `change:${event.id}`;
  return `event:${event.id}`;
}

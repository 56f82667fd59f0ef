import { z } from 'zod';
import { CLIENT_ROLES } from '../directory/roles.ts';
import { notFound, validationFailed } from '../platform/errors.ts';
import type { Actor } from '../users/roles.ts';
import type { WorkflowInput } from './model.ts';
import { jsonSchemaOf } from './types.ts';
import { createWorkflow, type WorkflowDeps } from './workflows.service.ts';

/**
 * Ready-to-copy workflows: the seed's daily "extract → load into the directory with a new mailing
 * list → distribute the survey to that list", and "a detractor's response → a ticket for the
 * account owner + a Slack message". A template asks for what only the user knows (the SFTP
 * source, the survey, the Slack webhook) and builds a definition that passes the save checks.
 */

const ZTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/)
  .default('06:00');

const sftpDaily = {
  key: 'sftp-daily-import-survey',
  name: 'SFTP → directory → survey the new contacts (daily)',
  description:
    'Every day: download the Account, Contact and AccountTeamMember files from an SFTP server, load them into the directory with a new mailing list, and send the survey to that list.',
  parameters: z
    .object({
      name: z.string().trim().min(1).max(200).default('Daily account import and survey'),
      sftpSourceId: z.number().int().positive(),
      surveyId: z.number().int().positive(),
      time: ZTime,
      timeZone: z.string().default('UTC'),
      mailingList: z.string().trim().min(1).max(200).default('Daily import {{date}}'),
      fromName: z.string().trim().min(1).max(200).default('Customer Experience'),
      subject: z.string().trim().min(1).max(500).default('How are we doing, {{ contact.firstName }}?'),
      text: z
        .string()
        .min(1)
        .default('Hello {{ contact.firstName }},\n\nTell us how we are doing: {{ link }}\n\nThank you.'),
      enabled: z.boolean().default(false),
    })
    .strict(),
  build(p: Record<string, unknown>): WorkflowInput {
    const q = p as z.output<typeof sftpDaily.parameters>;
    return {
      name: q.name,
      description: sftpDaily.description,
      enabled: q.enabled,
      trigger: { type: 'schedule', schedule: { kind: 'daily', time: q.time, timeZone: q.timeZone } },
      conditions: null,
      tasks: [
        {
          key: 'extract',
          type: 'sftp.extract',
          name: 'Extract account data from SFTP',
          input: { sourceId: q.sftpSourceId },
        },
        {
          key: 'load',
          type: 'directory.load_b2b',
          name: 'Load B2B data into the directory',
          input: { files: '{{ tasks.extract.files }}', mailingList: q.mailingList, mapping: 'saved' },
        },
        {
          key: 'distribute',
          type: 'distribution.send_survey',
          name: 'Distribute the survey to the new mailing list',
          input: {
            surveyId: q.surveyId,
            name: `${q.name} — run {{ run.id }}`,
            channel: 'email',
            recipients: { type: 'mailingList', mailingListId: '{{ tasks.load.mailingListId }}' },
            message: { fromName: q.fromName, subject: q.subject, text: q.text },
          },
        },
      ],
    };
  },
};

const salesforceDaily = {
  key: 'salesforce-daily-sync-survey',
  name: 'Salesforce → directory → survey the new contacts (daily)',
  description:
    'Every day: extract accounts, contacts and account team members from Salesforce into the directory (the directory’s Salesforce sync, with its new mailing list per run), and send the survey to that list.',
  parameters: z
    .object({
      name: z.string().trim().min(1).max(200).default('Daily Salesforce import and survey'),
      surveyId: z.number().int().positive(),
      time: ZTime,
      timeZone: z.string().default('UTC'),
      fromName: z.string().trim().min(1).max(200).default('Customer Experience'),
      subject: z.string().trim().min(1).max(500).default('How are we doing, {{ contact.firstName }}?'),
      text: z
        .string()
        .min(1)
        .default('Hello {{ contact.firstName }},\n\nTell us how we are doing: {{ link }}\n\nThank you.'),
      enabled: z.boolean().default(false),
    })
    .strict(),
  build(p: Record<string, unknown>): WorkflowInput {
    const q = p as z.output<typeof salesforceDaily.parameters>;
    return {
      name: q.name,
      description: salesforceDaily.description,
      enabled: q.enabled,
      trigger: { type: 'schedule', schedule: { kind: 'daily', time: q.time, timeZone: q.timeZone } },
      conditions: null,
      tasks: [
        {
          key: 'salesforce',
          type: 'salesforce.sync',
          name: 'Extract account data from Salesforce',
          input: { full: false },
        },
        {
          key: 'distribute',
          type: 'distribution.send_survey',
          name: 'Distribute the survey to the new mailing list',
          input: {
            surveyId: q.surveyId,
            name: `${q.name} — run {{ run.id }}`,
            channel: 'email',
            recipients: { type: 'mailingList', mailingListId: '{{ tasks.salesforce.mailingListId }}' },
            message: { fromName: q.fromName, subject: q.subject, text: q.text },
          },
        },
      ],
    };
  },
};

const detractorTicket = {
  key: 'detractor-ticket-slack',
  name: 'Detractor → ticket for the account owner + Slack',
  description:
    'On each completed response with an NPS of 6 or less: open a ticket assigned to the account owner and tell the team on Slack.',
  parameters: z
    .object({
      name: z.string().trim().min(1).max(200).default('Detractor follow-up'),
      surveyId: z.number().int().positive(),
      slackWebhookUrl: z.url({ protocol: /^https?$/ }),
      /** NPS at or below this is a detractor. */
      threshold: z.number().int().min(0).max(10).default(6),
      /** Only responses from contacts holding this client role (e.g. DECISION_MAKER). */
      role: z.enum(CLIENT_ROLES).optional(),
      priority: z.enum(['low', 'normal', 'high', 'urgent']).default('high'),
      /** A saved Salesforce write-back to run too (the score written back to the Contact). */
      writebackId: z.number().int().positive().optional(),
      enabled: z.boolean().default(false),
    })
    .strict(),
  build(p: Record<string, unknown>): WorkflowInput {
    const q = p as z.output<typeof detractorTicket.parameters>;
    return {
      name: q.name,
      description: detractorTicket.description,
      enabled: q.enabled,
      trigger: { type: 'event', event: 'response.completed', filter: { surveyId: q.surveyId } },
      conditions: {
        match: 'all',
        rules: [
          { field: 'response.npsScore', op: 'lte', value: q.threshold },
          ...(q.role ? [{ field: 'contact.role', op: 'eq' as const, value: q.role }] : []),
        ],
      },
      tasks: [
        {
          key: 'ticket',
          type: 'tickets.create',
          name: 'Ticket for the account owner',
          input: {
            responseId: '{{ event.response.id }}',
            assignTo: { teamRole: 'ACCOUNT_OWNER' },
            priority: q.priority,
            description:
              '{{ event.contact.name | default: "A respondent" }} ({{ event.contact.role | default: "no role" }}) of {{ event.account.name | default: "an unknown account" }} answered {{ event.response.npsScore }} to "{{ event.survey.name }}".',
            tags: ['detractor'],
          },
        },
        {
          key: 'slack',
          type: 'notify.slack',
          name: 'Tell the team on Slack',
          input: {
            webhookUrl: q.slackWebhookUrl,
            title: 'Detractor: {{ event.account.name | default: "unknown account" }}',
            text: '*{{ event.contact.name | default: "A respondent" }}* answered *{{ event.response.npsScore }}* to {{ event.survey.name }}. Ticket {{ tasks.ticket.key }} is assigned to {{ tasks.ticket.ownerEmail | default: "nobody yet" }}.',
            fields: [
              { label: 'Account', value: '{{ event.account.name }}' },
              { label: 'Role', value: '{{ event.contact.role }}' },
            ],
            linkUrl: '{{ tasks.ticket.url }}',
            linkText: 'Open the ticket',
          },
        },
        ...(q.writebackId
          ? [
              {
                key: 'salesforce',
                type: 'salesforce.writeback',
                name: 'Write the score back to Salesforce',
                input: { writebackId: q.writebackId },
              },
            ]
          : []),
      ],
    };
  },
};

interface Template {
  key: string;
  name: string;
  description: string;
  parameters: z.ZodType;
  build(p: Record<string, unknown>): WorkflowInput;
}

/** The templates, in the gallery's order. */
export const TEMPLATES: Template[] = [salesforceDaily, sftpDaily, detractorTicket];

export function listTemplates() {
  return TEMPLATES.map((t) => ({
    key: t.key,
    name: t.name,
    description: t.description,
    parameters: jsonSchemaOf(t.parameters, 'input'),
  }));
}

/** A workflow from a template, with the user's answers to its parameters. */
export async function createFromTemplate(
  deps: WorkflowDeps,
  actor: Actor,
  directoryRef: string | number,
  key: string,
  raw: unknown,
) {
  const template = TEMPLATES.find((t) => t.key === key);
  if (!template) throw notFound(`No workflow template ${key}`);
  const parsed = template.parameters.safeParse(raw ?? {});
  if (!parsed.success)
    throw validationFailed(
      'The template needs these answers',
      parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    );
  return createWorkflow(deps, actor, directoryRef, template.build(parsed.data as Record<string, unknown>), {
    template: key,
  });
}

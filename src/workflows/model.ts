import { z } from 'zod';
import { isTimeZone } from '../distributions/zoned-time.ts';

/**
 * The workflow definition as stored and as the API takes it: a trigger, optional conditions on
 * the trigger's data, and an ordered list of tasks. What is checked here is the shape; whether the
 * piped values exist and have the right types is checked by check.ts against the trigger's data
 * and each earlier task's output schema.
 */

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const TASK_RUN_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'skipped'] as const;
export type TaskRunStatus = (typeof TASK_RUN_STATUSES)[number];

/** The events a workflow can start on (ticket.* are each their own choice). */
export const TRIGGER_EVENTS = [
  'response.created',
  'response.completed',
  'import.completed',
  'salesforce.outbound_message',
  'distribution.completed',
  'contact.attribute_changed',
  'ticket.created',
  'ticket.updated',
  'ticket.resolved',
  'ticket.closed',
  'ticket.overdue',
  'ticket.deleted',
] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const ZTimeZone = z
  .string()
  .default('UTC')
  .refine(isTimeZone, { error: 'expected an IANA time zone such as Europe/Rome' });
const ZTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'expected a time as HH:MM (24 h)' });

export const ZSchedule = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('daily'), time: ZTime, timeZone: ZTimeZone }),
  z.object({
    kind: z.literal('weekly'),
    days: z.array(z.enum(WEEKDAYS)).min(1, { error: 'pick at least one day' }),
    time: ZTime,
    timeZone: ZTimeZone,
  }),
  z.object({ kind: z.literal('cron'), cron: z.string().trim().min(9).max(200), timeZone: ZTimeZone }),
]);
export type Schedule = z.output<typeof ZSchedule>;

export const ZEventFilter = z
  .object({
    /** response.* and distribution.completed: only this survey's. */
    surveyId: z.number().int().positive().optional(),
    /** salesforce.outbound_message: only this outbound-message trigger's. */
    salesforceTriggerId: z.number().int().positive().optional(),
    /** contact.attribute_changed: only changes of this field or attribute (case-insensitive). */
    field: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

export const ZTrigger = z.discriminatedUnion('type', [
  z.object({ type: z.literal('schedule'), schedule: ZSchedule }),
  z.object({ type: z.literal('event'), event: z.enum(TRIGGER_EVENTS), filter: ZEventFilter.default({}) }),
  /** Started only by hand: the API, the UI or `rapport workflow run`. */
  z.object({ type: z.literal('manual') }),
]);
export type Trigger = z.output<typeof ZTrigger>;

export const CONDITION_OPS = [
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'not_contains',
  'in',
  'not_in',
  'is_empty',
  'is_not_empty',
] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

export const ZConditionRule = z
  .object({
    /** A path in the trigger's data: `response.answers.nps`, `contact.role` (an `event.` prefix is allowed). */
    field: z.string().trim().min(1).max(500),
    op: z.enum(CONDITION_OPS),
    value: z.unknown().optional(),
  })
  .strict();
export type ConditionRule = z.output<typeof ZConditionRule>;

export interface ConditionGroup {
  match: 'all' | 'any';
  rules: (ConditionRule | ConditionGroup)[];
}

export const ZConditionGroup: z.ZodType<ConditionGroup> = z.lazy(() =>
  z
    .object({
      match: z.enum(['all', 'any']),
      rules: z.array(z.union([ZConditionRule, ZConditionGroup])).max(50),
    })
    .strict(),
);

export const isGroup = (rule: ConditionRule | ConditionGroup): rule is ConditionGroup => 'match' in rule;

export const ZTaskKey = z.string().regex(/^[a-z][A-Za-z0-9_]{0,39}$/, {
  error: 'a task key starts with a small letter, then letters, digits or _ (at most 40)',
});

export const ZRetry = z
  .object({
    /** Attempts after the first. */
    limit: z.number().int().min(0).max(10),
    /** Before the first retry; doubled at each next one (at most an hour). */
    delaySeconds: z.number().int().min(0).max(3600),
  })
  .strict();
export type Retry = z.output<typeof ZRetry>;

export const ZTaskEntry = z
  .object({
    /** How later tasks name its output: `{{ tasks.<key>.… }}`. */
    key: ZTaskKey,
    type: z.string().min(1).max(100),
    /** A label for people (the editor shows it). */
    name: z.string().trim().max(200).optional(),
    /** The task type's input; any string may pipe values in with `{{ event.… }}` / `{{ tasks.<key>.… }}`. */
    input: z.record(z.string(), z.unknown()).default({}),
    retry: ZRetry.optional(),
  })
  .strict();
export type TaskEntry = z.output<typeof ZTaskEntry>;

export const ZWorkflowInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).default(''),
    enabled: z.boolean().default(false),
    /** Told by email when a run fails; default: whoever saves it first. */
    ownerEmail: z.email().optional(),
    trigger: ZTrigger,
    conditions: ZConditionGroup.nullable().default(null),
    tasks: z.array(ZTaskEntry).min(1, { error: 'a workflow has at least one task' }).max(30),
  })
  .strict();
export type WorkflowInput = z.output<typeof ZWorkflowInput>;

/** A problem of a definition, by path: `tasks[1].input.recipients.mailingListId`. */
export interface Problem {
  path: string;
  message: string;
}
